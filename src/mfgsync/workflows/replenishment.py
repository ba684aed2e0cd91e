"""Replenishment after movements: an item whose available stock plus what is on order falls
below its reorder point gets a purchase requisition from its best sourcing rule, and that a
purchase order under the configured approval policy. A bought item whose MRP net requirement
turns positive (a planned order to release now, from the planning engine on the hub's data;
`mfgsync replenish`) is ordered the same way (`from_plan`).

The requisition is named by the movement that triggered it and carries that movement and its
production order (lineage). What is on order counts open purchase lines and the hub's own open
requisitions, so a second consumption of the same shortage raises no second requisition, and
stock on quality hold is never available. Pure: effects are returned.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction
from typing import NamedTuple, Protocol

from mfgsync.envelope import EventType
from mfgsync.model import entities as m
from mfgsync.model import keys
from mfgsync.planning.lots import lot_size
from mfgsync.workflows.effects import Effect, Emit, Put, Raise, ScheduleAt
from mfgsync.workflows.engineering_change import best_rule
from mfgsync.workflows import supplier_orders
from mfgsync.workflows.event import Event
from mfgsync.workflows.inventory import StockView
from mfgsync.workflows.production import booked_quantities

ZERO = Decimal(0)
PLANNING_TARGET = "planning"  # the hub's own planning, delivered to as any target is (app.py)
_CLOSED_ORDERS = {"received", "closed", "cancelled"}
_CLOSED_LINES = {m.PoLineStatus.received, m.PoLineStatus.closed, m.PoLineStatus.cancelled,
                 m.PoLineStatus.rejected}


class ReplenishmentView(StockView, Protocol):
    def entity(self, key: str, entity_type: str) -> m.Canonical | None: ...

    def purchase_requisitions(self, item_id: str) -> list[m.PurchaseRequisition]: ...

    def purchase_lines(self, item_id: str) -> list[tuple[m.PurchaseOrder, m.PurchaseOrderLine]]: ...

    def sourcing_rules(self, item_id: str) -> list[m.SourcingRule]: ...

    def auto_approve_up_to(self) -> Decimal | None: ...

    def today(self) -> date: ...

    def now(self) -> datetime: ...

    def plan_after_movements_seconds(self) -> int | None: ...


class _Lots(NamedTuple):
    """An item's lot parameters as planning's lot rule reads them."""
    lot_rule: str
    fixed_lot: Decimal
    order_min: Decimal
    order_multiple: Decimal


def after_movements(event: Event, state: ReplenishmentView) -> list[Effect]:
    """The routed handler: every item and plant the event's movements touched, checked once,
    and each plant planned again soon where the configuration asks for it."""
    # A report's lots were drawn when it was booked; which item and plant it moved is all this needs.
    movements = [event.entity] if event.type == EventType.inventory_moved else booked_quantities(event.entity, state)
    effects: list[Effect] = []
    seen: set[tuple[str, str]] = set()
    for mv in movements:
        if (mv.item_id, mv.plant_id) not in seen:
            seen.add((mv.item_id, mv.plant_id))
            effects += reorder(mv, state, event)
    if state.plan_after_movements_seconds():
        effects += [plan_again(plant_id, state) for plant_id in dict.fromkeys(p for _, p in seen)]
    return effects


def plan_again(plant_id: str, state: ReplenishmentView) -> ScheduleAt:
    """MRP on the plant's data at the end of the window this movement falls in: one run per plant
    and window, however many movements it holds (the key is the window's), so the plan nets
    what the shift consumed rather than each consumption alone. Its requisitions are raised as
    `mfgsync replenish` raises them (pipeline/replenish_from_plan.py)."""
    seconds = state.plan_after_movements_seconds()
    window = int(state.now().timestamp()) // seconds
    key = f"{PLANNING_TARGET}:{plant_id}@{window * seconds}"
    when = datetime.fromtimestamp((window + 1) * seconds, timezone.utc)
    return ScheduleAt(when, Emit(PLANNING_TARGET, "replenish.plan", key, {"plant_id": plant_id}), key)


def available(item_id: str, plant_id: str, state: StockView) -> Decimal:
    """Available stock of the item in the plant, every location and lot; held stock is not."""
    return sum((b.qty for b in state.balances_of(item_id)
                if b.plant_id == plant_id and b.status == m.StockStatus.available), ZERO)


def on_order(item_id: str, plant_id: str, state: ReplenishmentView) -> Decimal:
    """Open purchase lines (orders carry no plant: every one counts) and open requisitions."""
    lines = sum((line.qty - line.received_qty for po, line in state.purchase_lines(item_id)
                 if str(po.status) not in _CLOSED_ORDERS and line.status not in _CLOSED_LINES), ZERO)
    asked = sum((r.qty for r in state.purchase_requisitions(item_id)
                 if r.plant_id == plant_id and r.status == m.RequisitionStatus.open and r.po_number is None), ZERO)
    return lines + asked


def reorder(mv: m.InventoryMovement, state: ReplenishmentView, event: Event) -> list[Effect]:
    item = state.item(mv.item_id)
    if item is None or item.reorder_point is None or item.base_uom is None:
        return []
    position = available(item.item_id, mv.plant_id, state) + on_order(item.item_id, mv.plant_id, state)
    if position >= item.reorder_point:
        return []
    today = state.today()
    rule = best_rule(state.sourcing_rules(item.item_id), today)
    qty = order_qty(item, item.reorder_point - position, rule)
    requisition = m.PurchaseRequisition(
        requisition_id=f"RQ-{mv.movement_id}"[:64], item_id=item.item_id, plant_id=mv.plant_id, qty=qty,
        uom=item.base_uom, need_date=today + timedelta(days=_lead_days(item, rule)),
        supplier_id=rule.supplier_id if rule else None, unit_price=unit_price(rule, qty) if rule else None,
        currency=rule.currency if rule else None, trigger_movement_id=mv.movement_id,
        trigger_order_id=mv.production_order_id,
        trigger=f"reorder point: {position} available and on order < {item.reorder_point} {item.base_uom}")
    return _order(requisition, rule, item, state, event)


def from_plan(item_id: str, plant_id: str, qty: Decimal, due: date, state: ReplenishmentView,
              event: Event) -> list[Effect]:
    """A planned order of a bought item that MRP says must be released now (its net requirement
    turned positive): a requisition once per item, plant and due date, sourced and ordered as a
    reorder is. The plan's quantity is already lot-sized; the supplier's minimum and multiple apply."""
    item = state.item(item_id)
    requisition_id = f"MRP-{item_id}-{plant_id}-{due.isoformat()}"[:64]
    if item is None or item.item_type != m.ItemType.buy or item.base_uom is None or \
            state.entity(keys.requisition(requisition_id), "purchase_requisition") is not None:
        return []
    today = state.today()
    rule = best_rule(state.sourcing_rules(item_id), today)
    qty = _sourced(qty, rule)
    requisition = m.PurchaseRequisition(
        requisition_id=requisition_id, item_id=item_id, plant_id=plant_id, qty=qty, uom=item.base_uom,
        need_date=max(due, today), supplier_id=rule.supplier_id if rule else None,
        unit_price=unit_price(rule, qty) if rule else None, currency=rule.currency if rule else None,
        trigger=f"MRP net requirement: a planned order of {qty} {item.base_uom} due {due.isoformat()}")
    return _order(requisition, rule, item, state, event)


def _order(requisition: m.PurchaseRequisition, rule: m.SourcingRule | None, item: m.Item,
           state: ReplenishmentView, event: Event) -> list[Effect]:
    if rule is None:
        return [_put(requisition), Raise("REORDER_NO_SOURCING", "supply_chain",
                                         f"{item.item_id} at {requisition.plant_id} needs {requisition.qty} "
                                         f"{item.base_uom} ({requisition.trigger}) but has no sourcing rule valid on "
                                         f"{state.today()}", keys.requisition(requisition.requisition_id))]
    return purchase(requisition, rule, item, state, event)


def order_qty(item: m.Item, shortfall: Decimal, rule: m.SourcingRule | None) -> Decimal:
    """The item's lot rule on the shortfall, then the supplier's minimum and multiple."""
    lots = _Lots(str(item.lot_rule or m.LotRule.lot_for_lot), item.fixed_lot or Decimal(1),
                 item.order_min or ZERO, item.order_multiple or Decimal(1))
    if lots.lot_rule == "fixed" and not item.fixed_lot:
        lots = lots._replace(lot_rule="lot_for_lot")
    sized = lot_size(Fraction(shortfall), lots)
    return _sourced(Decimal(sized.numerator) / Decimal(sized.denominator), rule)


def _sourced(qty: Decimal, rule: m.SourcingRule | None) -> Decimal:
    """At least the supplier's minimum, in whole multiples of its order multiple."""
    if rule is not None:
        qty = max(qty, rule.moq or ZERO)
        if rule.order_multiple and rule.order_multiple > 1:
            qty = (qty / rule.order_multiple).to_integral_value(ROUND_CEILING) * rule.order_multiple
    return qty.normalize()


def unit_price(rule: m.SourcingRule, qty: Decimal) -> Decimal | None:
    """The price of the largest break the quantity reaches, else the rule's price."""
    reached = [b for b in rule.price_breaks if b.min_qty <= qty]
    return max(reached, key=lambda b: b.min_qty).unit_price if reached else rule.unit_price


def _lead_days(item: m.Item, rule: m.SourcingRule | None) -> int:
    if rule is not None and rule.lead_time_days is not None:
        return rule.lead_time_days
    return item.lead_time_days or 0


def purchase(requisition: m.PurchaseRequisition, rule: m.SourcingRule, item: m.Item, state: ReplenishmentView,
             event: Event) -> list[Effect]:
    """The requisition ordered: approved at once within the approval limit (and sent to the
    supplier on its channel), otherwise waiting for a person."""
    limit, today = state.auto_approve_up_to(), state.today()
    value = requisition.qty * requisition.unit_price if requisition.unit_price is not None else None
    approved = limit is not None and value is not None and value <= limit
    line = m.PurchaseOrderLine(line_no=10, item_id=item.item_id, supplier_item_id=rule.supplier_item_id,
                               qty=requisition.qty, uom=requisition.uom, unit_price=requisition.unit_price,
                               need_date=requisition.need_date)
    po = m.PurchaseOrder(po_number=requisition.requisition_id, supplier_id=rule.supplier_id,
                         status=m.PoStatus.approved if approved else m.PoStatus.pending_approval,
                         order_date=today, currency=rule.currency, lines=[line])
    ordered = requisition.model_copy(update={"po_number": po.po_number, "status": m.RequisitionStatus.ordered})
    effects: list[Effect] = [_put(ordered), Put(keys.purchase_order(po.po_number), "purchase_order", po.supplier_id, po)]
    if approved:
        effects += supplier_orders.send_order(po, state, event.time)
    else:
        effects.append(Raise("PO_AWAITS_APPROVAL", "supply_chain",
                             f"purchase order {po.po_number} for {requisition.qty} {requisition.uom} {item.item_id} "
                             f"from {rule.supplier_id} (value {value if value is not None else 'unpriced'}) "
                             "waits for approval", keys.purchase_order(po.po_number)))
    return effects


def _put(requisition: m.PurchaseRequisition) -> Put:
    return Put(keys.requisition(requisition.requisition_id), "purchase_requisition", requisition.item_id, requisition)
