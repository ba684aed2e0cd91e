"""MRP records a planner can check by hand: netting, safety stock, lead times, lot rules, scrap,
low-level codes and revision windows. Every story runs on the fast and on the exact engine."""

from __future__ import annotations

from decimal import Decimal

import pytest
from mrp_tables import at, item, line, orders, per_bucket, record_rows, table

from mfgsync.planning.contract import parse_mrp_input
from mfgsync.planning.engine import run_mrp

ALL_ROWS = ("gross", "scheduled", "projected", "net", "planned_receipts", "planned_releases")


def test_the_contract_example_plans_the_end_item_and_its_component(mrp):
    output = mrp(8, items=[item("A", lead_time=1, lot_rule="lot_for_lot", fixed_lot=0, order_min=0,
                                order_multiple=1, safety_stock=0, on_hand=10, allocated=0)],
                 boms=[line("A", "B", qty_per=2)], receipts=[at("B", 1, 50)], demand=[at("A", 3, 100)])
    assert record_rows(output, "A", ALL_ROWS) == table("""
                       1    2    3    4    5    6    7    8
        gross          0    0  100    0    0    0    0    0
        scheduled      0    0    0    0    0    0    0    0
        projected     10   10    0    0    0    0    0    0
        net            0    0   90    0    0    0    0    0
        planned_receipts 0  0   90    0    0    0    0    0
        planned_releases 0 90    0    0    0    0    0    0
    """)
    # B has no parameters of its own: lead time 0, lot for lot, nothing on hand.
    assert record_rows(output, "B", ALL_ROWS) == table("""
                       1    2    3    4    5    6    7    8
        gross          0  180    0    0    0    0    0    0
        scheduled     50    0    0    0    0    0    0    0
        projected     50    0    0    0    0    0    0    0
        net            0  130    0    0    0    0    0    0
        planned_receipts 0 130   0    0    0    0    0    0
        planned_releases 0 130   0    0    0    0    0    0
    """)
    assert output["planned_orders"] == orders("""
        item release due qty
        A    2       3   90
        B    2       2   130
    """)


def test_gross_to_net_with_stock_a_scheduled_receipt_and_a_two_bucket_lead_time(mrp):
    output = mrp(8, items=[item("A", lead_time=2, on_hand=20)], receipts=[at("A", 2, 50)],
                 demand=per_bucket("A", "10 40 10 0 0 30 20 0"))
    assert record_rows(output, "A", ALL_ROWS) == table("""
                        1   2   3   4   5   6   7   8
        gross          10  40  10   0   0  30  20   0
        scheduled       0  50   0   0   0   0   0   0
        projected      10  20  10  10  10   0   0   0
        net             0   0   0   0   0  20  20   0
        planned_receipts 0  0   0   0   0  20  20   0
        planned_releases 0  0   0  20  20   0   0   0
    """)
    assert output["exceptions"] == []  # the receipt arrives exactly when it is needed


def test_safety_stock_is_a_floor_and_allocated_stock_is_not_available(mrp):
    output = mrp(4, items=[item("B", lead_time=1, safety_stock=15, on_hand=40, allocated=10)],
                 demand=per_bucket("B", "10 10 10 10"))
    assert record_rows(output, "B", ALL_ROWS) == table("""
                        1   2   3   4
        gross          10  10  10  10
        scheduled       0   0   0   0
        projected      20  15  15  15
        net             0   5  10  10
        planned_receipts 0  5  10  10
        planned_releases 5 10  10   0
    """)


def test_stock_below_safety_stock_is_restored_in_the_first_bucket_without_any_demand(mrp):
    output = mrp(3, items=[item("B", safety_stock=20, on_hand=5)])
    assert record_rows(output, "B", ("net", "planned_receipts", "projected")) == table("""
                        1   2   3
        net            15   0   0
        planned_receipts 15 0   0
        projected      20  20  20
    """)


# rule, fixed_lot, order_min, order_multiple, net requirement, planned quantity
LOT_RULES = """
    lot_for_lot    0    0    1    120   120   the net requirement itself
    lot_for_lot    0    0   10     33    40   rounded up to a multiple of 10
    lot_for_lot    0    0    1      7     7   a multiple of 1 changes nothing
    fixed         50    0    1    120   150   three lots of 50 cover 120
    fixed         50    0    1    100   100   exactly two lots
    fixed         50    0   40    120   160   three lots, then up to a multiple of 40
    min_multiple   0  100    1     30   100   raised to the minimum
    min_multiple   0  100    1    130   130   above the minimum, as needed
    min_multiple   0  100   25    130   150   above the minimum, up to a multiple of 25
    min_multiple   0  110   25     30   125   the minimum, then up to a multiple of 25
"""


@pytest.mark.parametrize("row", LOT_RULES.strip().splitlines(), ids=lambda r: " ".join(r.split()[5:]))
def test_each_lot_rule_turns_a_net_requirement_into_an_order_quantity(mrp, row):
    rule, fixed_lot, order_min, multiple, net, planned = row.split()[:6]
    output = mrp(1, items=[item("P", lot_rule=rule, fixed_lot=int(fixed_lot), order_min=int(order_min),
                                order_multiple=int(multiple))], demand=[at("P", 1, int(net))])
    assert output["planned_orders"] == [{"item_id": "P", "release_period": 1, "due_period": 1,
                                         "qty": int(planned)}]
    assert output["records"]["P"]["net"] == [int(net)]


