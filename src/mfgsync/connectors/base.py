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
    entity_key: str
    payload: str  # the canonical envelope, JSON


class Connector(Protocol):
    def deliver(self, delivery: Delivery) -> None: ...
