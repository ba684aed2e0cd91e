"""Planning on the hub's own data: the MRP input built from canonical model objects.

The builder is pure: it takes whatever a store (or a test) hands it and returns the contract's
input document (DESIGN.md section 5), so the same engine plans a file, a simulation or the live
plant. Quantities are converted to each item's base unit; a bucket uses the BOM revision
effective at its start; only available stock counts as on hand.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Iterable, Mapping, NamedTuple, Protocol

import msgspec

from mfgsync.model.entities import (
    Bom, BomLine, InventoryBalance, Item, ItemType, LotRule, MovementKind, PoLineStatus, ProductionOrder,
    ProductionReport, PurchaseOrder, StockStatus, UomConversion,
)
from mfgsync.model.states import PoStatus, ProductionStatus
from mfgsync.model.units import Conversion, UnitCatalogue, UnitError
from mfgsync.planning.calendar import BucketCalendar, revision_windows
from mfgsync.planning.contract import INVALID, MAX_DECIMAL_PLACES, parse_mrp_input
from mfgsync.planning.engine import run_mrp
from mfgsync.planning.model import MrpInput, MrpInputError, MrpPlan
from mfgsync.workflows.inventory import in_base_unit
from mfgsync.workflows.production import ProductionView, booked_quantities, effective_revision, preferred_lines

# Orders a supplier has been asked to fill; drafts and orders awaiting approval are not firm.
FIRM_PO_STATUSES = {PoStatus.approved, PoStatus.sent, PoStatus.acknowledged, PoStatus.partially_shipped,
                    PoStatus.shipped, PoStatus.partially_received}
CLOSED_PO_LINE_STATUSES = {PoLineStatus.rejected, PoLineStatus.cancelled, PoLineStatus.received,
                           PoLineStatus.closed}
OPEN_PRODUCTION_STATUSES = {ProductionStatus.planned, ProductionStatus.released, ProductionStatus.in_process}
PRECISION = Decimal(1).scaleb(-MAX_DECIMAL_PLACES)
HUNDRED = Decimal(100)


class EndDemand(NamedTuple):
    """Independent demand: a customer order, a forecast, a service part need."""

    item_id: str
    due_date: date
    qty: Decimal
    uom: str | None = None  # None: the item's base unit
    ref: str | None = None


class _DemandRow(msgspec.Struct, forbid_unknown_fields=True):
    item_id: str
    due_date: date
    qty: Decimal
    uom: str | None = None
    ref: str | None = None


def read_end_demands(text: bytes | str) -> list[EndDemand]:
    """End demands from a JSON list of {item_id, due_date, qty, uom?, ref?}."""
    try:
        rows = msgspec.json.decode(text, type=list[_DemandRow])
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError) as exc:
        raise MrpInputError(INVALID, f"end demands: {exc}") from None
    return [EndDemand(r.item_id, r.due_date, r.qty, r.uom, r.ref) for r in rows]


class PlanningSource(Protocol):
    """What planning reads from the hub's store: current canonical objects, read-only."""

    def items(self) -> Iterable[Item]: ...
    def boms(self) -> Iterable[Bom]: ...
    def conversions(self) -> Iterable[UomConversion]: ...
    def balances(self) -> Iterable[InventoryBalance]: ...
    def purchase_orders(self) -> Iterable[PurchaseOrder]: ...
    def production_orders(self) -> Iterable[ProductionOrder]: ...
    def consumed(self) -> Mapping[tuple[str, str], Decimal]: ...  # consumed_by_orders of the open orders


class PlannedRun(NamedTuple):
    document: dict  # the MRP input built from the source (the contract's shape)
    input: MrpInput
    plan: MrpPlan


def plan_from_source(source: PlanningSource, calendar: BucketCalendar, plant_id: str,
                     demands: Iterable[EndDemand] = ()) -> PlannedRun:
    """Plan one plant from the store's current state (what-if callers pass a modified source)."""
    document = build_mrp_input(
        calendar, plant_id, items=source.items(), boms=source.boms(), conversions=source.conversions(),
        balances=source.balances(), purchase_orders=source.purchase_orders(),
        production_orders=source.production_orders(), demands=demands, consumed=source.consumed())
    inp = parse_mrp_input(document)
    return PlannedRun(document, inp, run_mrp(inp))


