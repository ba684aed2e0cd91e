"""The routing table: which workflows handle each event type, in order. Each handler is a pure
function of (event, state view) returning effects; the pipeline persists what they return."""

from __future__ import annotations

from typing import Callable

from mfgsync.envelope import EventType
from mfgsync.workflows import availability, fan_out, propagation, replenishment, state_changes
from mfgsync.workflows import acknowledgements, invoices, ship_notices, sourcing_changes, supplier_orders
from mfgsync.workflows.effects import Effect
from mfgsync.workflows.event import Event, WorkflowView

Handler = Callable[[Event, WorkflowView], list[Effect]]

# Every event first changes the hub's state, then goes to its subscribers; engineering data
# also becomes commands for the ERPs that take them.
_EVERY_EVENT: tuple[Handler, ...] = (state_changes.apply, fan_out.deliver_to_subscribers)
ROUTES: dict[EventType, tuple[Handler, ...]] = {
    **{event_type: _EVERY_EVENT for event_type in EventType},
    EventType.item_upserted: (*_EVERY_EVENT, propagation.propagate_item),
    EventType.bom_released: (*_EVERY_EVENT, propagation.propagate_bom),
    EventType.routing_released: (*_EVERY_EVENT, propagation.propagate_routing),
    # Supplier collaboration: orders out on the partner's channel, acknowledgements into planning,
    # ship notices into stock in transit, invoices matched (before the invoice is stored).
    # Each of these changes supply, so available-to-promise is judged again after it.
    EventType.po_created: (*_EVERY_EVENT, supplier_orders.on_purchase_order, availability.after_change),
    EventType.po_changed: (*_EVERY_EVENT, supplier_orders.on_purchase_order, availability.after_change),
    EventType.po_acknowledged: (*_EVERY_EVENT, acknowledgements.on_po_acknowledged, availability.after_change),
    EventType.asn_received: (*_EVERY_EVENT, ship_notices.on_ship_notice, availability.after_change),
    EventType.invoice_received: (invoices.on_invoice, *_EVERY_EVENT),
    EventType.interchange_received: (*_EVERY_EVENT, acknowledgements.on_interchange),
    EventType.sourcing_updated: (sourcing_changes.on_sourcing, *_EVERY_EVENT),  # judged against the rule in force
    # Stock that moved may have fallen below a reorder point; a warehouse receipt, once booked,
    # is matched to the ship notices of its item. What changes supply or committed demand is
    # judged for available-to-promise last, with what replenishment ordered counted.
    EventType.inventory_moved: (*_EVERY_EVENT, replenishment.after_movements, ship_notices.on_receipt,
                                availability.after_change),
    EventType.production_reported: (*_EVERY_EVENT, replenishment.after_movements, availability.after_change),
    EventType.production_released: (*_EVERY_EVENT, availability.after_change),
    EventType.quality_hold: (*_EVERY_EVENT, availability.after_change),
    EventType.quality_released: (*_EVERY_EVENT, availability.after_change),
}
# A release (the ECO and BOM revisions of one correlation id) is applied as a whole once its
# batch is decided: change_application.apply_change, called by the intake.
