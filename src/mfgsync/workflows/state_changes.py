"""What applying each event type does to the hub's state: which entity it concerns, how it
merges, what it writes. The pipeline persists what these functions return; they decide and
never touch I/O.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Callable

from mfgsync.envelope import EventType
from mfgsync.model import entities as m
from mfgsync.model import keys
from mfgsync.rules.state import StateView
from mfgsync.workflows import inventory, production
from mfgsync.workflows import supplier_orders
from mfgsync.workflows.effects import Adjust, Count, Effect, Put
from mfgsync.workflows.event import Event

E = EventType

# Facts that happen once: a second message about the same one is a duplicate, never re-applied.
IMMUTABLE = {E.inventory_moved, E.production_reported}


# The key per-entity ordering and staleness are judged on, by event type: one lookup, since
# every message asks for it several times on its way through intake.
_ORDERING_KEYS: dict[EventType, Callable[[m.Canonical], str]] = {
    E.item_upserted: lambda e: keys.item(e.item_id),
    E.uom_conversion_upserted: lambda e: keys.uom_conversion(e.item_id, e.from_uom, e.to_uom),
    E.supplier_upserted: lambda e: keys.supplier(e.supplier_id),
    E.bom_released: lambda e: keys.bom(e.item_id, e.plant_id),
    E.routing_released: lambda e: keys.routing(e.item_id, e.plant_id),
    E.eco_approved: lambda e: keys.eco(e.eco_id),
    E.sourcing_updated: lambda e: keys.sourcing(e.item_id, e.supplier_id),
    E.po_created: lambda e: keys.purchase_order(e.po_number),
    E.po_changed: lambda e: keys.purchase_order(e.po_number),
    E.po_acknowledged: lambda e: keys.acknowledgement(e.po_number, e.ack_id),
    E.asn_received: lambda e: keys.ship_notice(e.asn_id),
    E.invoice_received: lambda e: keys.invoice(e.invoice_number),
    E.interchange_received: lambda e: keys.received_interchange(e.partner, e.control_number),
    E.inventory_moved: lambda e: keys.movement(e.movement_id),
    E.inventory_snapshot: lambda e: keys.snapshot(e.plant_id),
    E.production_released: lambda e: keys.production_order(e.order_id),
    E.production_reported: lambda e: keys.production_report(e.report_id),
    E.quality_hold: lambda e: keys.quality_hold(e.hold_id),
    E.quality_released: lambda e: keys.quality_hold(e.hold_id),
}


def ordering_key(event_type: EventType, e: m.Canonical) -> str:
    """The key per-entity ordering and staleness are judged on."""
    key_of = _ORDERING_KEYS.get(event_type)
    if key_of is None:
        raise ValueError(f"no ordering key for {event_type}")
    return key_of(e)


def delivery_stream(event_type: EventType, e: m.Canonical) -> str:
    """The stream deliveries keep their order in, per target."""
    match event_type:
        case E.inventory_moved: return keys.stock_stream(e.item_id, e.plant_id)
        case E.production_reported: return keys.production_order(e.order_id)
        case E.po_acknowledged: return keys.purchase_order(e.po_number)
    return ordering_key(event_type, e)


def merge(event_type: EventType, incoming: m.Canonical, fields_set: set[str], current: m.Canonical | None) -> m.Canonical:
    """The candidate state: an item upsert changes only the fields it sends."""
    if event_type == E.item_upserted and isinstance(current, m.Item):
        changes = {name: getattr(incoming, name) for name in fields_set}
        return current.model_copy(update=changes)
    if event_type in (E.po_created, E.po_changed) and isinstance(current, m.PurchaseOrder):
        return supplier_orders.merge_change(incoming, current)
    if event_type == E.quality_released and incoming.status == m.HoldStatus.held:
        return incoming.model_copy(update={"status": m.HoldStatus.released})
    return incoming


def _movement_adjustments(mv: m.InventoryMovement, state: StateView) -> list[Adjust]:
    qty, base = inventory.in_base_unit(mv, state)
    status_in = m.StockStatus.quality_hold if inventory.arrives_on_hold(mv, state) else m.StockStatus.available

    def at(location: str | None, delta: Decimal, status: m.StockStatus = m.StockStatus.available) -> Adjust:
        return Adjust(mv.item_id, mv.plant_id, location or "MAIN", mv.lot_id, status, delta, base)

    kind = m.MovementKind
    if mv.kind in (kind.receipt, kind.completion):
        return [at(mv.to_location, qty, status_in)]
    if mv.kind in (kind.issue, kind.consumption, kind.scrap):
        return [at(mv.from_location or mv.to_location, -qty)]
    if mv.kind == kind.transfer:
        return [at(mv.from_location, -qty), at(mv.to_location, qty, status_in)]
    # adjustment: a signed correction where the count was taken
    return [at(mv.to_location or mv.from_location, qty)]


def apply(event: Event, state: StateView) -> list[Effect]:
    """Everything applying the (validated, merged) entity writes."""
    e = event.entity
    key = ordering_key(event.type, e)
    match event.type:
        case E.item_upserted: return [Put(key, "item", e.item_id, e)]
        case E.uom_conversion_upserted: return [Put(key, "uom", e.item_id, e)]
        case E.supplier_upserted: return [Put(key, "supplier", e.supplier_id, e)]
        case E.bom_released:
            return [Put(key, "bom", e.item_id, e),
                    Put(keys.bom_revision(e.item_id, e.plant_id, e.revision), "bom_revision", e.item_id, e)]
        case E.routing_released:
            return [Put(key, "routing", e.item_id, e),
                    Put(keys.routing_revision(e.item_id, e.plant_id, e.revision), "routing_revision", e.item_id, e)]
        case E.eco_approved: return [Put(key, "eco", e.item_id, e)]
        case E.sourcing_updated: return [Put(key, "sourcing", e.item_id, e)]
        case E.po_created | E.po_changed: return [Put(key, "purchase_order", e.supplier_id, e)]
        case E.po_acknowledged: return [Put(key, "po_ack", e.po_number, e)]
        case E.asn_received: return [Put(key, "ship_notice", e.supplier_id, e)]
        case E.invoice_received: return [Put(key, "invoice", e.po_number, e)]
        case E.interchange_received: return [Put(key, "received_interchange", e.partner, e)]
        case E.production_released: return [Put(key, "production_order", e.item_id, production.frozen(e, state))]
        case E.quality_hold | E.quality_released:
            return [Put(key, "quality_hold", e.item_id, e), *inventory.hold_moves(e, state),
                    *inventory.erp_hold_moves(event, e, state)]
        case E.inventory_moved:
            return [Put(key, "movement", e.item_id, e), *_movement_adjustments(e, state),
                    *production.shipment(e), *inventory.erp_stock_moves(event, [e], state)]
        case E.production_reported:
            movements = production.booked_movements(e, state)
            adjustments = [a for mv in movements for a in _movement_adjustments(mv, state)]
            return [Put(key, "production_report", e.order_id, e), *adjustments,
                    *production.order_in_process(e, state, keys.production_order(e.order_id)),
                    *production.genealogy(e, movements, state), *inventory.erp_stock_moves(event, movements, state)]
        case E.inventory_snapshot:
            # A count is as of when it was taken (the sender's time, if the WMS gave none).
            taken_at = e.taken_at or event.time
            return [Put(key, "snapshot", e.plant_id, e), *(Count(b, taken_at) for b in e.balances)]
    raise ValueError(f"no effects defined for {event.type}")
