"""The routing table: which workflows handle each event type, in order. Each handler is a pure
function of (event, state view) returning effects; the pipeline persists what they return."""

from __future__ import annotations

from typing import Callable

from mfgsync.envelope import EventType
from mfgsync.workflows import fan_out, state_changes
from mfgsync.workflows.effects import Effect
from mfgsync.workflows.event import Event, WorkflowView

Handler = Callable[[Event, WorkflowView], list[Effect]]

# Every event first changes the hub's state, then goes to its subscribers; the engineering
# change, purchase-order and replenishment workflows join the rows of their event types.
ROUTES: dict[EventType, tuple[Handler, ...]] = {
    event_type: (state_changes.apply, fan_out.deliver_to_subscribers) for event_type in EventType
}

