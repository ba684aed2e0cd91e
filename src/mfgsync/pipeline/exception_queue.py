"""The exception queue: quarantined messages, dead letters, alerts and workflow exceptions —
list, resolve, replay, approve — for an actor with a role.

An exception is acted on by its owner role or an admin. Replaying a quarantined message runs
it through the pipeline again (with a corrected payload if one is given: it must keep the
original's source, id and type, the original is kept beside it, and the replay's audit entry
lists what changed); replaying a dead letter puts its delivery back in line. Event types named in `approval_required` need a second person:
the replay waits in `pending_approval` until someone other than the requester approves it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

from mfgsync.config import Settings
from mfgsync.pipeline.clock import iso
from mfgsync.pipeline.intake import Intake
from mfgsync.pipeline.releases import RELEASE_TYPES
from mfgsync.store.port import OPEN, AuditEntry, ExceptionPage, Store, UnitOfWork, transact

ROLES = ("engineering", "supply_chain", "warehouse", "planner", "admin")
_MAX_CHANGES, _MAX_VALUE_CHARS = 20, 120  # how much of a correction's diff the audit keeps
_UNREADABLE, _ABSENT = object(), object()  # a payload that is not JSON; a value one side lacks


class ExceptionError(ValueError):
    """An operator request that cannot be carried out (unknown id, wrong state, same approver)."""

    code = "EXCEPTION_STATE"


class NotPermitted(ExceptionError):
    code = "NOT_PERMITTED"


@dataclass(frozen=True)
class Actor:
    """Who acts, and in which role."""
    name: str
    role: str

    def may_act_on(self, owner_role: str) -> bool:
        return self.role == "admin" or self.role == owner_role


@dataclass(frozen=True)
class Outcome:
    id: int
    status: str
    detail: str


def present(record: dict[str, Any]) -> dict[str, Any]:
    """An exception row as operators read it: codes and reasons as lists, the message id."""
    record = dict(record)
    record["reasons"] = json.loads(record["reasons"])
    record["codes"] = [c for c in record["codes"].split(",") if c]
    record["message_id"] = (record.pop("msg_key") or "").partition("\x1f")[2] or None
    return record


class ExceptionQueue:
    def __init__(self, store: Store, settings: Settings, intake: Intake, clock: Callable[[], float]):
        self.store, self.settings, self.intake, self.clock = store, settings, intake, clock

    def page(self, status: str | None = "open", kind: str | None = None, role: str | None = None,
             code: str | None = None, after_id: int = 0, limit: int = 500) -> ExceptionPage:
        with self.store.reading() as read:
            page = read.exceptions(status, kind, role, code, after_id, limit)
        return ExceptionPage([present(r) for r in page.rows], page.more, page.next_after)

    def list(self, status: str | None = "open", kind: str | None = None, role: str | None = None,
             code: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
        return self.page(status, kind, role, code, 0, limit).rows

    def get(self, exception_id: int) -> dict[str, Any]:
        with self.store.reading() as read:
            row = read.exception(exception_id)
        if row is None:
            raise ExceptionError(f"no exception {exception_id}")
        return present(row)

    def resolve(self, exception_id: int, actor: Actor, note: str = "") -> Outcome:
        """Close without replaying (the message is dropped on purpose, or fixed at the source)."""
        def work(uow: UnitOfWork) -> Outcome:
            row = self._open_row(uow, exception_id, actor)
            if row["kind"] == "dead_letter":
                uow.discard(row["outbox_id"])
            self._close(uow, exception_id, "resolved", actor, note)
            self._audit(uow, actor, "exception.resolved", row, {"note": note[:500]})
            return Outcome(exception_id, "resolved", note)
        return transact(self.store, work)

    def replay(self, exception_id: int, actor: Actor, corrected: dict | None = None) -> Outcome:
        def work(uow: UnitOfWork) -> Outcome:
            row = self._open_row(uow, exception_id, actor)
            if row["status"] == "pending_approval":
                # What waits is what the approver will see: it cannot be swapped while it waits.
                raise ExceptionError(f"exception {exception_id} waits for approval of the replay "
                                     f"{row['requested_by']} asked for: approve it, or resolve it")
            if corrected is not None:
                row = self._correct(uow, row, corrected)
            changes = _changes(row) if corrected is not None else {}
            if self._needs_approval(uow, row):
                uow.update_exception(exception_id, {"status": "pending_approval", "requested_by": actor.name})
                self._audit(uow, actor, "exception.replay_requested", row, {"corrected": corrected is not None,
                                                                             **changes})
                return Outcome(exception_id, "pending_approval", "the replay needs a second approver")
            return self._perform(uow, row, actor, changes)
        return transact(self.store, work)

    def approve(self, exception_id: int, actor: Actor) -> Outcome:
        def work(uow: UnitOfWork) -> Outcome:
            row = self._row(uow, exception_id, actor)
            if row["status"] != "pending_approval":
                raise ExceptionError(f"exception {exception_id} is {row['status']}, not waiting for approval")
            if (row["requested_by"] or "").casefold() == actor.name.casefold():
                raise NotPermitted("the approver must be someone other than the requester")
            self._audit(uow, actor, "exception.replay_approved", row, {"requested_by": row["requested_by"]})
            return self._perform(uow, row, actor, approved=True)
        return transact(self.store, work)

    def _correct(self, uow: UnitOfWork, row: dict, corrected: dict) -> dict:
        """Store the correction beside the original (kept from the first correction on)."""
        if row["kind"] != "quarantine":
            raise ExceptionError(f"a {row['kind']} exception takes no correction; replay it without --data")
        fields = {"payload": _corrected(row["payload"], row["event_type"], corrected),
                  "original_payload": row["original_payload"] or row["payload"]}
        uow.update_exception(row["id"], fields)
        return {**row, **fields}

    def _needs_approval(self, uow: UnitOfWork, row: dict) -> bool:
        """Judged on what would be applied: the original's type and the replayed payload's, and
        those of the held parts of its release, which a replay applies with it."""
        if row["kind"] in ("alert", "workflow"):
            return False
        types = {row["event_type"], _event_type(row["payload"])} - {None}
        if row["kind"] == "quarantine" and row["correlation_id"] and row["event_type"] in RELEASE_TYPES:
            types |= {x["event_type"] for x in uow.open_quarantines([row["correlation_id"]])
                      if x["event_type"] in RELEASE_TYPES}
        return any(t in self.settings.approval_required for t in types)

    def _row(self, uow: UnitOfWork, exception_id: int, actor: Actor) -> dict:
        row = uow.exception(exception_id)
        if row is None:
            raise ExceptionError(f"no exception {exception_id}")
        if not actor.may_act_on(row["owner_role"]):
            raise NotPermitted(f"exception {exception_id} belongs to {row['owner_role']}; "
                               f"{actor.name} acts as {actor.role}")
        return row

    def _open_row(self, uow: UnitOfWork, exception_id: int, actor: Actor) -> dict:
        row = self._row(uow, exception_id, actor)
        if row["status"] not in OPEN:
            raise ExceptionError(f"exception {exception_id} is already {row['status']}")
        return row

    def _perform(self, uow: UnitOfWork, row: dict, actor: Actor, changes: dict | None = None,
                 approved: bool = False) -> Outcome:
        if row["kind"] == "dead_letter":
            uow.requeue(row["outbox_id"], self.clock())
            self._close(uow, row["id"], "replayed", actor, "delivery requeued")
            self._audit(uow, actor, "exception.replayed", row, {"outbox_id": row["outbox_id"]})
            return Outcome(row["id"], "replayed", "delivery requeued")
        if row["kind"] in ("alert", "workflow"):
            raise ExceptionError(f"a {row['kind']} exception has nothing to replay; resolve it instead")
        report, findings = self.intake.replay(self.intake.decode_kept(row["payload"]), uow, approved)
        if findings:
            reasons = [{"code": f.code, "message": f.message, "field": f.field} for f in findings]
            uow.update_exception(row["id"], {
                "status": "open", "reasons": json.dumps(reasons), "codes": ",".join(dict.fromkeys(f.code for f in findings)),
                "last_seen": iso(self.clock()), "times_seen": row["times_seen"] + 1})
            self._audit(uow, actor, "exception.replay_failed", row, {"codes": [f.code for f in findings],
                                                                      **(changes or {})})
            return Outcome(row["id"], "open", "; ".join(f.message for f in findings))
        outcome = "applied" if report.accepted else ("stale" if report.stale else "duplicate")
        self._close(uow, row["id"], "replayed", actor, outcome)
        self._audit(uow, actor, "exception.replayed", row, {"outcome": outcome, **(changes or {})})
        return Outcome(row["id"], "replayed", outcome)

    def _close(self, uow: UnitOfWork, exception_id: int, status: str, actor: Actor, note: str) -> None:
        uow.update_exception(exception_id, {"status": status, "resolved_by": actor.name,
                                            "resolved_at": iso(self.clock()), "note": note})

    def _audit(self, uow: UnitOfWork, actor: Actor, action: str, row: dict, detail: dict) -> None:
        uow.audit([AuditEntry(actor.name, action, f"exception:{row['id']}", {**detail, "role": actor.role},
                              row.get("correlation_id"))], iso(self.clock()))


def _event_type(payload: str | None) -> str | None:
    document = _json(payload)
    return document.get("type") if isinstance(document, dict) and isinstance(document.get("type"), str) else None


def _corrected(original: str | None, original_type: str | None, corrected: dict) -> str:
    """A corrected envelope (has `type` and `data`) replaces the original, keeping the source, id
    and type the original has (the type also when only the quarantine recorded it); anything
    else is the new `data`. An unreadable original may be replaced by any envelope: its type
    then decides approval."""
    envelope = _json(original)
    if "type" in corrected and "data" in corrected:
        kept = dict(envelope) if isinstance(envelope, dict) else {}
        kept.setdefault("type", original_type)
        changed = [name for name in ("source", "id", "type")
                   if kept.get(name) is not None and corrected.get(name) != kept[name]]
        if changed:
            raise ExceptionError(f"a corrected envelope must keep the original's {', '.join(changed)} "
                                 f"({', '.join(f'{n} {kept[n]!r}' for n in changed)})")
        return json.dumps(corrected, default=str)
    if not isinstance(envelope, dict):
        raise ExceptionError("the original is not a JSON object: give a whole corrected envelope")
    envelope["data"] = corrected
    return json.dumps(envelope, default=str)


def _json(text: str | None) -> Any:
    try:
        return json.loads(text or "")
    except ValueError:
        return _UNREADABLE


def _changes(row: dict) -> dict:
    """What a correction changed, for the audit: JSON paths with old and new values, bounded."""
    old, new = _json(row["original_payload"]), _json(row["payload"])
    if old is _UNREADABLE:
        old = row["original_payload"] or ""
    found = list(_diff(old, new, "$"))
    listed = [{"path": path, **{k: _short(v) for k, v in (("old", a), ("new", b)) if v is not _ABSENT}}
              for path, a, b in found[:_MAX_CHANGES]]
    return {"changes": listed, **({"changes_omitted": len(found) - _MAX_CHANGES}
                                  if len(found) > _MAX_CHANGES else {})}


def _diff(old: Any, new: Any, path: str):
    """(path, old, new) for every leaf that differs; a value that is absent on one side is _ABSENT."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            yield from _diff(old.get(key, _ABSENT), new.get(key, _ABSENT), f"{path}.{key}")
    elif isinstance(old, list) and isinstance(new, list):
        for n in range(max(len(old), len(new))):
            yield from _diff(old[n] if n < len(old) else _ABSENT, new[n] if n < len(new) else _ABSENT,
                             f"{path}[{n}]")
    elif old != new or type(old) is not type(new):
        yield path, old, new


def _short(value: Any) -> Any:
    """A value as the audit keeps it: scalars as they are, anything longer than a line cut."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    if len(text) <= _MAX_VALUE_CHARS:
        return value
    return text[:_MAX_VALUE_CHARS] + "…"
