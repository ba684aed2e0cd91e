"""A plan of the hub's data leaves requisition proposals keyed by item, plant and due date, and
planner exceptions with stable codes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mfgsync.planning.calendar import BucketCalendar
from mfgsync.planning.contract import parse_mrp_input
from mfgsync.planning.engine import run_mrp
from mfgsync.planning.proposals import proposals_and_exceptions

WEEKS = BucketCalendar(start=date(2026, 11, 30), bucket_days=7, periods=4)


def test_each_planned_order_is_a_requisition_proposal_keyed_by_item_plant_and_due_date():
    inp = parse_mrp_input({"periods": 4, "items": [{"item_id": "SEAL", "lead_time": 2}],
                           "scheduled_receipts": [{"item_id": "SEAL", "period": 1, "qty": 5, "ref": "PO 45/10"}],
                           "demand": [{"item_id": "SEAL", "period": 1, "qty": 8}, {"item_id": "SEAL", "period": 4, "qty": 7}]})
    proposals, exceptions = proposals_and_exceptions(inp, run_mrp(inp), WEEKS, "P1")
    assert [(p.key, p.qty, p.release_date, p.due_date) for p in proposals] == [
        ("req:SEAL@P1#2026-11-30", Decimal(3), date(2026, 11, 30), date(2026, 11, 30)),
        ("req:SEAL@P1#2026-12-21", Decimal(7), date(2026, 12, 7), date(2026, 12, 21))]
    # the first order should have been released two weeks before the horizon
    [past_due] = exceptions
    assert (past_due.code, past_due.role, past_due.key) == ("MRP_PAST_DUE", "planner", "mrp:past_due:SEAL@P1#2026-11-30")
    assert past_due.detail["item_id"] == "SEAL" and "placed in period 1" in past_due.detail["message"]


def test_a_receipt_that_is_not_needed_becomes_a_planner_exception_naming_the_purchase_order_line():
    inp = parse_mrp_input({"periods": 2, "items": [{"item_id": "SEAL", "lead_time": 0}],
                           "scheduled_receipts": [{"item_id": "SEAL", "period": 2, "qty": 5, "ref": "PO 45/10"}]})
    _, [cancel] = proposals_and_exceptions(inp, run_mrp(inp), WEEKS, "P1")
    assert (cancel.code, cancel.detail["receipt"]) == ("MRP_CANCEL", "PO 45/10")
    assert cancel.key == "mrp:cancel:SEAL@P1#2026-12-07/PO 45/10"