def build_mrp_input(calendar: BucketCalendar, plant_id: str, *, items: Iterable[Item],
                    boms: Iterable[Bom], conversions: Iterable[UomConversion] = (),
                    balances: Iterable[InventoryBalance] = (), purchase_orders: Iterable[PurchaseOrder] = (),
                    production_orders: Iterable[ProductionOrder] = (),
                    demands: Iterable[EndDemand] = (),
                    consumed: Mapping[tuple[str, str], Decimal] | None = None) -> dict:
    """The MRP input document for one plant over the calendar's horizon; `consumed` is what
    open orders have consumed of their components already (`consumed_by_orders`)."""
    items = {item.item_id: item for item in items}
    units = _BaseUnits(items, conversions)
    on_hand, allocated = _stock(balances, plant_id, units)
    boms, production_orders = list(boms), list(production_orders)
    return {
        "periods": calendar.periods,
        "items": [_planning_item(item, calendar, on_hand[i], allocated[i]) for i, item in items.items()],
        "boms": _bom_lines(boms, plant_id, calendar, units),
        "scheduled_receipts": _po_receipts(purchase_orders, calendar, units)
        + _production_receipts(production_orders, plant_id, calendar),
        "demand": [entry for d in demands
                   if (entry := _in_horizon(d.item_id, d.due_date, units.to_base(d.qty, d.uom, d.item_id),
                                            calendar, d.ref))]
        + _order_needs(production_orders, boms, plant_id, calendar, units, consumed or {}),
    }


def _planning_item(item: Item, calendar: BucketCalendar, on_hand: Decimal, allocated: Decimal) -> dict:
    rule = item.lot_rule or LotRule.lot_for_lot
    if rule == LotRule.fixed and not item.fixed_lot:
        rule = LotRule.lot_for_lot  # a fixed rule with no lot size cannot be followed
    parameters = {"lead_time": calendar.lead_time(item.lead_time_days), "lot_rule": rule.value,
                  "fixed_lot": item.fixed_lot or 0, "order_min": item.order_min or 0,
                  "order_multiple": item.order_multiple or 1, "safety_stock": item.safety_stock or 0}
    if item.item_type == ItemType.phantom:
        # A phantom is built and consumed at once: no lead time, no lots, no stock kept for it.
        parameters.update(lead_time=0, lot_rule="lot_for_lot", order_multiple=1, safety_stock=0)
    return {"item_id": item.item_id, **parameters, "on_hand": on_hand, "allocated": allocated}


def _bom_lines(boms: Iterable[Bom], plant_id: str, calendar: BucketCalendar, units: "_BaseUnits") -> list[dict]:
    by_parent = defaultdict(list)
    for bom in boms:
        by_parent[bom.item_id].append(bom)
    lines = []
    for parent, revisions in by_parent.items():
        for window in revision_windows(revisions, plant_id, calendar):
            for line in _planned_lines(window.bom.lines):
                lines.append({"parent": parent, "component": line.component_id,
                              "qty_per": units.to_base(line.qty_per, line.uom, line.component_id),
                              "scrap_pct": line.scrap_pct, "from_period": window.from_period,
                              "to_period": window.to_period, "ref": f"{parent} rev {window.bom.revision}"})
    return lines


def _planned_lines(lines: list[BomLine]) -> list[BomLine]:
    """Lines that need material: of alternates, only the preferred one; no by-products."""
    preferred: dict[str, int] = {}
    for line in lines:
        if line.alternate_group:
            rank = line.alternate_priority or 0
            preferred[line.alternate_group] = min(rank, preferred.get(line.alternate_group, rank))
    chosen, seen_groups = [], set()
    for line in lines:
        if line.qty_per <= 0:
            continue
        if line.alternate_group:
            if (line.alternate_priority or 0) != preferred[line.alternate_group] or line.alternate_group in seen_groups:
                continue
            seen_groups.add(line.alternate_group)
        chosen.append(line)
    return chosen


def _stock(balances: Iterable[InventoryBalance], plant_id: str, units: "_BaseUnits"):
    on_hand, allocated = defaultdict(Decimal), defaultdict(Decimal)
    for balance in balances:
        if balance.plant_id != plant_id:
            continue
        if balance.status == StockStatus.available:
            on_hand[balance.item_id] += units.to_base(balance.qty, balance.uom, balance.item_id)
        elif balance.status == StockStatus.allocated:
            allocated[balance.item_id] += units.to_base(balance.qty, balance.uom, balance.item_id)
    # Each unit of stock has one status, so allocated units are on hand too: the contract's
    # starting balance, on_hand - allocated, is then the available stock. Stock on quality hold
    # or in transit is not on hand.
    for item_id in allocated:
        on_hand[item_id] += allocated[item_id]
    return on_hand, allocated


def _po_receipts(orders: Iterable[PurchaseOrder], calendar: BucketCalendar, units: "_BaseUnits") -> list[dict]:
    # Purchase orders carry no plant in the canonical model: every open line counts.
    receipts = []
    for order in orders:
        if order.status not in FIRM_PO_STATUSES:
            continue
        for line in order.lines:
            # What the supplier acknowledged is what will come (a rejected line commits 0).
            committed = line.qty if line.committed_qty is None else line.committed_qty
            still_due = committed - line.received_qty
            if line.status in CLOSED_PO_LINE_STATUSES or still_due <= 0:
                continue
            due = line.promised_date or line.need_date or calendar.start
            entry = _in_horizon(line.item_id, due, units.to_base(still_due, line.uom, line.item_id),
                                calendar, f"PO {order.po_number}/{line.line_no}")
            if entry:
                receipts.append(entry)
    return receipts