def test_the_remnant_of_a_fixed_lot_covers_later_buckets(mrp):
    output = mrp(3, items=[item("F", lot_rule="fixed", fixed_lot=50)], demand=per_bucket("F", "30 30 30"))
    assert record_rows(output, "F", ("gross", "projected", "net", "planned_receipts")) == table("""
                        1   2   3
        gross          30  30  30
        projected      20  40  10
        net            30  10   0
        planned_receipts 50 50  0
    """)


def test_a_release_before_the_horizon_goes_in_bucket_one_and_is_reported_past_due(mrp):
    output = mrp(5, items=[item("C", lead_time=3)], demand=per_bucket("C", "0 25 0 40 0"))
    assert output["planned_orders"] == orders("""
        item release due qty
        C    1       2   25
        C    1       4   40
    """)
    assert output["records"]["C"]["planned_releases"] == [65, 0, 0, 0, 0]
    [past_due] = output["exceptions"]
    assert (past_due["item_id"], past_due["kind"], past_due["period"]) == ("C", "past_due", 2)
    assert "period -1" in past_due["detail"]


def test_scrap_grosses_up_each_parent_release_and_rounds_up_per_bucket(mrp):
    # 2 per parent with 10 % scrap: 45 -> ceil(100) = 100, 10 -> ceil(22.2) = 23, 7 -> ceil(15.6) = 16
    output = mrp(4, items=[item("P")], boms=[line("P", "K", qty_per=2, scrap_pct=10)],
                 demand=per_bucket("P", "45 10 0 7"))
    assert output["records"]["K"]["gross"] == [100, 23, 0, 16]


def test_dependent_demand_is_rounded_up_per_bom_line_before_summing_over_parents(mrp):
    # Each parent needs half a nut: one nut each, two in all (not ceil(0.5 + 0.5) = 1).
    output = mrp(1, boms=[line("X", "NUT", qty_per=Decimal("0.5")), line("Y", "NUT", qty_per=Decimal("0.5"))],
                 demand=[at("X", 1, 1), at("Y", 1, 1)])
    assert output["records"]["NUT"]["gross"] == [2]


def test_a_shared_component_is_netted_once_at_its_lowest_level(mrp):
    # A uses C directly (2 per) and through B (1 per B); C's stock of 30 is netted once
    # against the demand of both levels, after B is planned.
    output = mrp(6, items=[item("A", lead_time=1), item("B", lead_time=1, on_hand=5),
                           item("C", lead_time=2, on_hand=30)],
                 boms=[line("A", "B"), line("A", "C", qty_per=2), line("B", "C")],
                 demand=per_bucket("A", "0 0 10 0 20 0"))
    assert output["records"]["A"]["planned_releases"] == [0, 10, 0, 20, 0, 0]
    assert output["records"]["B"]["planned_releases"] == [5, 0, 20, 0, 0, 0]
    assert record_rows(output, "C", ALL_ROWS) == table("""
                        1   2   3   4   5   6
        gross           5  20  20  40   0   0
        scheduled       0   0   0   0   0   0
        projected      25   5   0   0   0   0
        net             0   0  15  40   0   0
        planned_receipts 0  0  15  40   0   0
        planned_releases 15 40  0   0   0   0
    """)


def test_low_level_codes_put_a_shared_component_at_its_deepest_use():
    inp = parse_mrp_input({"periods": 1, "boms": [line("A", "B"), line("A", "C"), line("B", "C"),
                                                   line("C", "D"), line("E", "D")]})
    plan = run_mrp(inp)
    assert dict(zip(plan.item_ids, plan.low_level_codes.tolist())) == {"A": 0, "B": 1, "C": 2, "D": 3, "E": 0}


def test_a_revision_window_switches_the_component_at_its_effective_bucket(mrp):
    # Revision 1 uses OLD (to bucket 2); revision 2, effective from bucket 3, uses 2 of NEW.
    output = mrp(4, boms=[line("R", "OLD", to_period=2), line("R", "NEW", qty_per=2, from_period=3)],
                 demand=per_bucket("R", "10 10 10 10"))
    assert output["records"]["OLD"]["gross"] == [10, 10, 0, 0]
    assert output["records"]["NEW"]["gross"] == [0, 0, 20, 20]


def test_components_follow_parent_releases_through_every_level_with_their_lead_times(mrp):
    output = mrp(6, items=[item("TOP", lead_time=1), item("MID", lead_time=2), item("RAW", lead_time=1)],
                 boms=[line("TOP", "MID", qty_per=3), line("MID", "RAW", qty_per=4)],
                 demand=[at("TOP", 6, 5)])
    assert output["planned_orders"] == orders("""
        item release due qty
        TOP  5       6   5
        MID  3       5   15
        RAW  2       3   60
    """)


def test_integer_quantities_print_as_json_integers(mrp):
    output = mrp(2, demand=[at("A", 1, 3)])
    assert all(type(v) is int for row in output["records"]["A"].values() for v in row)
    assert type(output["planned_orders"][0]["qty"]) is int


def test_output_has_exactly_the_contract_keys(mrp):
    output = mrp(2, boms=[line("A", "B")], receipts=[at("B", 2, 5)], demand=[at("A", 1, 3)])
    assert set(output) == {"planned_orders", "records", "exceptions"}
    assert set(output["planned_orders"][0]) == {"item_id", "release_period", "due_period", "qty"}
    assert set(output["records"]["B"]) == set(ALL_ROWS)
    assert {"item_id", "kind", "period", "detail"} <= set(output["exceptions"][0])
