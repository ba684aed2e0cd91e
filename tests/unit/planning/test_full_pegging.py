"""Full pegging of a whole plant, streamed: what the level-by-level reference pegs, written
supply by supply and end demand by end demand."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from mrp_strategies import TENTHS, mrp_inputs
from mfgsync.planning.contract import parse_mrp_input
from mfgsync.planning.engine import run_mrp
from mfgsync.planning.full_pegging import full_pegging_pieces
from mfgsync.planning.peg_table import peg_table, stock_of_input
from mfgsync.planning.pegging import peg
from mfgsync.planning.tracing import Tracer


def _streamed(document) -> tuple[dict, Tracer]:
    inp = parse_mrp_input(document)
    plan = run_mrp(inp)
    tracer = Tracer(inp, plan, peg_table(plan, stock_of_input(inp, plan)), exact=False)
    return json.loads(b"".join(full_pegging_pieces(tracer))), tracer


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mrp_inputs() | mrp_inputs(TENTHS))
def test_streamed_full_pegging_names_the_end_demands_the_reference_finds_for_every_supply(document):
    section, tracer = _streamed(document)
    reference = peg(tracer.inp, tracer.plan)
    assert sorted((s["item_id"], s["supply"], s["index"], tuple(s["end_demands"]))
                  for s in section["supplies"]) == sorted(
        (s.item_id, s.supply, s.index, tuple(sorted(s.end_demands))) for s in reference.supplies)
    assert all(sum(Decimal(str(p["qty"])) for p in s["pegs"]) == Decimal(str(s["qty"])) for s in section["supplies"])
    for entry in section["demands"]:
        serving = [s for s in reference.serving(entry["demand"])]
        assert entry["planned_orders"] == sorted(s.index for s in serving if s.supply == "planned")
        assert entry["scheduled_receipts"] == sorted(s.index for s in serving if s.supply == "scheduled")
        assert entry["on_hand"] == sorted(s.item_id for s in serving if s.supply == "on_hand")


def test_parents_are_written_before_their_components():
    section, _ = _streamed({"periods": 3, "items": [{"item_id": "WIRE"}, {"item_id": "MOTOR"}, {"item_id": "PUMP"}],
                            "boms": [{"parent": "MOTOR", "component": "WIRE", "qty_per": 2},
                                     {"parent": "PUMP", "component": "MOTOR", "qty_per": 1}],
                            "demand": [{"item_id": "PUMP", "period": 3, "qty": 4}]})
    assert [(s["item_id"], s["end_demands"], s["end_demand_qty"]) for s in section["supplies"]] == [
        ("PUMP", [0], [4]), ("MOTOR", [0], [4]), ("WIRE", [0], [8])]
