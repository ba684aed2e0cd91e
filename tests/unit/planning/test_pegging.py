"""Pegging: every order traces to the end demands it serves, through every level, and every end
demand to the orders (and stock) that serve it."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from mrp_strategies import TENTHS, mrp_inputs
from mrp_tables import at, item, line

from mfgsync.planning.contract import parse_mrp_input
from mfgsync.planning.engine import run_mrp
from mfgsync.planning.pegging import Peg, item_supplies, peg


def pegging_of(periods, items=(), boms=(), receipts=(), demand=()):
    inp = parse_mrp_input({"periods": periods, "items": list(items), "boms": list(boms),
                           "scheduled_receipts": list(receipts), "demand": list(demand)})
    plan = run_mrp(inp)
    return plan.planned_orders(), peg(inp, plan)


def test_stock_and_orders_at_every_level_are_pegged_to_the_customer_demand_they_serve():
    # The contract example: 10 A on hand and an order for 90 serve the demand for 100 A;
    # B's receipt of 50 and order of 130 serve A's release of 90 in bucket 2 (180 B).
    orders, pegging = pegging_of(8, items=[item("A", lead_time=1, on_hand=10)], boms=[line("A", "B", qty_per=2)],
                                 receipts=[at("B", 1, 50)], demand=[at("A", 3, 100)])
    assert [(o.item_id, o.due_period, o.qty) for o in orders] == [("A", 3, 90), ("B", 2, 130)]
    assert [(s.item_id, s.supply, s.index, s.pegs, s.end_demands) for s in pegging.supplies] == [
        ("A", "on_hand", None, [Peg("demand", 10, demand=0)], {0}),
        ("A", "planned", 0, [Peg("demand", 90, demand=0)], {0}),
        ("B", "scheduled", 0, [Peg("parent", 50, parent="A", period=2)], {0}),
        ("B", "planned", 1, [Peg("parent", 130, parent="A", period=2)], {0}),
    ]


def test_a_shared_component_lot_serves_the_demands_of_both_end_items():
    # Pumps (demand 0) and fans (demand 1) both use a motor bought in fixed lots of 20: the
    # first lot covers the pump release (10) and the fan release (5), with 5 left over.
    orders, pegging = pegging_of(
        4, items=[item("PUMP", lead_time=1), item("FAN", lead_time=1),
                  item("MOTOR", lead_time=1, lot_rule="fixed", fixed_lot=20)],
        boms=[line("PUMP", "MOTOR"), line("FAN", "MOTOR")],
        demand=[at("PUMP", 3, 10), at("FAN", 4, 5)])
    motor = pegging.of_planned_order(next(i for i, o in enumerate(orders) if o.item_id == "MOTOR"))
    assert motor.qty == 20 and motor.period == 2
    assert motor.pegs == [Peg("parent", 10, parent="PUMP", period=2), Peg("parent", 5, parent="FAN", period=3),
                          Peg("excess", 5)]
    assert motor.end_demands == {0, 1}


def test_a_raw_material_order_traces_through_three_levels_to_the_customer_order():
    orders, pegging = pegging_of(
        6, items=[item("TOP", lead_time=1), item("MID", lead_time=2), item("RAW", lead_time=1)],
        boms=[line("TOP", "MID", qty_per=3), line("MID", "RAW", qty_per=4)],
        demand=[at("TOP", 6, 5), at("TOP", 6, 2)])
    raw = next(i for i, o in enumerate(orders) if o.item_id == "RAW")
    assert pegging.of_planned_order(raw).end_demands == {0, 1}
    assert {(s.item_id, s.supply) for s in pegging.serving(1)} == {
        ("TOP", "planned"), ("MID", "planned"), ("RAW", "planned")}


def test_supply_beyond_demand_is_pegged_to_safety_stock_first_then_excess():
    orders, pegging = pegging_of(1, items=[item("S", safety_stock=10, lot_rule="fixed", fixed_lot=40)],
                                 demand=[at("S", 1, 5)])
    assert pegging.of_planned_order(0).pegs == [
        Peg("demand", 5, demand=0), Peg("safety_stock", 10), Peg("excess", 25)]


def test_stock_already_allocated_beyond_what_is_there_is_covered_before_any_demand():
    _, pegging = pegging_of(1, items=[item("S", on_hand=2, allocated=5)], demand=[at("S", 1, 4)])
    assert pegging.of_planned_order(0).pegs == [Peg("allocated", 3), Peg("demand", 4, demand=0)]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mrp_inputs() | mrp_inputs(TENTHS))
def test_every_supply_is_pegged_in_full_and_every_end_demand_is_served_in_full(document):
    inp = parse_mrp_input(document)
    pegging = peg(inp, run_mrp(inp))
    served = [Fraction(0)] * len(inp.demand)
    for supply in pegging.supplies:
        assert sum(Fraction(share.qty) for share in supply.pegs) == supply.qty
        for share in supply.pegs:
            if share.to == "demand":
                served[share.demand] += Fraction(share.qty)
                assert share.demand in supply.end_demands
                assert supply.period <= inp.demand[share.demand].period, "supply arrives in time"
            if share.to == "parent":
                assert supply.period <= share.period, "a component arrives by its parent's release"
    assert served == [Fraction(d.qty) for d in inp.demand]


@given(mrp_inputs() | mrp_inputs(TENTHS))
def test_the_supplies_of_chosen_items_are_pegged_at_their_item_as_the_whole_plant_pegs_them(document):
    inp = parse_mrp_input(document)
    plan = run_mrp(inp)
    chosen = {item.item_id for item in inp.items[::2]}

    def at_their_item(supplies):
        return sorted(((s.item_id, s.supply, s.index, s.period, s.qty, tuple(s.pegs)) for s in supplies
                       if s.item_id in chosen), key=repr)

    assert at_their_item(item_supplies(inp, plan, chosen)) == at_their_item(peg(inp, plan).supplies)
