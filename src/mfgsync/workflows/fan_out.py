"""The simplest workflow: every applied message goes to each target subscribed to its type,
in the order of its delivery stream (one entity's messages reach a target in order). Targets
that take commands instead (an ERP's API) get them from the workflows that speak their language."""

from __future__ import annotations

from mfgsync.workflows.effects import Effect, Emit
from mfgsync.workflows.event import Event, WorkflowView
from mfgsync.workflows.state_changes import delivery_stream


def deliver_to_subscribers(event: Event, state: WorkflowView) -> list[Effect]:
    stream = delivery_stream(event.type, event.entity)
    identity = f"message:{event.source}/{event.message_id}"
    return [Emit(target, "deliver", identity, None, stream) for target in state.subscribers(event.type)
            if not state.takes_commands(target)]
