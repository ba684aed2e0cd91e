"""Persisting what workflows return: each effect becomes rows of the batch's unit of work."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Iterable

from mfgsync.workflows.effects import Adjust, Count, Effect, Emit, Put, Raise, Resolve, ScheduleAt, Unschedule, to_json
from mfgsync.workflows.event import Event

if TYPE_CHECKING:
    from mfgsync.pipeline.batch import Batch


def persist(effects: Iterable[Effect], event: Event, batch: "Batch", key: str, tokens: str,
            lineage: dict) -> str | None:
    """Record effects in the batch; the canonical JSON of the event's own entity, if put."""
    data_json = None
    for effect in effects:
        # Effects are named tuples of these exact classes: a type compared is cheaper than an
        # isinstance call, and a message brings several effects.
        kind = type(effect)
        if kind is Put:
            # An entity a workflow writes besides the event's own keeps its ordering tokens.
            kept = tokens if effect.key == key else batch.state.tokens(effect.key)
            written = batch.state.put(effect, kept, event.msg_key)
            if effect.entity is event.entity:
                data_json = written
        elif kind is Adjust:
            batch.state.adjust(effect, event.msg_key, event.correlation_id)
        elif kind is Emit:
            batch.outbox.append(outbox_row(effect, event.type.value, event.msg_key, batch.now, batch.at,
                                           {**lineage, "causation_id": event.cause}))
        elif kind is Count:
            batch.state.count(effect, event.msg_key, event.correlation_id)
        elif kind is Raise:
            batch.exceptions.append(exception_row(effect, event.type.value, event.msg_key, batch.at,
                                                  {**lineage, "causation_id": event.cause}))
        elif kind is ScheduleAt:
            batch.scheduled.append({"due_at": effect.when.timestamp(), "effect": to_json(effect.effect),
                                    "effect_key": effect.effect_key, "correlation_id": lineage["correlation_id"],
                                    "causation_id": event.cause, "mapping_version": lineage["mapping_version"],
                                    "at": batch.at})
        elif kind is Unschedule:
            batch.unscheduled.append(effect.key)
        elif kind is Resolve:
            batch.resolved.append({"entity_key": effect.entity_key, "code": effect.code, "by": batch.actor,
                                   "note": effect.note})
        else:
            raise TypeError(f"{effect!r} is no effect the pipeline persists")
    return data_json


def outbox_row(emit: Emit, event_type: str, msg_key: str | None, now: float, at: str, lineage: dict) -> dict:
    return {"target": emit.target, "entity_key": emit.stream or emit.effect_key, "effect_key": emit.effect_key,
            "command": emit.command, "msg_key": msg_key, "event_type": event_type,
            "payload": None if emit.payload is None else json.dumps(emit.payload, default=str),
            "now": now, "at": at, **lineage}


def exception_row(raised: Raise, event_type: str | None, msg_key: str | None, at: str, lineage: dict) -> dict:
    reasons = [{"code": raised.code, "message": raised.detail, "field": None}]
    return {"kind": "workflow", "msg_key": msg_key, "source": None, "event_type": event_type,
            "entity_key": raised.entity_key, "codes": raised.code, "reasons": json.dumps(reasons),
            "owner_role": raised.role, "payload": None, "outbox_id": None, "at": at, **lineage}
