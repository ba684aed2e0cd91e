"""Delivery workers: claim due outbox rows with a fenced lease, deliver, then settle the batch.

A worker never delivers a row whose lease it may have lost: before each delivery it checks the
time left on the batch's lease and renews it when little is left, dropping the rows it no
longer holds; the connector receives the lease's fence, so a target can refuse a worker whose
lease was taken over. A batch's outcomes are recorded in one transaction, where the fence is
checked once more. Retries back off exponentially with jitter; after the configured number of
attempts, at once for a permanent rejection, or when no connector can take the row, the
delivery is dead-lettered and becomes an exception an admin can replay. Per-stream order per
target holds because only the oldest open row of a stream is ever due (store/port.py).

Scheduled effects that have come due are carried out by the same workers, each exactly once:
claimed, turned into outbox rows or exceptions, and marked fired in one transaction.
"""

from __future__ import annotations

import json
import random
import uuid
from typing import Callable, Mapping

from mfgsync.config import RetryPolicy
from mfgsync.connectors.base import Connector, Delivery, DeliveryError
from mfgsync.pipeline.clock import iso
from mfgsync.pipeline.effects import exception_row, outbox_row
from mfgsync.rules.reasons import role_for
from mfgsync.store.port import AuditEntry, Claimed, Settlement, Store, UnitOfWork, transact
from mfgsync.workflows.effects import Emit, from_json

# Renew a batch's lease once less than this share of it is left.
RENEW_WHEN_LEFT = 0.5


def backoff_seconds(policy: RetryPolicy, attempts: int, rng: random.Random) -> float:
    """Exponential in the attempts made so far, capped, with jitter over its upper half."""
    ceiling = min(policy.max_seconds, policy.base_seconds * (2 ** max(attempts - 1, 0)))
    return rng.uniform(ceiling / 2, ceiling)


