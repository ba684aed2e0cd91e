"""Messages to the planner: scheduled receipts to expedite, defer or cancel, and past-due releases."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from mrp_strategies import TENTHS, mrp_inputs
from mrp_tables import at, item, line, per_bucket, table

from mfgsync.planning.contract import parse_mrp_input, plan_document
from mfgsync.planning.engine import run_mrp


def messages(output: dict) -> list[tuple]:
    return [(e["item_id"], e["kind"], e["period"], e.get("needed_period"), e.get("receipt"))
            for e in output["exceptions"]]


def test_receipts_due_at_the_wrong_time_are_expedited_deferred_or_cancelled(mrp):
    # 10 on hand; 30 needed in bucket 3 and 20 in bucket 7. Receipt 0 (20, due 5) is needed
    # in 3, receipt 1 (25, due 6) only in 7, receipt 2 (15, due 7) not at all.
    output = mrp(8, items=[item("S", lead_time=1, on_hand=10)],
                 receipts=[at("S", 5, 20), at("S", 6, 25), at("S", 7, 15)],
                 demand=per_bucket("S", "0 0 30 0 0 0 20 0"))
    assert messages(output) == [
        # item kind        period needed receipt
        ("S", "expedite",  5,     3,     0),
        ("S", "defer",     6,     7,     1),
        ("S", "cancel",    7,     None,  2),
    ]
    # MRP nets the receipts where they are due, so until the planner expedites, a planned
    # order covers bucket 3 and the late receipts pile up as stock.
    assert {k: output["records"]["S"][k] for k in ("projected", "planned_receipts")} == table("""
                        1   2   3   4   5   6   7   8
        projected      10  10   0   0  20  45  40  40
        planned_receipts 0  0  20   0   0   0   0   0
    """)


def test_a_receipt_needed_to_restore_safety_stock_is_needed_in_the_first_bucket(mrp):
    output = mrp(4, items=[item("S", safety_stock=10, on_hand=4)], receipts=[at("S", 3, 6)])
    assert messages(output) == [("S", "expedite", 3, 1, 0)]


def test_receipts_needed_on_their_due_bucket_raise_no_message(mrp):
    output = mrp(4, items=[item("S", on_hand=5)], receipts=[at("S", 2, 10), at("S", 4, 10)],
                 demand=per_bucket("S", "0 15 0 10"))
    assert output["exceptions"] == []


def test_a_component_receipt_is_judged_against_dependent_demand(mrp):
    # The parent's release in bucket 2 needs 40 of K; K's receipt due in 4 must come earlier.
    output = mrp(4, items=[item("P", lead_time=1)], boms=[line("P", "K", qty_per=4)],
                 receipts=[at("K", 4, 40)], demand=[at("P", 3, 10)])
    assert messages(output) == [("K", "expedite", 4, 2, 0)]


def test_past_due_releases_and_reschedules_are_listed_by_item_then_period(mrp):
    output = mrp(3, items=[item("A", lead_time=2), item("B")], boms=[line("A", "B")],
                 receipts=[at("B", 3, 5)], demand=[at("A", 1, 1), at("A", 2, 1)])
    assert [(e["item_id"], e["kind"], e["period"]) for e in output["exceptions"]] == [
        ("A", "past_due", 1), ("A", "past_due", 2), ("B", "expedite", 3)]


def test_decimal_quantities_are_planned_exactly_and_print_as_json_numbers():
    # Kilograms of resin: nothing is rounded except the ceiling on dependent demand.
    document = {"periods": 3,
                "items": [item("RESIN", on_hand=Decimal("0.5"), safety_stock=Decimal("0.25"))],
                "boms": [line("CAP", "RESIN", qty_per=Decimal("0.3"))],
                "demand": [at("RESIN", 1, Decimal("2.5")), at("RESIN", 2, Decimal("1.125")),
                           at("CAP", 3, 7)]}
    output = plan_document(run_mrp(parse_mrp_input(document)))
    # CAP's 7 need ceil(7 x 0.3) = ceil(2.1) = 3 kg of resin in bucket 3.
    assert output["records"]["RESIN"] == table("""
                        1     2     3
        gross         2.5  1.125    3
        scheduled       0     0     0
        projected    0.25  0.25  0.25
        net          2.25 1.125     3
        planned_receipts 2.25 1.125 3
        planned_releases 2.25 1.125 3
    """)


def test_a_decimal_order_multiple_rounds_up_to_whole_multiples():
    document = {"periods": 1, "items": [item("OIL", order_multiple=Decimal("2.5"))],
                "demand": [at("OIL", 1, Decimal("3.1"))]}
    output = plan_document(run_mrp(parse_mrp_input(document)))
    assert output["planned_orders"][0]["qty"] == 5


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mrp_inputs() | mrp_inputs(TENTHS))
def test_the_exceptions_table_holds_every_message_in_the_order_of_the_plans_list(document):
    from mfgsync.planning.output import plan_tables

    plan = run_mrp(parse_mrp_input(document))
    table = dict(plan_tables(plan, "none"))["exceptions"]
    assert table.rows() == [tuple(message) for message in plan.exceptions()]
