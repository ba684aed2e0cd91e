"""Full pegging of a whole plant, a block of end demands at a time: what the level-by-level
reference pegs, with the quantities that tracing one item finds, whatever the block size."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from mrp_strategies import TENTHS, mrp_inputs

from mfgsync.planning import full_pegging
from mfgsync.planning.contract import parse_mrp_input
from mfgsync.planning.engine import run_mrp
from mfgsync.planning.full_pegging import FullPegging, full_pegging_pieces
from mfgsync.planning.peg_table import SUPPLY_KINDS, peg_table, stock_of_input
from mfgsync.planning.pegging import peg
from mfgsync.planning.tracing import Tracer


def _pegged(document) -> tuple[dict, Tracer]:
    inp = parse_mrp_input(document)
    plan = run_mrp(inp)
    table = peg_table(plan, stock_of_input(inp, plan))
    pegging = FullPegging(Tracer(inp, plan, table, exact=False))
    return json.loads(b"".join(full_pegging_pieces(pegging))), Tracer(inp, plan, table)


def _ends_per_supply(section: dict, tracer: Tracer) -> dict[tuple, dict[int, float]]:
    """(item, supply kind, index) -> end demand -> quantity, read off the demands' lists."""
    found: dict[tuple, dict[int, float]] = {}
    for entry in section["demands"]:
        for kind, name in (("planned", "planned_orders"), ("scheduled", "scheduled_receipts")):
            for index, qty in zip(entry[name], entry[f"{name}_qty"]):
                item = tracer.plan.item_ids[tracer.t.supply_item[_position(tracer, kind, index)]]
                found.setdefault((item, kind, index), {})[entry["demand"]] = qty
        for item, qty in zip(entry["on_hand"], entry["on_hand_qty"]):
            found.setdefault((item, "on_hand", None), {})[entry["demand"]] = qty
    return found


def _position(tracer: Tracer, kind: str, index: int) -> int:
    t = tracer.t
    return next(s for s in range(t.supply_qty.size)
                if SUPPLY_KINDS[t.supply_kind[s]] == kind and t.supply_index[s] == index)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mrp_inputs() | mrp_inputs(TENTHS))
def test_every_supply_ends_in_the_end_demands_the_reference_finds_by_the_quantities_tracing_finds(document):
    section, tracer = _pegged(document)
    found = _ends_per_supply(section, tracer)
    reference = peg(tracer.inp, tracer.plan)
    assert {(s.item_id, s.supply, s.index): set(s.end_demands) for s in reference.supplies if s.end_demands} == {
        key: set(ends) for key, ends in found.items()}
    for s in range(tracer.t.supply_qty.size):
        traced = tracer.served(s)
        index = int(tracer.t.supply_index[s])
        key = (tracer.plan.item_ids[tracer.t.supply_item[s]], SUPPLY_KINDS[tracer.t.supply_kind[s]],
               None if index < 0 else index)
        assert found.get(key, {}) == pytest.approx({d: float(q) for d, q in traced.items()}, abs=1e-5)
    assert all(sum(Decimal(str(p["qty"])) for p in s["pegs"]) == Decimal(str(s["qty"])) for s in section["supplies"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mrp_inputs())
def test_a_block_of_one_end_demand_at_a_time_pegs_as_one_block_of_all(document):
    whole, _ = _pegged(document)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(full_pegging, "MEMORY_BUDGET", 1)  # the smallest block: one end demand
        blocked, _ = _pegged(document)
    assert blocked == whole


def test_a_wire_is_traced_through_the_motor_to_the_pump_order_it_ends_in():
    section, _ = _pegged({"periods": 3, "items": [{"item_id": "WIRE"}, {"item_id": "MOTOR"}, {"item_id": "PUMP"}],
                          "boms": [{"parent": "MOTOR", "component": "WIRE", "qty_per": 2},
                                   {"parent": "PUMP", "component": "MOTOR", "qty_per": 1}],
                          "demand": [{"item_id": "PUMP", "period": 3, "qty": 4}]})
    assert section["demands"] == [{"demand": 0, "planned_orders": [0, 1, 2], "planned_orders_qty": [8, 4, 4],
                                   "scheduled_receipts": [], "scheduled_receipts_qty": [],
                                   "on_hand": [], "on_hand_qty": []}]
