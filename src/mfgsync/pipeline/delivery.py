"""Delivery workers: claim due outbox rows with a lease, deliver, then record the outcome.

Retries back off exponentially with jitter; after the configured number of attempts, or at
once for a permanent rejection, the delivery is dead-lettered and becomes an exception that
an admin can replay. Per-entity order per target holds because only the oldest undelivered
row of an entity is ever due (see store/outbox.py).
"""

from __future__ import annotations

import json
import random
import uuid
from typing import Callable, Mapping

from mfgsync.config import RetryPolicy
from mfgsync.connectors.base import Connector, Delivery, DeliveryError
from mfgsync.pipeline.clock import iso
from mfgsync.rules.reasons import role_for
from mfgsync.store import audit, outbox, records
from mfgsync.store.audit import AuditEntry
from mfgsync.store.database import Database


def backoff_seconds(policy: RetryPolicy, attempts: int, rng: random.Random) -> float:
    """Exponential in the attempts made so far, capped, with jitter over its upper half."""
    ceiling = min(policy.max_seconds, policy.base_seconds * (2 ** max(attempts - 1, 0)))
    return rng.uniform(ceiling / 2, ceiling)


class Worker:
    def __init__(self, database: Database, connectors: Mapping[str, Connector], policy: RetryPolicy,
                 clock: Callable[[], float], rng: random.Random | None = None, name: str | None = None):
        self.database, self.connectors, self.policy, self.clock = database, connectors, policy, clock
        self.rng = rng or random.Random()
        self.name = name or f"worker-{uuid.uuid4().hex[:8]}"

    def run_once(self, limit: int = 200) -> int:
        """Claim and deliver what is due now; the number of deliveries attempted."""
        with self.database.transaction() as connection:
            claimed = outbox.claim(connection, self.clock(), self.name, self.policy.lease_seconds, limit)
        for row in claimed:
            self._deliver(row)
        return len(claimed)

    def run_until_idle(self, on_progress: Callable[[int], None] | None = None) -> int:
        total = 0
        while (done := self.run_once()):
            total += done
            if on_progress:
                on_progress(done)
        return total

    def _deliver(self, row: outbox.Claimed) -> None:
        connector = self.connectors.get(row.target)
        delivery = Delivery(row.delivery_key, row.target, row.event_type, row.entity_key, row.payload)
        try:
            if connector is None:
                raise DeliveryError(f"no connector configured for target {row.target!r}")
            connector.deliver(delivery)
        except DeliveryError as exc:
            self._failed(row, str(exc), exc.transient)
        except Exception as exc:  # a connector bug must not stop the worker; it is retried
            self._failed(row, f"{type(exc).__name__}: {exc}", True)
        else:
            now = self.clock()
            with self.database.transaction() as connection:
                if outbox.delivered(connection, row.id, self.name, iso(now)):
                    audit.append(connection, [AuditEntry(self.name, "delivery.delivered", row.entity_key,
                                                         {"target": row.target, "outbox_id": row.id})], iso(now))

    def _failed(self, row: outbox.Claimed, error: str, transient: bool) -> None:
        now = self.clock()
        attempts = row.attempts + 1
        give_up = not transient or attempts >= self.policy.max_attempts
        retry_at = None if give_up else now + backoff_seconds(self.policy, attempts, self.rng)
        with self.database.transaction() as connection:
            if not outbox.failed(connection, row.id, self.name, error, retry_at):
                return  # our lease expired and another worker owns the row now
            if give_up:
                self._dead_letter(connection, row, error, transient, now)

    def _dead_letter(self, connection, row: outbox.Claimed, error: str, transient: bool, now: float) -> None:
        code = "DELIVERY_FAILED" if transient else "DELIVERY_REJECTED"
        reasons = [{"code": code, "message": f"{row.target}: {error}", "field": None}]
        records.insert_exceptions(connection, [{
            "kind": "dead_letter", "msg_key": row.msg_key, "source": row.msg_key.split("\x1f")[0], "event_type": row.event_type,
            "entity_key": row.entity_key, "codes": code, "reasons": json.dumps(reasons),
            "owner_role": role_for([code]), "payload": row.payload, "outbox_id": row.id, "at": iso(now)}])
        audit.append(connection, [AuditEntry(self.name, "delivery.dead_lettered", row.entity_key,
                                             {"target": row.target, "outbox_id": row.id, "error": error[:300]})],
                     iso(now))
