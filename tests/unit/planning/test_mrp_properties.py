"""Properties every plan keeps, for random acyclic BOMs and demands; and the fast integer
engine gives exactly the plan of the exact engine (its reference) whenever it runs."""

from __future__ import annotations

from fractions import Fraction
from math import ceil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mrp_strategies import TENTHS, mrp_inputs

from mfgsync.planning.arrays import to_arrays
from mfgsync.planning.contract import parse_mrp_input, plan_document
from mfgsync.planning.engine import run_mrp
from mfgsync.planning.exact import plan_exactly
from mfgsync.planning.fast import plan_integral

SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(mrp_inputs())
def test_the_fast_engine_plans_exactly_what_the_exact_engine_plans(document):
    inp = parse_mrp_input(document)
    fast = plan_integral(to_arrays(inp))
    exact = plan_exactly(inp)
    assert plan_document(fast) == plan_document(exact)
    assert fast.low_level_codes.tolist() == exact.low_level_codes.tolist()


@SETTINGS
@given(st.one_of(mrp_inputs(), mrp_inputs(TENTHS)))
def test_every_plan_keeps_safety_stock_respects_lot_rules_and_covers_demand(document):
    inp = parse_mrp_input(document)
    plan = run_mrp(inp)
    for row, item in enumerate(inp.items):
        record = {name: [Fraction(v) for v in getattr(plan, name)[row].tolist()]
                  for name in ("gross", "scheduled", "projected", "net", "planned_receipts")}
        safety = Fraction(item.safety_stock)
        assert all(balance >= safety for balance in record["projected"]), item.item_id
        for net, qty in zip(record["net"], record["planned_receipts"]):
            if qty:
                assert_respects_lot_rule(item, net, qty)
        supply = Fraction(item.on_hand) - Fraction(item.allocated) + sum(record["scheduled"]) \
            + sum(record["planned_receipts"])
        assert supply >= sum(record["gross"]) + safety, item.item_id


def assert_respects_lot_rule(item, net: Fraction, qty: Fraction) -> None:
    multiple = Fraction(item.order_multiple)
    assert qty >= net > 0
    if multiple > 1:
        assert (qty / multiple).denominator == 1, "a whole number of order multiples"
        assert qty - multiple < lot_before_rounding(item, net), "the fewest multiples"
    else:
        assert qty == lot_before_rounding(item, net)


def lot_before_rounding(item, net: Fraction) -> Fraction:
    if item.lot_rule == "fixed":
        lot = Fraction(item.fixed_lot)
        lots = ceil(net / lot)
        assert (lots - 1) * lot < net <= lots * lot, "the fewest whole lots that cover the net"
        return lots * lot
    if item.lot_rule == "min_multiple":
        return max(net, Fraction(item.order_min))
    return net


def test_a_plan_too_large_for_64_bit_integers_is_planned_exactly():
    # Ten levels of 10,000 per parent: 10**40 pieces at the bottom, far beyond int64.
    boms = [{"parent": f"L{k}", "component": f"L{k + 1}", "qty_per": 10_000} for k in range(10)]
    inp = parse_mrp_input({"periods": 1, "boms": boms, "demand": [{"item_id": "L0", "period": 1, "qty": 1}]})
    assert plan_integral(to_arrays(inp)) is None
    assert plan_document(run_mrp(inp))["records"]["L10"]["gross"] == [10**40]
