"""Multi-level pegging on request: from an item's supplies up to the end demands they serve, and
from an end demand down through every planned order and receipt that serves it."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from mrp_strategies import TENTHS, mrp_inputs
from mrp_tables import at, item, line

from mfgsync.planning.contract import parse_mrp_input
from mfgsync.planning.engine import run_mrp
from mfgsync.planning.model import MrpInputError
from mfgsync.planning.peg_table import peg_table, stock_of_input
from mfgsync.planning.pegging import peg
from mfgsync.planning.tracing import Tracer, items_to_trace, trace_demand, trace_item


def tracer_of(document) -> Tracer:
    inp = parse_mrp_input(document)
    plan = run_mrp(inp)
    return Tracer(inp, plan, peg_table(plan, stock_of_input(inp, plan)))


def _pump_and_fan() -> Tracer:
    # Pumps and fans share a motor bought in lots of 20; 10 pumps (SO-1) and 5 fans (SO-2) are sold.
    return tracer_of({"periods": 4, "items": [
        item("PUMP", lead_time=1), item("FAN", lead_time=1), item("MOTOR", lead_time=1, lot_rule="fixed", fixed_lot=20),
        item("WIRE")],
        "boms": [line("PUMP", "MOTOR"), line("FAN", "MOTOR"), line("MOTOR", "WIRE", qty_per=2)],
        "demand": [{**at("PUMP", 3, 10), "ref": "SO-1"}, {**at("FAN", 4, 5), "ref": "SO-2"}]})


def test_a_shared_components_lot_traces_up_to_each_sales_order_it_ends_in():
    [motors] = trace_item(_pump_and_fan(), "MOTOR")["supplies"]
    assert (motors["supply"], motors["qty"], motors["rest"]) == ("planned", 20, 5), "5 of the lot are excess"
    assert [(d["ref"], d["qty"]) for d in motors["end_demands"]] == [("SO-1", 10), ("SO-2", 5)]


def test_wire_for_one_lot_of_motors_serves_both_orders_in_proportion_to_the_lot():
    [wire] = trace_item(_pump_and_fan(), "WIRE")["supplies"]
    assert wire["qty"] == 40
    assert [(d["ref"], d["qty"]) for d in wire["end_demands"]] == [("SO-1", 20), ("SO-2", 10)]
    assert wire["rest"] == 10, "the wire of the 5 excess motors ends in no order"


def test_an_end_demand_traces_down_through_every_level_that_serves_it():
    trace = trace_demand(_pump_and_fan(), "SO-2")
    assert (trace["item_id"], trace["period"], trace["demand_qty"]) == ("FAN", 4, 5)
    assert [(s["item_id"], s["supply"], s["serves"]) for s in trace["supplies"]] == [
        ("FAN", "planned", 5), ("MOTOR", "planned", 5), ("WIRE", "planned", 10)]
    assert trace_demand(_pump_and_fan(), "1") == trace, "an end demand is named by its ref or its index"


@pytest.mark.parametrize("ask", [lambda t: trace_item(t, "GEAR"), lambda t: trace_demand(t, "SO-9"),
                                 lambda t: trace_demand(t, "2")])
def test_an_item_or_end_demand_not_in_the_plan_is_refused_with_its_code(ask):
    with pytest.raises(MrpInputError) as refused:
        ask(_pump_and_fan())
    assert refused.value.code == "MRP_PEG_UNKNOWN"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mrp_inputs() | mrp_inputs(TENTHS))
def test_tracing_up_and_down_agree_with_each_other_and_with_the_level_by_level_reference(document):
    tracer = tracer_of(document)
    reference = {(s.item_id, s.supply, s.index): s.end_demands for s in peg(tracer.inp, tracer.plan).supplies}
    t = tracer.t
    served = {s: tracer.served(s) for s in range(t.supply_qty.size)}
    for s, shares in served.items():
        key = (tracer.plan.item_ids[t.supply_item[s]], ("on_hand", "scheduled", "planned")[t.supply_kind[s]],
               None if t.supply_index[s] < 0 else int(t.supply_index[s]))
        assert {d for d, q in shares.items() if q > 0} == reference[key]
        assert sum(shares.values(), Fraction(0)) <= Fraction(t.supply_qty[s])
    for demand in range(len(tracer.inp.demand)):
        assert tracer.serving(demand) == {s: q[demand] for s, q in served.items() if q.get(demand)}


def test_a_bom_line_whose_window_ends_before_the_first_bucket_carries_no_demand_when_traced():
    # The seal of the valve is effective in no bucket (to_period 0): the seal's planned order
    # serves the pump's demand alone, as the level-by-level pegging says.
    document = {"periods": 1, "items": [item(i, lead_time=0) for i in ("PUMP", "VALVE", "SEAL")],
                "boms": [line("VALVE", "SEAL", from_period=0, to_period=0), line("PUMP", "SEAL")],
                "demand": [at("PUMP", 1, 1), at("VALVE", 1, 1)]}
    tracer = tracer_of(document)
    reference = {(s.item_id, s.supply, s.index): s.end_demands for s in peg(tracer.inp, tracer.plan).supplies}
    t = tracer.t
    seal = tracer.plan.item_ids.index("SEAL")
    [supply] = [s for s in range(t.supply_qty.size) if t.supply_item[s] == seal]
    served = {d for d, q in tracer.served(supply).items() if q > 0}
    assert served == {0} == reference[("SEAL", "planned", int(t.supply_index[supply]))]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mrp_inputs() | mrp_inputs(TENTHS))
def test_an_items_supplies_carried_up_at_once_end_where_each_traced_alone_ends(document):
    tracer = tracer_of(document)
    for row in range(len(tracer.plan.item_ids)):
        carried = tracer.served_from(row)
        for s in tracer.supplies_of(row):
            traced = {d: float(q) for d, q in tracer.served(s).items()}
            assert carried[s].keys() == traced.keys() and carried[s] == pytest.approx(traced)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mrp_inputs())
def test_tracing_on_the_engines_arrays_finds_what_tracing_on_the_input_rows_finds(document):
    from hypothesis import assume

    from mfgsync.planning.checked import check
    from mfgsync.planning.engine import run_checked
    from mfgsync.planning.reader import convert

    checked = check(convert(document))
    lines = checked.arrays()
    assume(lines is not None)
    plan, stock = run_checked(checked)
    table = peg_table(plan, stock)
    on_rows = Tracer(checked.mrp_input(), plan, table, exact=False)
    on_arrays = Tracer(checked.demands_only(), plan, table, exact=False, lines=lines)
    for row in range(len(plan.item_ids)):
        assert on_arrays.served_from(row) == on_rows.served_from(row)
    for demand in range(len(checked.demand.refs)):
        assert on_arrays.serving(demand) == on_rows.serving(demand)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mrp_inputs() | mrp_inputs(TENTHS))
def test_a_trace_on_the_pegging_of_the_items_it_visits_alone_is_the_trace_on_the_whole_plants(document):
    inp = parse_mrp_input(document)
    plan = run_mrp(inp)
    stock = stock_of_input(inp, plan)
    whole = Tracer(inp, plan, peg_table(plan, stock))
    for item_id in plan.item_ids:
        visited = items_to_trace(inp, plan, None, item_id=item_id)
        alone = Tracer(inp, plan, peg_table(plan, stock, visited))
        assert trace_item(alone, item_id) == trace_item(whole, item_id)
    for demand in range(len(inp.demand)):
        visited = items_to_trace(inp, plan, None, demand=str(demand))
        alone = Tracer(inp, plan, peg_table(plan, stock, visited))
        assert trace_demand(alone, str(demand)) == trace_demand(whole, str(demand))
