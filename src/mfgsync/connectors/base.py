"""The connector port: deliver one message, or say whether trying again could help."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class DeliveryError(Exception):
    """A failed delivery. `transient` failures are retried; permanent ones dead-letter at once."""

    transient = True


class TransientError(DeliveryError):
    transient = True


class PermanentError(DeliveryError):
    transient = False


@dataclass(frozen=True)
class Delivery:
    key: str  # stable across redeliveries: a target can make a repeat a no-op
    target: str
    event_type: str
    entity_key: str  # the ordering stream
    payload: str  # JSON: the canonical envelope, or the emitted command's payload
    effect_key: str = ""  # the business identity of the effect, to find it again after a timeout
    command: str = "deliver"
    # Grows with every lease of this delivery: a target that remembers the highest fence it saw
    # for a key can refuse a worker whose lease was taken over (a stale writer).
    fence: int = 0


class Connector(Protocol):
    def deliver(self, delivery: Delivery) -> None: ...
