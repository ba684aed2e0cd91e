"""The transactional outbox: deliveries written with the state change, claimed with leases.

A row is due when it is pending, its retry time has come, its lease (if any) has expired, and
no earlier row for the same target and entity is still pending or dead: that keeps per-entity
order per target, and a dead letter holds back later messages of its entity until replayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from sqlalchemy import Connection, bindparam, text

from mfgsync.store.records import execute_many


@dataclass(frozen=True)
class Claimed:
    id: int
    target: str
    entity_key: str
    msg_key: str
    event_type: str
    payload: str  # the canonical envelope, from the message's inbox row
    attempts: int

    @property
    def delivery_key(self) -> str:
        """Stable across redeliveries, so a target can make a repeat a no-op."""
        return f"{self.target}-{self.id:010d}"


_DUE = (
    "FROM outbox o JOIN inbox i ON i.msg_key = o.msg_key WHERE o.status = 'pending' AND o.next_attempt_at <= :now "
    "AND (o.lease_until IS NULL OR o.lease_until <= :now) "
    "AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.target = o.target AND p.entity_key = o.entity_key "
    "AND p.id < o.id AND p.status IN ('pending', 'dead'))"
)


def insert(connection: Connection, rows: list[Mapping[str, Any]]) -> None:
    execute_many(connection, (
        "INSERT INTO outbox (target, entity_key, msg_key, event_type, status, attempts, "
        "next_attempt_at, created_at) VALUES (:target, :entity_key, :msg_key, :event_type, "
        "'pending', 0, :now, :at)"), rows)


def claim(connection: Connection, now: float, owner: str, lease_seconds: float, limit: int) -> list[Claimed]:
    """Lease up to `limit` due deliveries to `owner`, oldest first."""
    rows = connection.execute(text(
        "SELECT o.id, o.target, o.entity_key, o.msg_key, o.event_type, i.envelope, o.attempts "
        + _DUE + " ORDER BY o.id LIMIT :limit"), {"now": now, "limit": limit}).all()
    if rows:
        connection.execute(text(
            "UPDATE outbox SET lease_owner = :owner, lease_until = :until WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True)), {"owner": owner, "until": now + lease_seconds,
                                                 "ids": [r[0] for r in rows]})
    return [Claimed(*row) for row in rows]


def delivered(connection: Connection, outbox_id: int, owner: str, at: str) -> bool:
    """Mark delivered, if the lease is still ours (a worker that lost its lease changes nothing)."""
    result = connection.execute(text(
        "UPDATE outbox SET status = 'delivered', delivered_at = :at, lease_owner = NULL, lease_until = NULL, "
        "attempts = attempts + 1 WHERE id = :id AND lease_owner = :owner AND status = 'pending'"),
        {"id": outbox_id, "owner": owner, "at": at})
    return result.rowcount == 1


def failed(connection: Connection, outbox_id: int, owner: str, error: str, retry_at: float | None) -> bool:
    """Record a failed attempt: retry at `retry_at`, or dead-letter when it is None."""
    status = "pending" if retry_at is not None else "dead"
    result = connection.execute(text(
        "UPDATE outbox SET status = :status, attempts = attempts + 1, next_attempt_at = :retry_at, "
        "last_error = :error, lease_owner = NULL, lease_until = NULL "
        "WHERE id = :id AND lease_owner = :owner AND status = 'pending'"),
        {"status": status, "retry_at": retry_at if retry_at is not None else 0.0, "error": error[:2000],
         "id": outbox_id, "owner": owner})
    return result.rowcount == 1


def requeue(connection: Connection, outbox_id: int, now: float) -> bool:
    """A dead letter back in line, with a fresh attempt budget."""
    result = connection.execute(text(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = :now, last_error = NULL "
        "WHERE id = :id AND status = 'dead'"), {"id": outbox_id, "now": now})
    return result.rowcount == 1


def discard(connection: Connection, outbox_id: int) -> None:
    """A dead letter given up on: it no longer holds its entity's later messages back."""
    connection.execute(text("UPDATE outbox SET status = 'discarded' WHERE id = :id AND status = 'dead'"),
                       {"id": outbox_id})


def next_due_at(connection: Connection) -> float | None:
    """When the earliest pending delivery becomes due (None when nothing is pending)."""
    row = connection.execute(text(
        "SELECT MIN(CASE WHEN lease_until IS NOT NULL AND lease_until > next_attempt_at "
        "THEN lease_until ELSE next_attempt_at END) FROM outbox WHERE status = 'pending'")).first()
    return row[0] if row else None


def counts_by_target(connection: Connection) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = {}
    for target, status, n in connection.execute(text(
            "SELECT target, status, COUNT(*) FROM outbox GROUP BY target, status ORDER BY target")):
        result.setdefault(target, {})[status] = n
    return result
