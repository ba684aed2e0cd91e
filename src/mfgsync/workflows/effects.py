"""The effects vocabulary: what a workflow may ask the pipeline to do. Workflows return these;
the pipeline persists them in the transaction that applies the event. Each is an immutable
value (a named tuple: workflows return many, and they cost the least to make).

- Put: store an entity as the current state of its key.
- Adjust: change a stock balance by a delta (a ledger entry); Count: a counted balance.
- Emit: an outbound command to a target, under the business identity of the effect, so the same
  effect caused twice is delivered once and a target can find it again after a timeout.
- Raise: an exception for a role, linked to its cause.
- ScheduleAt: an Emit or Raise that becomes due at a time, durable across restarts.
- Unschedule: a scheduled effect that is no longer wanted (what it watched for came in time).
- Resolve: close the open exceptions of a code on an entity, once the state they were about
  has been overtaken (a late acknowledgement closes its overdue exception).
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple, Union

from mfgsync.model import entities as m


class Put(NamedTuple):
    key: str
    entity_type: str
    ref: str | None
    entity: m.Canonical


class Adjust(NamedTuple):
    """Change a stock balance by `delta` (in the item's base unit; the balance is created at 0)."""
    item_id: str
    plant_id: str
    location_id: str
    lot_id: str | None
    status: m.StockStatus
    delta: Decimal
    uom: str


class Count(NamedTuple):
    """A counted balance: the stock at that place was `balance.qty` when the count was taken
    (`taken_at`); what moved it after that is added to it (None: the count is the stock now)."""
    balance: m.InventoryBalance
    taken_at: datetime | None = None


class Emit(NamedTuple):
    target: str
    command: str
    effect_key: str  # the business identity, e.g. erp:bom:PMP-100@P1#B
    payload: dict[str, Any] | None = None  # None: the causing message's canonical envelope
    stream: str | None = None  # deliveries of one stream keep their order (default: the effect key)


class Raise(NamedTuple):
    code: str
    role: str
    detail: str
    entity_key: str | None = None


class ScheduleAt(NamedTuple):
    when: datetime
    effect: Emit | Raise
    key: str = ""  # the scheduled effect's identity (default: the effect's own key)

    @property
    def effect_key(self) -> str:
        if self.key:
            return self.key
        inner = self.effect
        return inner.effect_key if isinstance(inner, Emit) else f"raise:{inner.code}:{inner.entity_key or inner.detail}"


class Unschedule(NamedTuple):
    key: str  # the ScheduleAt's effect_key


class Resolve(NamedTuple):
    entity_key: str
    code: str
    note: str


Effect = Union[Put, Adjust, Count, Emit, Raise, ScheduleAt, Unschedule, Resolve]


def to_json(effect: Emit | Raise) -> str:
    """A schedulable effect as stored until it is due."""
    kind = "emit" if isinstance(effect, Emit) else "raise"
    return json.dumps({"kind": kind, **effect._asdict()}, sort_keys=True, default=str)


def from_json(text: str) -> Emit | Raise:
    document = json.loads(text)
    kind = document.pop("kind")
    return Emit(**document) if kind == "emit" else Raise(**document)
