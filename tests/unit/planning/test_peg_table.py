"""Single-level pegging of a whole plant: the same allotment as the level-by-level reference,
kept as columns that grow with supplies and needs, never with their product."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mrp_strategies import TENTHS, mrp_inputs
from mrp_tables import at, item, line

from mfgsync.planning.contract import parse_mrp_input
from mfgsync.planning.engine import run_mrp
from mfgsync.planning.peg_table import NEED_KINDS, SUPPLY_KINDS, peg_table, stock_of_input
from mfgsync.planning.pegging import peg


def tables_of(document):
    inp = parse_mrp_input(document)
    plan = run_mrp(inp)
    return inp, plan, peg_table(plan, stock_of_input(inp, plan))


def pegs_by_supply(table, plan) -> Counter:
    """(item, supply kind, index, need kind, demand, period) -> quantity."""
    pegs = Counter()
    for s, kind, demand, period, qty in zip(table.peg_supply.tolist(), table.peg_kind.tolist(),
                                            table.peg_demand.tolist(), table.peg_period.tolist(),
                                            table.peg_qty.tolist()):
        key = (plan.item_ids[table.supply_item[s]], SUPPLY_KINDS[table.supply_kind[s]],
               int(table.supply_index[s]), NEED_KINDS[kind], demand,
               period if NEED_KINDS[kind] in ("demand", "dependent") else None)
        pegs[key] += Fraction(qty)
    return pegs


def reference_pegs(inp, plan) -> Counter:
    pegs = Counter()
    for supply in peg(inp, plan).supplies:
        index = -1 if supply.index is None else supply.index
        for share in supply.pegs:
            kind = "dependent" if share.to == "parent" else share.to
            demand = -1 if share.demand is None else share.demand
            period = inp.demand[share.demand].period if kind == "demand" else share.period
            pegs[(supply.item_id, supply.supply, index, kind, demand, period)] += Fraction(share.qty)
    return pegs


def test_a_components_lot_covers_the_dependent_demand_of_each_bucket_then_safety_and_excess():
    # Motors in fixed lots of 20 serve 10 for pumps released in bucket 2 and 5 for fans in
    # bucket 3; 5 are left over: 2 hold safety stock, 3 are excess.
    inp, plan, table = tables_of({"periods": 4, "items": [
        item("PUMP", lead_time=1), item("FAN", lead_time=1),
        item("MOTOR", lead_time=1, lot_rule="fixed", fixed_lot=20, safety_stock=2)],
        "boms": [line("PUMP", "MOTOR"), line("FAN", "MOTOR")],
        "demand": [at("PUMP", 3, 10), at("FAN", 4, 5)]})
    motor = {k[3:]: q for k, q in pegs_by_supply(table, plan).items() if k[0] == "MOTOR"}
    assert motor == {("dependent", -1, 2): 10, ("dependent", -1, 3): 5, ("safety_stock", -1, None): 2,
                     ("excess", -1, None): 3}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mrp_inputs() | mrp_inputs(TENTHS))
def test_the_columns_peg_what_the_level_by_level_reference_pegs(document):
    inp, plan, table = tables_of(document)
    assert pegs_by_supply(table, plan) == reference_pegs(inp, plan)
    # every supply is pegged in full, and no end demand is pegged twice or short
    assert Counter(table.peg_supply.tolist()) .keys() <= set(range(table.supply_qty.size))
    for s, qty in enumerate(table.supply_qty.tolist()):
        assert sum(Fraction(q) for q in table.peg_qty[table.peg_supply == s].tolist()) == qty
    served = Counter()
    for demand, qty in zip(table.peg_demand.tolist(), table.peg_qty.tolist()):
        if demand >= 0:
            served[demand] += Fraction(qty)
    assert [served[n] for n in range(len(inp.demand))] == [Fraction(d.qty) for d in inp.demand]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mrp_inputs() | mrp_inputs(TENTHS), st.data())
def test_the_pegging_of_chosen_items_is_their_part_of_the_whole_plants(document, data):
    inp, plan, whole = tables_of(document)
    chosen = np.array(data.draw(st.lists(st.booleans(), min_size=len(plan.item_ids), max_size=len(plan.item_ids))))
    part = peg_table(plan, stock_of_input(inp, plan), chosen)
    kept = chosen[whole.supply_item]  # the whole table's supplies of the chosen items, and their pegs
    assert part.supply_item.tolist() == whole.supply_item[kept].tolist()
    assert part.supply_index.tolist() == whole.supply_index[kept].tolist()  # indexes of the whole plan
    assert part.supply_qty.tolist() == whole.supply_qty[kept].tolist()
    ours = kept[whole.peg_supply]
    assert (part.peg_kind.tolist(), part.peg_demand.tolist(), part.peg_period.tolist(), part.peg_qty.tolist()) == (
        whole.peg_kind[ours].tolist(), whole.peg_demand[ours].tolist(), whole.peg_period[ours].tolist(),
        whole.peg_qty[ours].tolist())
    # each peg is of the same supply, counted among the chosen items' supplies
    assert part.peg_supply.tolist() == (np.cumsum(kept) - 1)[whole.peg_supply[ours]].tolist()
