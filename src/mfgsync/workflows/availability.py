"""Available-to-promise watched as the hub's state changes. After stock movements, production
reports, releases of production orders, quality holds, purchase orders, their acknowledgements
and ship notices, each item and plant they touch is judged again (planning/hub_atp.py, from this batch's view of the hub):
when its cumulative ATP falls below the demand committed by some date, the planner gets one
ATP_SHORT exception; when it recovers, that exception is resolved.

A small record per item and plant (`availability_watch`) keeps which it is, so a repeat of the
same shortage raises nothing and two writers judging the same item meet on that record's
version. An item nothing in its plant needs is not judged (it cannot be short of committed
demand) unless it was short before. Pure: effects are returned.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable, Protocol

from mfgsync.envelope import EventType
from mfgsync.model import entities as m
from mfgsync.model import keys
from mfgsync.model.units import UnitError
from mfgsync.planning.from_store import consumed_by_orders
from mfgsync.planning.hub_atp import completed_by_order, item_atp, short_periods
from mfgsync.workflows.effects import Effect, Put, Raise, Resolve
from mfgsync.workflows.event import Event
from mfgsync.workflows.inventory import StockView
from mfgsync.workflows.production import ProductionView, booked_quantities, effective_revision, order_bom, preferred_lines

E = EventType
CODE = "ATP_SHORT"


class AvailabilityView(StockView, ProductionView, Protocol):
    def record(self, key: str, entity_type: str) -> m.Canonical | None: ...

    def records_of(self, entity_type: str, ref: str) -> list[m.Canonical]: ...

    def orders_using(self, item_id: str) -> list[m.ProductionOrder]: ...

    def production_orders(self, item_id: str, plant_id: str | None) -> list[m.ProductionOrder]: ...

    def purchase_order(self, po_number: str) -> m.PurchaseOrder | None: ...

    def purchase_lines(self, item_id: str) -> list[tuple[m.PurchaseOrder, m.PurchaseOrderLine]]: ...


def after_change(event: Event, state: AvailabilityView) -> list[Effect]:
    """The routed handler: every item and plant the event touched, judged once."""
    effects: list[Effect] = []
    for item_id, plant_id in dict.fromkeys(touched(event, state)):
        effects += judge(item_id, plant_id, state)
    return effects


def touched(event: Event, state: AvailabilityView) -> Iterable[tuple[str, str]]:
    """(item, plant) pairs whose supply or committed demand the event may have changed."""
    e = event.entity
    match event.type:
        case E.inventory_moved:
            yield e.item_id, e.plant_id
        case E.production_reported:
            yield from ((mv.item_id, mv.plant_id) for mv in booked_quantities(e, state))
        case E.production_released:  # the order's own supply, and what it commits of each component
            order = state.production_order(e.order_id) or e
            yield order.item_id, order.plant_id
            bom = order_bom(order, state) if order.bom_revision else \
                effective_revision(state.bom_revisions(order.item_id), order.plant_id, order.start_date or state.today())
            yield from ((line.component_id, order.plant_id) for line in (preferred_lines(bom.lines) if bom else []))
        case E.quality_hold | E.quality_released:
            yield from ((b.item_id, b.plant_id) for b in state.balances_of(e.item_id))
        case E.po_created | E.po_changed | E.po_acknowledged:
            po = state.purchase_order(e.po_number)
            yield from _in_every_plant((line.item_id for line in po.lines) if po else (), state)
        case E.asn_received:  # in transit: due on the notice's arrival rather than the order's date
            orders = {line.po_number: state.purchase_order(line.po_number) for line in e.lines}
            yield from _in_every_plant((line.item_id for po in orders.values() if po for line in po.lines), state)


def _in_every_plant(item_ids: Iterable[str], state: AvailabilityView) -> Iterable[tuple[str, str]]:
    """Purchase orders carry no plant: their items in every plant that is configured, holds
    their stock or has an order that needs them."""
    for item_id in dict.fromkeys(item_ids):
        plants = [*state.plants(), *(b.plant_id for b in state.balances_of(item_id)),
                  *(o.plant_id for o in state.orders_using(item_id))]
        yield from ((item_id, plant_id) for plant_id in dict.fromkeys(plants))


def judge(item_id: str, plant_id: str, state: AvailabilityView) -> list[Effect]:
    """Raise when the item turns short in the plant, resolve when it stops being short."""
    key = keys.availability_watch(item_id, plant_id)
    watched = state.record(key, "availability_watch")
    was_short = watched is not None and watched.short_on is not None
    item = state.item(item_id)
    users = [o for o in state.orders_using(item_id) if o.plant_id == plant_id]
    if item is None or not (users or was_short):
        return []
    try:
        document = _atp(item, plant_id, users, state)
    except UnitError:  # a quantity with no conversion to the item's unit: its own message says so
        return []
    short = short_periods(document)
    if bool(short) == was_short:
        return []
    exception_key = f"atp:{item_id}@{plant_id}"
    if not short:
        return [Put(key, "availability_watch", item_id, m.AvailabilityWatch(item_id=item_id, plant_id=plant_id)),
                Resolve(exception_key, CODE, "available-to-promise covers the committed demand again")]
    first = short[0]
    watch = m.AvailabilityWatch(item_id=item_id, plant_id=plant_id, short_on=date.fromisoformat(first["date"]),
                                cumulative_atp=first["cumulative_atp"])
    return [Put(key, "availability_watch", item_id, watch),
            Raise(CODE, "planner", f"{item_id} at {plant_id}: cumulative ATP {first['cumulative_atp']} "
                                   f"{document['uom']} on {first['date']}, below the demand committed by then",
                  exception_key)]


def _atp(item: m.Item, plant_id: str, users: list[m.ProductionOrder], state: AvailabilityView) -> dict:
    """The item's ATP document from this batch's view: its own open orders as supply, the open
    orders that use it as committed demand."""
    own = state.production_orders(item.item_id, plant_id)
    reports = [r for o in own for r in state.records_of("production_report", o.order_id)]
    used = [r for o in users for r in state.records_of("production_report", o.order_id)]
    orders = {po.po_number: po for po, _ in state.purchase_lines(item.item_id)}
    in_transit = state.records_of("expected_receipt", item.item_id)
    return item_atp(item, plant_id, state.today(), balances=state.balances_of(item.item_id),
                    purchase_orders=orders.values(), production_orders=[*own, *users],
                    boms=[b for parent in {o.item_id for o in users} for b in state.bom_revisions(parent)],
                    units=state.units(), completed=completed_by_order(reports, item.item_id), in_transit=in_transit,
                    consumed={order: qty for (order, of), qty in consumed_by_orders(used, state).items()
                              if of == item.item_id})
