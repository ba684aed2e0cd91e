"""Exceptions, the outbox and scheduled effects of a SQL unit of work (see port.UnitOfWork)."""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import Connection

from mfgsync.store.port import EXCEPTION_COLUMNS, OPEN, Claimed, Row, Scheduled, Settlement
from mfgsync.store.sql.dialect import Dialect

EXCEPTION = ("kind", "msg_key", "source", "event_type", "entity_key", "codes", "reasons", "owner_role", "payload",
             "outbox_id", "correlation_id", "causation_id", "mapping_version")
UPDATABLE = {"status", "payload", "codes", "reasons", "requested_by", "resolved_by", "resolved_at", "note",
             "last_seen", "times_seen", "original_payload", "kind"}
OUTBOX = ("target", "entity_key", "effect_key", "command", "msg_key", "event_type", "payload", "correlation_id",
          "causation_id", "mapping_version")
SCHEDULE = ("due_at", "effect", "effect_key", "correlation_id", "causation_id", "mapping_version")

# A row is due when nothing earlier of its target and stream is still open (pending or dead):
# that keeps per-stream order, and a dead letter holds its stream back until replayed.
_DUE = (
    "FROM outbox o LEFT JOIN inbox i ON i.msg_key = o.msg_key WHERE o.status = 'pending' "
    "AND o.next_attempt_at <= {now} AND (o.lease_until IS NULL OR o.lease_until <= {now}) "
    "AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.target = o.target AND p.entity_key = o.entity_key "
    "AND p.status IN ('pending', 'dead') AND p.id < o.id)"
)


