"""The memory store's read side: queries over one committed state, which nothing changes."""

from __future__ import annotations

import json
from decimal import Decimal
from collections import Counter
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from mfgsync.model import keys
from mfgsync.store.lineage import node, tree
from mfgsync.store.memory_outbox import WAITING, is_due, stream_heads
from mfgsync.store.port import OPEN, Backlog, ExceptionPage, InboxFigures

if TYPE_CHECKING:
    from mfgsync.store.memory import MemoryState

_BALANCE_FIELDS = ("item_id", "plant_id", "location_id", "lot_id", "status", "qty", "uom")
_LEDGER_FIELDS = ("kind", "qty", "uom", "msg_key", "at")
_MESSAGE_FIELDS = ("msg_key", "source", "message_id", "event_type", "entity_key", "correlation_id", "outcome",
                   "received_at", "envelope")
_DELIVERY_FIELDS = ("id", "target", "status", "msg_key", "event_type", "entity_key", "created_at", "delivered_at")


class MemoryReadSide:
    def __init__(self, state: MemoryState) -> None:
        self.state = state

    # --- entities and history ---
    def entity(self, key: str) -> dict[str, Any] | None:
        row = self.state.entities.get(key)
        return json.loads(row["data"]) if row else None

    def entities_of_type(self, entity_type: str) -> list[dict[str, Any]]:
        return [json.loads(row["data"]) for _, row in sorted(self.state.entities.items())
                if row["entity_type"] == entity_type]

    def entities_of_ref(self, entity_type: str, ref: str) -> list[dict[str, Any]]:
        return [json.loads(row["data"]) for _, row in sorted(self.state.entities.items())
                if row["entity_type"] == entity_type and row["ref"] == ref]

    def history(self, entity_key: str) -> list[dict[str, Any]]:
        applied = [row for row in self.state.inbox.values()
                   if row["entity_key"] == entity_key and row["outcome"] == "applied"]
        # A message without a token sorts after those with one, as PostgreSQL orders NULLs.
        applied.sort(key=lambda row: (row["seq_token"] is None, row["seq_token"] or "", row["received_at"]))
        return [json.loads(row["envelope"]) for row in applied]

    # --- stock ---
    def balances(self, item_id: str | None = None) -> list[dict[str, Any]]:
        return [{name: row[name] for name in _BALANCE_FIELDS} for _, row in sorted(self.state.balances.items())
                if item_id is None or row["item_id"] == item_id]

    def balances_as_of(self, at: str) -> list[dict[str, Any]]:
        qty: dict[str, Decimal] = {}
        for row in self.state.ledger:
            if row["at"] <= at:
                key = row["balance_key"]
                qty[key] = row["qty"] if row["kind"] == "count" else qty.get(key, Decimal(0)) + row["qty"]
        return [{**{name: row[name] for name in _BALANCE_FIELDS}, "qty": qty[key]}
                for key, row in sorted(self.state.balances.items()) if key in qty]

    def ledger(self, balance_key: str) -> list[dict[str, Any]]:
        return [{name: row[name] for name in _LEDGER_FIELDS} for row in self.state.ledger
                if row["balance_key"] == balance_key]

    # --- exceptions ---
    def exceptions(self, status: str | None = "open", kind: str | None = None, role: str | None = None,
                   code: str | None = None, after_id: int = 0, limit: int = 500) -> ExceptionPage:
        matching = [dict(row) for xid, row in sorted(self.state.exceptions.items())
                    if xid > after_id and _matches(row, status, kind, role, code)]
        page, more = matching[:limit], len(matching) > limit
        return ExceptionPage(page, more, page[-1]["id"] if more else None)

    def exception(self, exception_id: int) -> dict[str, Any] | None:
        row = self.state.exceptions.get(exception_id)
        return dict(row) if row else None

    def open_exceptions(self) -> list[tuple[str, str, int, str]]:
        groups: dict[tuple[str, str], list[str]] = {}
        for row in self.state.exceptions.values():
            if row["status"] in OPEN:
                groups.setdefault((row["kind"], row["owner_role"]), []).append(row["first_seen"])
        return [(kind, role, len(seen), min(seen)) for (kind, role), seen in sorted(groups.items())]

    # --- figures ---
    def inbox_figures(self) -> InboxFigures:
        rows = self.state.inbox.values()
        return InboxFigures(dict(Counter(row["outcome"] for row in rows)),
                            sum(row["times_seen"] - 1 for row in rows))

    def outbox_counts(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for row in self.state.outbox.values():
            by_status = counts.setdefault(row["target"], {})
            by_status[row["status"]] = by_status.get(row["status"], 0) + 1
        return dict(sorted(counts.items()))

    def failed_attempts(self) -> int:
        return sum(1 for row in self.state.outbox.values() if row["attempts"] > 0 and row["last_error"] is not None)

    def propagation(self, event_type: str) -> list[tuple[str, str | None, int]]:
        deliveries: dict[str, list[dict]] = {}
        for row in self.state.outbox.values():
            deliveries.setdefault(row["msg_key"], []).append(row)
        result = []
        for key, message in self.state.inbox.items():
            rows = deliveries.get(key)
            if message["event_type"] == event_type and rows:
                done = [row["delivered_at"] for row in rows if row["delivered_at"] is not None]
                result.append((message["received_at"], max(done, default=None),
                               sum(1 for row in rows if row["status"] != "delivered")))
        return sorted(result, key=lambda r: r[0])

    def backlog(self, now: float) -> Backlog:
        pending = [row for row in self.state.outbox.values() if row["status"] == "pending"]
        leased = [row["lease_until"] for row in pending if row["lease_until"] is not None and row["lease_until"] > now]
        later = [row["next_attempt_at"] for row in pending if row["next_attempt_at"] > now]  # retries, mostly
        return Backlog(
            pending=len(pending),
            due_now=sum(1 for row in stream_heads(self.state.outbox) if is_due(row, now)),
            leased=len(leased), lease_ends_at=max(leased, default=None), next_retry_at=min(later, default=None),
            held_by_dead_letter=_held_by_dead_letters(self.state.outbox),
            dead=sum(1 for row in self.state.outbox.values() if row["status"] == "dead"))

    def scheduled_due(self, now: float) -> int:
        return sum(1 for row in self.state.scheduled.values() if row["status"] == "pending" and row["due_at"] <= now)

    # --- what reconciliation and the KPIs read ---
    def entities_of_refs(self, entity_type: str, refs: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        wanted, found = set(refs), {}
        for _, row in sorted(self.state.entities.items()):
            if row["entity_type"] == entity_type and row["ref"] in wanted:
                found.setdefault(row["ref"], []).append(json.loads(row["data"]))
        return found

    def messages(self, event_types: Iterable[str], outcomes: Iterable[str] | None = None) -> list[dict[str, Any]]:
        types, outcomes = set(event_types), None if outcomes is None else set(outcomes)
        rows = [{name: row.get(name) for name in _MESSAGE_FIELDS} for row in self.state.inbox.values()
                if row["event_type"] in types and (outcomes is None or row["outcome"] in outcomes)]
        return sorted(rows, key=lambda row: row["received_at"])

    def inbox_by_source(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for row in self.state.inbox.values():
            by_outcome = counts.setdefault(row["source"], {})
            by_outcome[row["outcome"]] = by_outcome.get(row["outcome"], 0) + 1
        return dict(sorted(counts.items()))

    def base_units(self, item_ids: Iterable[str]) -> dict[str, str]:
        found = {}
        for item_id in set(item_ids):
            row = self.state.entities.get(keys.item(item_id))
            base = json.loads(row["data"]).get("base_uom") if row else None
            if base:
                found[item_id] = base
        return found

    def deliveries(self, event_types: Iterable[str], statuses: Iterable[str] | None = None) -> list[dict[str, Any]]:
        types, statuses = set(event_types), None if statuses is None else set(statuses)
        found = []
        for oid, row in self.state.outbox.items():
            if row["event_type"] in types and (statuses is None or row["status"] in statuses):
                cause = self.state.inbox.get(row["msg_key"]) or {}
                found.append({**{name: row[name] for name in _DELIVERY_FIELDS},
                              **{name: cause.get(name) for name in ("source", "received_at", "envelope")}})
        return found

    # --- lineage and audit ---
    def lineage(self, correlation_id: str) -> list[dict[str, Any]]:
        return tree(list(_lineage_nodes(self.state, correlation_id)))

    def audit_rows(self) -> Iterator[tuple]:
        return iter(self.state.audit)

    def audit_head(self) -> tuple[int, str] | None:
        return self.state.audit_head

    def ping(self) -> None:
        pass


def _matches(row: dict, status: str | None, kind: str | None, role: str | None, code: str | None) -> bool:
    if status == "open" and row["status"] not in OPEN:
        return False
    if status not in (None, "open", "all") and row["status"] != status:
        return False
    return ((kind is None or row["kind"] == kind) and (role is None or row["owner_role"] == role)
            and (code is None or code in (row["codes"] or "").split(",")))


def _held_by_dead_letters(outbox: dict[int, dict]) -> int:
    """Pending rows behind a dead letter of their stream."""
    blocked: set[tuple[str, str]] = set()
    held = 0
    for row in outbox.values():
        if row["status"] not in WAITING:
            continue
        stream = (row["target"], row["entity_key"])
        if stream in blocked and row["status"] == "pending":
            held += 1
        if row["status"] == "dead":
            blocked.add(stream)
    return held


def _lineage_nodes(state: MemoryState, correlation_id: str) -> Iterator[dict[str, Any]]:
    """Every row of the correlation id as a node, its parent the node id of its cause."""
    for key, row in state.inbox.items():
        if row.get("correlation_id") == correlation_id:
            yield node(f"message:{key}", row.get("causation_id"), "message", row["source"], row["event_type"],
                       row["entity_key"], row["outcome"], row["received_at"])
    for oid, row in state.outbox.items():
        if row["correlation_id"] == correlation_id:
            yield node(f"effect:{oid}", row["causation_id"], "effect", row["target"], row["event_type"],
                       row["entity_key"], row["status"], row["created_at"])
            if row["status"] in ("delivered", "dead"):
                yield node(f"delivery:{oid}", f"effect:{oid}", "delivery", row["target"], row["event_type"],
                           row["entity_key"], row["status"], row["delivered_at"])
    for xid, row in state.exceptions.items():
        if row["correlation_id"] == correlation_id:
            yield node(f"exception:{xid}", row["causation_id"], "exception", row["owner_role"], row["event_type"],
                       row["entity_key"], row["status"], row["first_seen"])
    for sid, row in state.scheduled.items():
        if row["correlation_id"] == correlation_id:
            target = json.loads(row["effect"]).get("target")
            yield node(f"schedule:{sid}", row["causation_id"], "schedule", target, None, None, row["status"],
                       row["created_at"])
