"""The MRP input and output of DESIGN.md section 5: strict reading, exact numbers out.

Every way an input can be wrong ends in an MrpInputError with a reason code, never in a
traceback: the file may come from anywhere. Unknown keys are ignored so callers may carry
references of their own (e.g. a `ref` naming the purchase order line behind a receipt).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from mfgsync.planning.model import (
    BomLink, MrpException, MrpInput, MrpInputError, MrpPlan, PeriodQty, PlanningItem,
    RECORD_ROWS, as_decimal,
)

INVALID = "MRP_INPUT_INVALID"
UNREADABLE = "MRP_INPUT_UNREADABLE"
LOT_RULES = ("lot_for_lot", "fixed", "min_multiple")
MAX_PERIODS = 1000
MAX_LEAD_TIME = 10_000
MAX_QTY = Decimal(10) ** 15  # far above any plant, low enough that exact arithmetic stays cheap
MAX_DECIMAL_PLACES = 12
MAX_TEXT = 128


def parse_mrp_json(text: str | bytes) -> MrpInput:
    """Read the contract's JSON text; decimals stay exact."""
    try:
        document = json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise MrpInputError(UNREADABLE, f"not a JSON document: {exc}") from None
    return parse_mrp_input(document)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a quantity")


def parse_mrp_input(document: Any) -> MrpInput:
    """The contract's input document (already decoded) as an MrpInput."""
    doc = _mapping(document, "the input")
    periods = _int(_required(doc, "periods", "the input"), "periods", 1, MAX_PERIODS)
    items = [_item(entry, f"items[{n}]") for n, entry in enumerate(_list(doc, "items"))]
    boms = [_bom_line(entry, f"boms[{n}]") for n, entry in enumerate(_list(doc, "boms"))]
    receipts = [_period_qty(entry, f"scheduled_receipts[{n}]", periods)
                for n, entry in enumerate(_list(doc, "scheduled_receipts"))]
    demand = [_period_qty(entry, f"demand[{n}]", periods) for n, entry in enumerate(_list(doc, "demand"))]
    return MrpInput(periods, _with_referenced_items(items, boms, receipts, demand),
                    tuple(boms), tuple(receipts), tuple(demand))


def _with_referenced_items(items, boms, receipts, demand) -> tuple[PlanningItem, ...]:
    """The listed items, then any item only referenced, with default planning parameters."""
    known: dict[str, PlanningItem] = {}
    for item in items:
        if item.item_id in known:
            raise MrpInputError(INVALID, f"item {item.item_id!r} is listed twice")
        known[item.item_id] = item
    referenced = [name for line in boms for name in (line.parent, line.component)]
    referenced += [entry.item_id for entry in (*receipts, *demand)]
    for name in referenced:
        if name not in known:
            known[name] = PlanningItem(name)
    return tuple(known.values())


def _item(entry: Any, where: str) -> PlanningItem:
    doc = _mapping(entry, where)
    rule = doc.get("lot_rule", "lot_for_lot")
    if rule not in LOT_RULES:
        raise MrpInputError(INVALID, f"{where}.lot_rule must be one of {', '.join(LOT_RULES)}, got {rule!r}")
    item = PlanningItem(
        item_id=_text(_required(doc, "item_id", where), f"{where}.item_id"),
        lead_time=_int(doc.get("lead_time", 0), f"{where}.lead_time", 0, MAX_LEAD_TIME),
        lot_rule=rule,
        fixed_lot=_qty(doc.get("fixed_lot", 0), f"{where}.fixed_lot"),
        order_min=_qty(doc.get("order_min", 0), f"{where}.order_min"),
        order_multiple=_qty(doc.get("order_multiple", 1), f"{where}.order_multiple"),
        safety_stock=_qty(doc.get("safety_stock", 0), f"{where}.safety_stock"),
        on_hand=_qty(doc.get("on_hand", 0), f"{where}.on_hand", signed=True),
        allocated=_qty(doc.get("allocated", 0), f"{where}.allocated"),
    )
    if rule == "fixed" and item.fixed_lot <= 0:
        raise MrpInputError(INVALID, f"{where}: the fixed lot rule needs a fixed_lot above 0")
    return item