class Worker:
    def __init__(self, store: Store, connectors: Mapping[str, Connector], policy: RetryPolicy,
                 clock: Callable[[], float], rng: random.Random | None = None, name: str | None = None):
        self.store, self.connectors, self.policy, self.clock = store, connectors, policy, clock
        self.rng = rng or random.Random()
        self.name = name or f"worker-{uuid.uuid4().hex[:8]}"

    def run_once(self, limit: int = 100) -> int:
        """Fire due scheduled effects, then claim and deliver what is due now; the number of
        deliveries attempted."""
        self.fire_scheduled()
        now = self.clock()
        claimed = transact(self.store, lambda uow: uow.claim(now, self.name, self.policy.lease_seconds, limit))
        settlements: list[tuple[Claimed, Settlement, str | None]] = []
        for index, row in enumerate(claimed):
            if self._still_held(claimed, index, [s.id for _, s, _ in settlements]):
                settlements.append((claimed[index], *self._attempt(claimed[index])))
        if settlements:
            transact(self.store, lambda uow: self._settle(uow, settlements))
        return len(settlements)

    def run_until_idle(self, on_progress: Callable[[int], None] | None = None) -> int:
        total = 0
        while (done := self.run_once()):
            total += done
            if on_progress:
                on_progress(done)
        return total

    def _still_held(self, claimed: list[Claimed], index: int, attempted: list[int]) -> bool:
        """Renew the batch's lease when little of it is left; False if this row was lost.

        The rows already attempted are renewed too: they stay pending until the batch settles,
        and a lease lapsing on one of them would let another worker deliver it again."""
        row = claimed[index]
        now = self.clock()
        if row.lease_until - now > self.policy.lease_seconds * RENEW_WHEN_LEFT:
            return True
        rest = attempted + [r.id for r in claimed[index:]]
        until = now + self.policy.lease_seconds
        held = transact(self.store, lambda uow: uow.renew(rest, self.name, until))
        for position in range(index, len(claimed)):
            r = claimed[position]
            if r.id in held:
                claimed[position] = Claimed(**{**r.__dict__, "lease_until": until})
        return row.id in held

    def _attempt(self, row: Claimed) -> tuple[Settlement, str | None]:
        """The attempt's settlement, and the reason code should it be dead-lettered."""
        connector = self.connectors.get(row.target)
        if connector is None:
            return self._failure(row, f"no connector is configured for target {row.target!r}",
                                 "DELIVERY_NO_CONNECTOR")
        delivery = Delivery(row.delivery_key, row.target, row.event_type, row.entity_key, row.payload,
                            row.effect_key, row.command, row.fence)
        try:
            connector.deliver(delivery)
        except DeliveryError as exc:
            return self._failure(row, str(exc), "DELIVERY_FAILED" if exc.transient else "DELIVERY_REJECTED")
        except Exception as exc:  # a connector bug: retrying the same code would fail the same way
            return self._failure(row, f"{type(exc).__name__}: {exc}", "DELIVERY_CONNECTOR_ERROR")
        return Settlement(row.id, self.name, row.fence, "delivered", iso(self.clock())), None

    def _failure(self, row: Claimed, error: str, code: str) -> tuple[Settlement, str]:
        at, attempts = iso(self.clock()), row.attempts + 1
        if code != "DELIVERY_FAILED" or attempts >= self.policy.max_attempts:
            return Settlement(row.id, self.name, row.fence, "dead", at, error), code
        retry_at = self.clock() + backoff_seconds(self.policy, attempts, self.rng)
        return Settlement(row.id, self.name, row.fence, "retry", at, error, retry_at), code

    def _settle(self, uow: UnitOfWork, settlements: list[tuple[Claimed, Settlement, str | None]]) -> None:
        recorded = uow.settle([s for _, s, _ in settlements])
        outcomes: dict[str, list[int]] = {}
        dead_letters = []
        for row, s, code in settlements:
            if row.id not in recorded:
                continue  # the lease was taken over: the new holder records the outcome
            outcomes.setdefault(s.status, []).append(row.id)
            if s.status == "dead":
                dead_letters.append(_dead_letter(row, s, code))
        uow.add_exceptions(dead_letters)
        if outcomes:
            uow.audit([AuditEntry(self.name, "delivery.settled", None, outcomes)], iso(self.clock()))

    def fire_scheduled(self, limit: int = 100) -> int:
        return transact(self.store, lambda uow: self._fire(uow, limit))

    def _fire(self, uow: UnitOfWork, limit: int) -> int:
        now = self.clock()
        due = uow.claim_scheduled(now, self.name, self.policy.lease_seconds, limit)
        if not due:
            return 0
        at = iso(now)
        outbox, exceptions = [], []
        for item in due:
            effect = from_json(item.effect)
            lineage = {"correlation_id": item.correlation_id, "causation_id": f"schedule:{item.id}",
                       "mapping_version": None}
            if isinstance(effect, Emit):
                outbox.append(outbox_row(effect, "scheduled", None, now, at, lineage))
            else:
                exceptions.append(exception_row(effect, "scheduled", None, at, lineage))
        uow.add_outbox(outbox)
        uow.add_exceptions(exceptions)
        fired = uow.fired([(item.id, item.fence) for item in due], self.name, at)
        uow.audit([AuditEntry(self.name, "schedule.fired", None, {"ids": sorted(fired)})], at)
        return len(fired)


def _dead_letter(row: Claimed, s: Settlement, code: str) -> dict:
    reasons = [{"code": code, "message": f"{row.target}: {s.error}", "field": None}]
    return {"kind": "dead_letter", "msg_key": row.msg_key, "source": (row.msg_key or "").split("\x1f")[0] or None,
            "event_type": row.event_type, "entity_key": row.entity_key, "codes": code,
            "reasons": json.dumps(reasons), "owner_role": role_for([code]), "payload": row.payload,
            "outbox_id": row.id, "at": s.at, "correlation_id": row.correlation_id,
            "causation_id": f"effect:{row.id}", "mapping_version": None}
