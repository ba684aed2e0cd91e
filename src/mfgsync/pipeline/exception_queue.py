"""The exception queue: quarantined messages, dead letters and alerts — list, resolve, replay.

Replaying a quarantined message runs it through the pipeline again (with a corrected payload
if one is given); replaying a dead letter puts its delivery back in line. Event types named in
`approval_required` need a second person: the replay waits in `pending_approval` until someone
other than the requester approves it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import Connection, text

from mfgsync.config import Settings
from mfgsync.pipeline.clock import iso
from mfgsync.adapters.decode import decode
from mfgsync.pipeline.intake import Intake
from mfgsync.store import audit, outbox
from mfgsync.store.audit import AuditEntry
from mfgsync.store.database import Database

OPEN = ("open", "pending_approval")
_COLUMNS = ("id, kind, status, msg_key, source, event_type, entity_key, codes, reasons, owner_role, payload, "
            "outbox_id, first_seen, last_seen, times_seen, requested_by, resolved_by, resolved_at, note")


class ExceptionError(ValueError):
    """An operator request that cannot be carried out (unknown id, wrong state, same approver)."""


@dataclass(frozen=True)
class Outcome:
    id: int
    status: str
    detail: str


def _as_dict(row) -> dict[str, Any]:
    record = dict(row._mapping)
    record["reasons"] = json.loads(record["reasons"])
    record["codes"] = [c for c in record["codes"].split(",") if c]
    record["message_id"] = (record.pop("msg_key") or "").partition("\x1f")[2] or None
    return record


class ExceptionQueue:
    def __init__(self, database: Database, settings: Settings, intake: Intake, clock: Callable[[], float]):
        self.database, self.settings, self.intake, self.clock = database, settings, intake, clock

    def list(self, status: str | None = "open", kind: str | None = None, role: str | None = None,
             code: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
        clauses, params = [], {"limit": limit}
        if status == "open":
            clauses.append("status IN ('open', 'pending_approval')")
        elif status and status != "all":
            clauses.append("status = :status")
            params["status"] = status
        for name, value in (("kind", kind), ("owner_role", role)):
            if value:
                clauses.append(f"{name} = :{name}")
                params[name] = value
        if code:
            clauses.append("(',' || codes || ',') LIKE :code")
            params["code"] = f"%,{code},%"
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self.database.reading() as connection:
            rows = connection.execute(text(f"SELECT {_COLUMNS} FROM exceptions {where} ORDER BY id LIMIT :limit"),
                                      params)
            return [_as_dict(row) for row in rows]

    def get(self, exception_id: int) -> dict[str, Any]:
        with self.database.reading() as connection:
            return _as_dict(self._row(connection, exception_id))

    def _row(self, connection: Connection, exception_id: int):
        row = connection.execute(text(f"SELECT {_COLUMNS} FROM exceptions WHERE id = :id"),
                                 {"id": exception_id}).first()
        if row is None:
            raise ExceptionError(f"no exception {exception_id}")
        return row

    def resolve(self, exception_id: int, actor: str, note: str = "") -> Outcome:
        """Close without replaying (the message is dropped on purpose, or fixed at the source)."""
        with self.database.transaction() as connection:
            row = self._open_row(connection, exception_id)
            if row.kind == "dead_letter":
                outbox.discard(connection, row.outbox_id)
            self._close(connection, exception_id, "resolved", actor, note)
            self._audit(connection, actor, "exception.resolved", exception_id, {"note": note[:500]})
        return Outcome(exception_id, "resolved", note)

    def replay(self, exception_id: int, actor: str, corrected: dict | None = None) -> Outcome:
        with self.database.transaction() as connection:
            row = self._open_row(connection, exception_id)
            payload = _corrected(row.payload, corrected) if corrected is not None else row.payload
            if row.event_type in self.settings.approval_required and row.kind != "alert":
                connection.execute(text(
                    "UPDATE exceptions SET status = 'pending_approval', requested_by = :actor, payload = :payload "
                    "WHERE id = :id"), {"actor": actor, "payload": payload, "id": exception_id})
                self._audit(connection, actor, "exception.replay_requested", exception_id, {})
                return Outcome(exception_id, "pending_approval", f"{row.event_type} needs a second approver")
            return self._perform(connection, row, payload, actor)

    def approve(self, exception_id: int, actor: str) -> Outcome:
        with self.database.transaction() as connection:
            row = self._row(connection, exception_id)
            if row.status != "pending_approval":
                raise ExceptionError(f"exception {exception_id} is {row.status}, not waiting for approval")
            if row.requested_by == actor:
                raise ExceptionError("the approver must be someone other than the requester")
            self._audit(connection, actor, "exception.replay_approved", exception_id,
                        {"requested_by": row.requested_by})
            return self._perform(connection, row, row.payload, actor)

    def _open_row(self, connection: Connection, exception_id: int):
        row = self._row(connection, exception_id)
        if row.status not in OPEN:
            raise ExceptionError(f"exception {exception_id} is already {row.status}")
        return row

    def _perform(self, connection: Connection, row, payload: str, actor: str) -> Outcome:
        if row.kind == "dead_letter":
            outbox.requeue(connection, row.outbox_id, self.clock())
            self._close(connection, row.id, "replayed", actor, "delivery requeued")
            self._audit(connection, actor, "exception.replayed", row.id, {"outbox_id": row.outbox_id})
            return Outcome(row.id, "replayed", "delivery requeued")
        if row.kind == "alert":
            raise ExceptionError("an alert was applied already; resolve it instead")
        decoded = decode(payload, self.settings.max_message_bytes, code_maps=self.settings.mappings)
        report, findings = self.intake.replay(decoded, connection)
        if findings:
            reasons = [{"code": f.code, "message": f.message, "field": f.field} for f in findings]
            connection.execute(text(
                "UPDATE exceptions SET status = 'open', reasons = :reasons, codes = :codes, payload = :payload, "
                "last_seen = :at, times_seen = times_seen + 1 WHERE id = :id"),
                {"reasons": json.dumps(reasons), "codes": ",".join(dict.fromkeys(f.code for f in findings)),
                 "payload": payload, "at": iso(self.clock()), "id": row.id})
            self._audit(connection, actor, "exception.replay_failed", row.id, {"codes": [f.code for f in findings]})
            return Outcome(row.id, "open", "; ".join(f.message for f in findings))
        outcome = "applied" if report.accepted else ("stale" if report.stale else "duplicate")
        connection.execute(text("UPDATE exceptions SET payload = :payload WHERE id = :id"),
                           {"payload": payload, "id": row.id})
        self._close(connection, row.id, "replayed", actor, outcome)
        self._audit(connection, actor, "exception.replayed", row.id, {"outcome": outcome})
        return Outcome(row.id, "replayed", outcome)

    def _close(self, connection: Connection, exception_id: int, status: str, actor: str, note: str) -> None:
        connection.execute(text(
            "UPDATE exceptions SET status = :status, resolved_by = :actor, resolved_at = :at, note = :note "
            "WHERE id = :id"), {"status": status, "actor": actor, "at": iso(self.clock()), "note": note,
                                "id": exception_id})

    def _audit(self, connection: Connection, actor: str, action: str, exception_id: int, detail: dict) -> None:
        audit.append(connection, [AuditEntry(actor, action, f"exception:{exception_id}", detail)], iso(self.clock()))


def _corrected(original: str, corrected: dict) -> str:
    """A corrected envelope (has `type` and `data`) replaces the original; otherwise it is the new `data`."""
    if "type" in corrected and "data" in corrected:
        return json.dumps(corrected, default=str)
    try:
        envelope = json.loads(original)
    except ValueError:
        raise ExceptionError("the original is not JSON: give a whole corrected envelope") from None
    if not isinstance(envelope, dict):
        raise ExceptionError("the original is not a JSON object: give a whole corrected envelope")
    envelope["data"] = corrected
    return json.dumps(envelope, default=str)