class QueueWrites:
    c: Connection
    d: Dialect

    # --- exceptions ---
    def add_exceptions(self, rows: list[Row]) -> None:
        columns = EXCEPTION + ("status", "first_seen", "last_seen", "times_seen")
        self.d.many(self.c, self.d.insert("exceptions", columns), [
            {**{c: r.get(c) for c in EXCEPTION}, "status": "open", "first_seen": r["at"], "last_seen": r["at"],
             "times_seen": 1} for r in rows])

    def exception(self, exception_id: int) -> dict[str, Any] | None:
        row = self.d.one(self.c, f"SELECT {', '.join(EXCEPTION_COLUMNS)} FROM exceptions WHERE id = {self.d.p('id')}"
                         + self.d.for_update, {"id": exception_id}).first()
        return dict(zip(EXCEPTION_COLUMNS, row)) if row else None

    def open_exception_keys(self, entity_keys: Iterable[str]) -> set[str]:
        rows = self.d.select_in(self.c, "SELECT DISTINCT entity_key FROM exceptions WHERE status IN "
                                f"({', '.join(repr(s) for s in OPEN)}) AND entity_key {{keys}}", entity_keys)
        return {key for (key,) in rows}

    def open_quarantines(self, correlation_ids: Iterable[str]) -> list[dict[str, Any]]:
        rows = self.d.select_in(self.c, f"SELECT {', '.join(EXCEPTION_COLUMNS)} FROM exceptions WHERE kind = 'quarantine' "
                                f"AND status IN ({', '.join(repr(s) for s in OPEN)}) AND correlation_id {{keys}}",
                                correlation_ids)
        return sorted((dict(zip(EXCEPTION_COLUMNS, row)) for row in rows), key=lambda row: row["id"])

    def update_exception(self, exception_id: int, changes: Row) -> None:
        unknown = set(changes) - UPDATABLE
        if unknown:
            raise ValueError(f"exception columns that cannot be changed: {sorted(unknown)}")
        sets = ", ".join(f"{name} = {self.d.p(name)}" for name in changes)
        self.d.one(self.c, f"UPDATE exceptions SET {sets} WHERE id = {self.d.p('id')}", {**changes, "id": exception_id})

    def resolve_exceptions(self, rows: list[Row], at: str) -> None:
        p = self.d.p
        self.d.many(self.c, f"UPDATE exceptions SET status = 'resolved', resolved_by = {p('by')}, "
                            f"resolved_at = {p('at')}, note = {p('note')} WHERE entity_key = {p('entity_key')} "
                            f"AND codes = {p('code')} AND kind = 'workflow' "
                            f"AND status IN ({', '.join(repr(s) for s in OPEN)})",
                    [{**{k: r[k] for k in ("entity_key", "code", "by", "note")}, "at": at} for r in rows])

    # --- outbox ---
    def add_outbox(self, rows: list[Row]) -> None:
        # In the order given: it is the order of delivery within a stream (ids grow with it). A
        # row (pipeline/effects.outbox_row) goes in as it is: pending, due now, never attempted.
        written = {"status": "'pending'", "attempts": "0", "fence": "0", "next_attempt_at": self.d.p("now"),
                   "created_at": self.d.p("at")}
        self.d.many(self.c, self.d.insert("outbox", OUTBOX, " ON CONFLICT (target, effect_key) DO NOTHING", written),
                    rows)

    def claim(self, now: float, owner: str, lease_seconds: float, limit: int) -> list[Claimed]:
        p = self.d.p
        lock = " FOR UPDATE OF o SKIP LOCKED" if self.d.postgres else ""
        rows = self.d.one(self.c, (
            "SELECT o.id, o.target, o.entity_key, o.effect_key, o.command, o.msg_key, o.event_type, "
            "COALESCE(o.payload, i.envelope), o.attempts, o.fence, o.correlation_id "
            + _DUE.format(now=p("now")) + f" ORDER BY o.id LIMIT {p('limit')}" + lock),
            {"now": now, "limit": limit}).all()
        if not rows:
            return []
        until = now + lease_seconds
        self.d.select_in(self.c, "UPDATE outbox SET lease_owner = {0}, lease_until = {1}, fence = fence + 1 "
                         "WHERE id {keys} RETURNING id", [r[0] for r in rows], owner, until)
        return [Claimed(i, t, e, k, cmd, m, ev, pl, a, f + 1, until, corr)
                for i, t, e, k, cmd, m, ev, pl, a, f, corr in rows]

    def renew(self, ids: list[int], owner: str, until: float) -> set[int]:
        rows = self.d.select_in(self.c, "UPDATE outbox SET lease_until = {0} WHERE lease_owner = {1} "
                                "AND status = 'pending' AND id {keys} RETURNING id", ids, until, owner)
        return {r[0] for r in rows}

    def settle(self, settlements: list[Settlement]) -> set[int]:
        held = {(i, owner, fence) for i, owner, fence in self.d.select_in(
            self.c, "SELECT id, lease_owner, fence FROM outbox WHERE status = 'pending' AND id {keys} ORDER BY id"
            + self.d.for_update, [s.id for s in settlements])}
        valid = [s for s in settlements if (s.id, s.owner, s.fence) in held]
        p = self.d.p
        clear = "attempts = attempts + 1, lease_owner = NULL, lease_until = NULL"
        self.d.many(self.c, f"UPDATE outbox SET status = 'delivered', delivered_at = {p('at')}, {clear} "
                            f"WHERE id = {p('id')}", [{"id": s.id, "at": s.at} for s in valid if s.status == "delivered"])
        self.d.many(self.c, f"UPDATE outbox SET next_attempt_at = {p('retry_at')}, last_error = {p('error')}, {clear} "
                            f"WHERE id = {p('id')}",
                    [{"id": s.id, "retry_at": s.retry_at, "error": (s.error or "")[:2000]}
                     for s in valid if s.status == "retry"])
        self.d.many(self.c, f"UPDATE outbox SET status = 'dead', delivered_at = {p('at')}, last_error = {p('error')}, "
                            f"{clear} WHERE id = {p('id')}",
                    [{"id": s.id, "at": s.at, "error": (s.error or "")[:2000]} for s in valid if s.status == "dead"])
        return {s.id for s in valid}

    def requeue(self, outbox_id: int, now: float) -> bool:
        p = self.d.p
        result = self.d.one(self.c, (
            f"UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = {p('now')}, last_error = NULL, "
            "delivered_at = NULL "
            f"WHERE id = {p('id')} AND status = 'dead'"), {"id": outbox_id, "now": now})
        return result.rowcount == 1

    def discard(self, outbox_id: int) -> None:
        self.d.one(self.c, f"UPDATE outbox SET status = 'discarded' WHERE id = {self.d.p('id')} AND status = 'dead'",
                   {"id": outbox_id})

    # --- scheduled effects ---
    def add_scheduled(self, rows: list[Row]) -> None:
        columns = SCHEDULE + ("status", "fence", "created_at")
        self.d.many(self.c, self.d.insert("schedule", columns, " ON CONFLICT (effect_key) DO NOTHING"), [
            {**{c: r.get(c) for c in SCHEDULE}, "status": "pending", "fence": 0, "created_at": r["at"]}
            for r in sorted(rows, key=lambda r: r["effect_key"])])

    def claim_scheduled(self, now: float, owner: str, lease_seconds: float, limit: int) -> list[Scheduled]:
        p = self.d.p
        rows = self.d.one(self.c, (
            "SELECT id, due_at, effect, effect_key, correlation_id, causation_id, fence FROM schedule "
            f"WHERE status = 'pending' AND due_at <= {p('now')} AND (lease_until IS NULL OR lease_until <= {p('now')}) "
            f"ORDER BY due_at, id LIMIT {p('limit')}" + self.d.skip_locked), {"now": now, "limit": limit}).all()
        if not rows:
            return []
        self.d.select_in(self.c, "UPDATE schedule SET lease_owner = {0}, lease_until = {1}, fence = fence + 1 "
                         "WHERE id {keys} RETURNING id", [r[0] for r in rows], owner, now + lease_seconds)
        return [Scheduled(i, due, effect, key, corr, cause, fence + 1) for i, due, effect, key, corr, cause, fence in rows]

    def fired(self, ids: list[tuple[int, int]], owner: str, at: str) -> set[int]:
        held = {(i, f) for i, f in self.d.select_in(
            self.c, "SELECT id, fence FROM schedule WHERE status = 'pending' AND lease_owner = {0} AND id {keys}"
            + self.d.for_update, [i for i, _ in ids], owner)}
        valid = [i for i, f in ids if (i, f) in held]
        p = self.d.p
        self.d.many(self.c, f"UPDATE schedule SET status = 'fired', fired_at = {p('at')}, lease_owner = NULL, "
                            f"lease_until = NULL WHERE id = {p('id')}", [{"id": i, "at": at} for i in valid])
        return set(valid)

    def cancel_scheduled(self, effect_keys: list[str], at: str) -> None:
        self.d.select_in(self.c, "UPDATE schedule SET status = 'cancelled', fired_at = {0} WHERE status = 'pending' "
                         "AND effect_key {keys} RETURNING id", effect_keys, at)
