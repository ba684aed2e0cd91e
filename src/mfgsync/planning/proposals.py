"""What a plan of the hub's own data leaves behind: requisition proposals and planner exceptions.

Each planned order becomes a requisition proposal the replenishment workflow can act on, keyed
by its business identity (item, plant, due date), so planning the same need again proposes the
same requisition instead of a second one. Each MRP exception becomes a planner exception with a
stable code. Plain data: the store keeps them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from mfgsync.planning.calendar import BucketCalendar
from mfgsync.planning.model import MrpException, MrpInput, MrpPlan, as_decimal

EXCEPTION_CODES = {"past_due": "MRP_PAST_DUE", "expedite": "MRP_EXPEDITE", "defer": "MRP_DEFER",
                   "cancel": "MRP_CANCEL"}


class RequisitionProposal(NamedTuple):
    key: str  # req:{item_id}@{plant_id}#{due_date}
    item_id: str
    plant_id: str
    qty: Decimal  # in the item's base unit
    release_date: date
    due_date: date
    release_period: int
    due_period: int


class PlannerException(NamedTuple):
    key: str  # mrp:{kind}:{item_id}@{plant_id}#{date}[/{receipt}]: one per message
    code: str
    role: str
    detail: dict


def proposals_and_exceptions(inp: MrpInput, plan: MrpPlan, calendar: BucketCalendar, plant_id: str,
                             ) -> tuple[list[RequisitionProposal], list[PlannerException]]:
    """The plan's planned orders as requisition proposals, and its messages as planner exceptions
    (a message about a scheduled receipt names it by its reference, e.g. `PO 4500012345/10`)."""
    proposals = [RequisitionProposal(
        f"req:{order.item_id}@{plant_id}#{calendar.bucket_start(order.due_period).isoformat()}",
        order.item_id, plant_id, as_decimal(order.qty), calendar.bucket_start(order.release_period),
        calendar.bucket_start(order.due_period), order.release_period, order.due_period)
        for order in plan.planned_orders()]
    return proposals, [_planner_exception(e, inp, calendar, plant_id) for e in plan.exceptions()]


def _planner_exception(message: MrpException, inp: MrpInput, calendar: BucketCalendar,
                       plant_id: str) -> PlannerException:
    day = calendar.bucket_start(message.period).isoformat()
    detail = {"item_id": message.item_id, "plant_id": plant_id, "kind": message.kind,
              "period": message.period, "date": day, "message": message.detail}
    if message.needed_period is not None:
        detail["needed_date"] = calendar.bucket_start(message.needed_period).isoformat()
    key = f"mrp:{message.kind}:{message.item_id}@{plant_id}#{day}"
    if message.receipt is not None:
        receipt = inp.scheduled_receipts[message.receipt]
        detail["receipt"] = receipt.ref or message.receipt
        key += f"/{detail['receipt']}"
    return PlannerException(key, EXCEPTION_CODES[message.kind], "planner", detail)