def _bom_line(entry: Any, where: str) -> BomLink:
    doc = _mapping(entry, where)
    line = BomLink(
        parent=_text(_required(doc, "parent", where), f"{where}.parent"),
        component=_text(_required(doc, "component", where), f"{where}.component"),
        qty_per=_qty(_required(doc, "qty_per", where), f"{where}.qty_per"),
        scrap_pct=_qty(doc.get("scrap_pct", 0), f"{where}.scrap_pct"),
        from_period=_optional_period(doc.get("from_period"), f"{where}.from_period"),
        to_period=_optional_period(doc.get("to_period"), f"{where}.to_period"),
    )
    if line.scrap_pct >= 100:
        raise MrpInputError(INVALID, f"{where}.scrap_pct must be below 100, got {line.scrap_pct}")
    if line.from_period is not None and line.to_period is not None and line.from_period > line.to_period:
        raise MrpInputError(INVALID, f"{where}: from_period {line.from_period} is after to_period {line.to_period}")
    return line


def _period_qty(entry: Any, where: str, periods: int) -> PeriodQty:
    doc = _mapping(entry, where)
    ref = doc.get("ref")
    return PeriodQty(
        item_id=_text(_required(doc, "item_id", where), f"{where}.item_id"),
        period=_int(_required(doc, "period", where), f"{where}.period", 1, periods),
        qty=_qty(_required(doc, "qty", where), f"{where}.qty"),
        ref=None if ref is None else _text(ref, f"{where}.ref"),
    )


def _optional_period(value: Any, where: str) -> int | None:
    return None if value is None else _int(value, where, -MAX_PERIODS, 2 * MAX_PERIODS)


def _mapping(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise MrpInputError(INVALID, f"{where} must be a JSON object")
    return value


def _list(doc: dict, key: str) -> list:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise MrpInputError(INVALID, f"{key} must be a list")
    return value


def _required(doc: dict, key: str, where: str) -> Any:
    if doc.get(key) is None:
        raise MrpInputError(INVALID, f"{where} has no {key}")
    return doc[key]


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise MrpInputError(INVALID, f"{where} must be a non-empty text of at most {MAX_TEXT} characters")
    return value


def _int(value: Any, where: str, low: int, high: int) -> int:
    number = _number(value, where)
    if number != number.to_integral_value() or not low <= number <= high:
        raise MrpInputError(INVALID, f"{where} must be a whole number from {low} to {high}, got {value}")
    return int(number)


def _qty(value: Any, where: str, signed: bool = False) -> Decimal:
    number = _number(value, where)
    if number < 0 and not signed:
        raise MrpInputError(INVALID, f"{where} must not be negative, got {value}")
    if abs(number) >= MAX_QTY:
        raise MrpInputError(INVALID, f"{where} must be below {MAX_QTY:,}, got {value}")
    if -number.normalize().as_tuple().exponent > MAX_DECIMAL_PLACES:
        raise MrpInputError(INVALID, f"{where} has more than {MAX_DECIMAL_PLACES} decimal places")
    return number


def _number(value: Any, where: str) -> Decimal:
    """A JSON number (int or exact Decimal); a float from a Python caller is read by its repr."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise MrpInputError(INVALID, f"{where} must be a number, got {type(value).__name__}")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise MrpInputError(INVALID, f"{where} is not a number: {value!r}") from None
    # Bounding the exponent first keeps a hostile 1E+999999999 from becoming a huge integer.
    if not number.is_finite() or abs(number.adjusted()) > 40:
        raise MrpInputError(INVALID, f"{where} is out of range: {value!r}")
    return number


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