def order_needs(order: ProductionOrder, boms: Iterable[Bom], day: date, to_base,
                only: str | None = None) -> dict[str, Decimal]:
    """component -> what an open production order needs of it in all, in the component's base
    unit (`to_base(qty, uom, item_id)`): its frozen revision, or while planned the one effective
    on its start (else `day`), preferred lines, scrap allowance included. `only`: that component."""
    revisions = [b for b in boms if b.item_id == order.item_id]
    if order.bom_revision:
        chosen = [b for b in revisions if b.revision == order.bom_revision and b.plant_id in (None, order.plant_id)]
        bom = max(chosen, key=lambda b: b.plant_id is not None, default=None)
    else:
        bom = effective_revision(revisions, order.plant_id, order.start_date or day)
    needs: dict[str, Decimal] = defaultdict(Decimal)
    for line in preferred_lines(bom.lines) if bom else []:
        if only is not None and line.component_id != only:
            continue
        need = order.qty * line.qty_per * HUNDRED / (HUNDRED - line.scrap_pct)
        needs[line.component_id] += to_base(need, line.uom, line.component_id)
    return needs


def consumed_by_orders(reports: Iterable[ProductionReport], view: ProductionView) -> dict[tuple[str, str], Decimal]:
    """(order id, item) -> what the order's reports consumed of the item, backflush included,
    in the item's base unit: stock that has left on-hand once and is no longer the order's need."""
    used: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for report in reports:
        for mv in booked_quantities(report, view):  # totals: no lots drawn again for a stored report
            if mv.kind == MovementKind.consumption:
                used[(report.order_id, mv.item_id)] += in_base_unit(mv, view)[0]
    return dict(used)


def _order_needs(orders: Iterable[ProductionOrder], boms: list[Bom], plant_id: str, calendar: BucketCalendar,
                 units: "_BaseUnits", consumed: Mapping[tuple[str, str], Decimal]) -> list[dict]:
    """The components open production orders still need, as demand on each order's start: a
    released order's material is committed whether or not planning plans its parent."""
    demand = []
    for order in orders:
        if order.plant_id != plant_id or order.status not in OPEN_PRODUCTION_STATUSES:
            continue
        for component, need in order_needs(order, boms, calendar.start, units.to_base).items():
            still = need - consumed.get((order.order_id, component), Decimal(0))
            entry = _in_horizon(component, order.start_date or calendar.start, still, calendar,
                                f"production order {order.order_id}") if still > 0 else None
            if entry:
                demand.append(entry)
    return demand


def _production_receipts(orders: Iterable[ProductionOrder], plant_id: str, calendar: BucketCalendar) -> list[dict]:
    receipts = []
    for order in orders:
        if order.plant_id == plant_id and order.status in OPEN_PRODUCTION_STATUSES:
            entry = _in_horizon(order.item_id, order.due_date or calendar.start, order.qty, calendar,
                                f"production order {order.order_id}")
            if entry:
                receipts.append(entry)
    return receipts


def _in_horizon(item_id: str, day: date, qty: Decimal, calendar: BucketCalendar, ref: str | None) -> dict | None:
    """An entry in its bucket; anything overdue is due in bucket 1, beyond the horizon it waits."""
    period = max(1, calendar.bucket_of(day))
    if period > calendar.periods:
        return None
    entry = {"item_id": item_id, "period": period, "qty": qty}
    if ref:
        entry["ref"] = ref
    return entry


class _BaseUnits:
    """Quantities in each item's base unit, with global and item-specific conversions."""

    def __init__(self, items: dict[str, Item], conversions: Iterable[UomConversion]):
        self.base = {item_id: item.base_uom for item_id, item in items.items()}
        self.catalogue = UnitCatalogue(Conversion(c.item_id, c.from_uom, c.to_uom, c.factor) for c in conversions)

    def to_base(self, qty: Decimal, uom: str | None, item_id: str) -> Decimal:
        base = self.base.get(item_id)
        if uom is None or base is None:
            return qty  # no unit to convert from or to: the quantity is taken as it is
        try:
            converted = self.catalogue.convert(qty, uom, base, item_id)
        except UnitError as exc:
            raise MrpInputError(exc.code, f"{item_id}: {exc}") from None
        if -converted.as_tuple().exponent > MAX_DECIMAL_PLACES:
            # Kept to the contract's precision (a box of 7 has no exact decimal per piece).
            converted = converted.quantize(PRECISION, rounding=ROUND_HALF_EVEN)
        return converted
