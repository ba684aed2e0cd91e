"""The MRP input and output of DESIGN.md section 5: strict reading, exact numbers out.

Every way an input can be wrong ends in an MrpInputError with a reason code and the position at
fault, never in a traceback: the file may come from anywhere. A key the contract does not know
is refused (a misspelt `safety_stok` would otherwise plan with no safety stock); `ref` on BOM
lines, receipts and demand carries the caller's own reference (a purchase order line).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from mfgsync.planning.checked import CheckedInput, check
from mfgsync.planning.model import MrpException, MrpInput, MrpPlan, RECORD_ROWS, as_decimal
from mfgsync.planning.reader import (  # noqa: F401 - the contract's limits, named here for callers
    INVALID, LOT_RULES, MAX_DECIMAL_PLACES, MAX_LEAD_TIME, MAX_PERIODS, MAX_QTY, MAX_TEXT, UNREADABLE,
    convert, decode_json,
)


def read_mrp_json(text: str | bytes) -> CheckedInput:
    """The contract's JSON text, checked and held as columns (the fast engine reads these)."""
    return check(decode_json(text))


def parse_mrp_json(text: str | bytes) -> MrpInput:
    """Read the contract's JSON text; decimals stay exact."""
    return read_mrp_json(text).mrp_input()


def parse_mrp_input(document: Any) -> MrpInput:
    """The contract's input document (already decoded) as an MrpInput."""
    return check(convert(document)).mrp_input()


# --- output -------------------------------------------------------------------------------

def plan_document(plan: MrpPlan) -> dict:
    """The contract's output: planned_orders, records (lists by bucket) and exceptions."""
    orders = [{"item_id": o.item_id, "release_period": o.release_period,
               "due_period": o.due_period, "qty": json_number(o.qty)} for o in plan.planned_orders()]
    records = {}
    for row, item_id in enumerate(plan.item_ids):
        records[item_id] = {name: _numbers(getattr(plan, name)[row]) for name in RECORD_ROWS}
    return {"planned_orders": orders, "records": records,
            "exceptions": [exception_document(e) for e in plan.exceptions()]}


def exception_document(exception: MrpException) -> dict:
    document = {"item_id": exception.item_id, "kind": exception.kind,
                "period": exception.period, "detail": exception.detail}
    if exception.receipt is not None:
        document["receipt"] = exception.receipt
    if exception.needed_period is not None:
        document["needed_period"] = exception.needed_period
    return document


def _numbers(row) -> list:
    values = row.tolist()
    if row.dtype == object:
        return [json_number(value) for value in values]
    return values


def json_number(value: int | Fraction | Decimal) -> int | float:
    """An exact quantity as a JSON number: integers as integers, others by their shortest float
    (exact for every quantity within the contract's range and precision)."""
    exact = Fraction(value)
    if exact.denominator == 1:
        return exact.numerator
    return float(as_decimal(exact))
