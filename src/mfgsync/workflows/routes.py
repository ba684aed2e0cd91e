"""The routing table: which workflows handle each event type, in order. Each handler is a pure
function of (event, state view) returning effects; the pipeline persists what they return."""

from __future__ import annotations

from typing import Callable

from mfgsync.envelope import EventType
from mfgsync.workflows import change_application, fan_out, propagation, state_changes
from mfgsync.workflows.effects import Effect
from mfgsync.workflows.event import Event, WorkflowView

Handler = Callable[[Event, WorkflowView], list[Effect]]

# Every event first changes the hub's state, then goes to its subscribers; engineering data
# also becomes commands for the ERPs that take them, and an approved change raises its impact
# on open orders for the people who must act.
_EVERY_EVENT: tuple[Handler, ...] = (state_changes.apply, fan_out.deliver_to_subscribers)
ROUTES: dict[EventType, tuple[Handler, ...]] = {
    **{event_type: _EVERY_EVENT for event_type in EventType},
    EventType.item_upserted: (*_EVERY_EVENT, propagation.propagate_item),
    EventType.bom_released: (*_EVERY_EVENT, propagation.propagate_bom, change_application.apply_change),
    EventType.eco_approved: (*_EVERY_EVENT, change_application.apply_change),
}
