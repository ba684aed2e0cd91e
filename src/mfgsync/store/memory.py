"""The store in memory, for unit tests of workflows: the port's contract on plain dicts and lists.

A unit of work holds one lock from start to end, so units run one at a time (serialisable, like
SQLite's single writer). It works on a copy of the committed state and publishes it on commit,
so a unit that raises leaves nothing behind and a reader always sees a whole committed state.
The copy is shallow: rows are never changed in place but replaced (`replace_row`), so the
committed rows stay as they were until the copy is published.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator

from mfgsync.store import audit_chain, stock_counts
from mfgsync.store.memory_outbox import OutboxUnit
from mfgsync.store.memory_read import MemoryReadSide
from mfgsync.store.port import (
    EXCEPTION_COLUMNS, OPEN, AuditEntry, Conflict, Row, StoredEntity,
)

# What update_exception may set: the port's list, and kind (a quarantine can become another kind).
UPDATABLE_EXCEPTION = {"status", "payload", "codes", "reasons", "requested_by", "resolved_by", "resolved_at",
                       "note", "last_seen", "times_seen", "original_payload", "kind"}


@dataclass
class MemoryState:
    inbox: dict[str, dict] = field(default_factory=dict)  # msg_key -> row
    entities: dict[str, dict] = field(default_factory=dict)  # entity_key -> row
    balances: dict[str, dict] = field(default_factory=dict)  # balance_key -> InventoryBalance row
    ledger: list[dict] = field(default_factory=list)
    exceptions: dict[int, dict] = field(default_factory=dict)
    outbox: dict[int, dict] = field(default_factory=dict)  # by id, so in the order queued
    effects: dict[tuple[str, str], int] = field(default_factory=dict)  # (target, effect_key) -> outbox id
    scheduled: dict[int, dict] = field(default_factory=dict)
    scheduled_keys: dict[str, int] = field(default_factory=dict)  # effect_key -> scheduled id
    audit: list[tuple] = field(default_factory=list)
    audit_head: tuple[int, str] | None = None
    last_ids: dict[str, int] = field(default_factory=dict)  # table -> last id handed out

    def copy(self) -> MemoryState:
        return MemoryState(**{f.name: _shallow(getattr(self, f.name)) for f in fields(self)})

    def next_id(self, table: str) -> int:
        self.last_ids[table] = self.last_ids.get(table, 0) + 1
        return self.last_ids[table]


def _shallow(value: Any) -> Any:
    return value.copy() if isinstance(value, (dict, list, set)) else value


def replace_row(table: dict, key: Any, **changes: Any) -> None:
    """Change a row by replacing it: the committed state may still share the old one."""
    table[key] = {**table[key], **changes}


class MemoryStore:
    kind = "memory"

    def __init__(self, audit_key: bytes | None = None) -> None:
        self._state = MemoryState()
        self._audit_key = audit_key
        self._lock = threading.RLock()
        self._writer: int | None = None  # the thread inside a unit of work

    @contextmanager
    def writing(self, while_committing: Callable[[], AbstractContextManager] = nullcontext) -> Iterator[MemoryUnitOfWork]:
        with self._lock:
            if self._writer == threading.get_ident():
                # Both units would publish a copy of the same state: one would lose the other's work.
                raise RuntimeError("a unit of work is already open in this thread")
            self._writer = threading.get_ident()
            try:
                unit = MemoryUnitOfWork(self._state.copy())
                yield unit
                unit.chain_audit(self._audit_key)
                with while_committing():
                    self._state = unit.state
            finally:
                self._writer = None

    @contextmanager
    def reading(self) -> Iterator[MemoryReadSide]:
        yield MemoryReadSide(self._state)  # committed states are never changed, only replaced

    def close(self) -> None:
        pass


class MemoryUnitOfWork(OutboxUnit):
    def __init__(self, state: MemoryState) -> None:
        self.state = state
        self._audit: list[tuple[list[AuditEntry], str]] = []

    # --- inbox ---
    def inbox_seen(self, keys: Iterable[str]) -> dict[str, tuple[str, str | None]]:
        inbox = self.state.inbox
        return {k: (inbox[k]["outcome"], inbox[k].get("content_hash")) for k in set(keys) if k in inbox}

    def add_inbox(self, rows: list[Row]) -> None:
        keys = [row["msg_key"] for row in rows]
        if len(set(keys)) != len(keys) or any(k in self.state.inbox for k in keys):
            raise Conflict("a message key is already in the inbox")
        for row in rows:
            self.state.inbox[row["msg_key"]] = {**row, "times_seen": 1}

    def update_inbox(self, rows: list[Row]) -> None:
        for row in rows:
            if row["msg_key"] in self.state.inbox:
                replace_row(self.state.inbox, row["msg_key"], **{
                    name: row[name] for name in ("outcome", "entity_key", "seq_token", "content_hash", "envelope")})

    def count_repeats(self, keys: list[str], at: str) -> None:
        inbox, exceptions = self.state.inbox, self.state.exceptions
        for key in keys:
            if key in inbox:
                replace_row(inbox, key, times_seen=inbox[key]["times_seen"] + 1)
            for xid, x in list(exceptions.items()):
                if x["msg_key"] == key and x["kind"] == "quarantine" and x["status"] in OPEN:
                    replace_row(exceptions, xid, times_seen=x["times_seen"] + 1, last_seen=at)

    def supersede_quarantines(self, keys: list[str], at: str) -> None:
        exceptions, keys = self.state.exceptions, set(keys)
        for xid, x in list(exceptions.items()):
            if x["msg_key"] in keys and x["kind"] == "quarantine" and x["status"] in OPEN:
                replace_row(exceptions, xid, status="resolved", resolved_by="pipeline", resolved_at=at,
                            note="superseded by a corrected resend")

    # --- entities ---
    def entity_rows(self, keys: Iterable[str]) -> dict[str, StoredEntity]:
        entities = self.state.entities
        return {k: StoredEntity(entities[k]["tokens"], entities[k]["data"], entities[k]["version"])
                for k in set(keys) if k in entities}

    def entities_by_refs(self, entity_types: Iterable[str],
                         refs: Iterable[str]) -> dict[tuple[str, str], dict[str, str]]:
        types, refs = set(entity_types), set(refs)
        found: dict[tuple[str, str], dict[str, str]] = {}
        for key, row in sorted(self.state.entities.items()):
            if row["entity_type"] in types and row["ref"] in refs:
                found.setdefault((row["entity_type"], row["ref"]), {})[key] = row["data"]
        return found

    def entities_of_type(self, entity_type: str) -> list[str]:
        return [row["data"] for _, row in sorted(self.state.entities.items()) if row["entity_type"] == entity_type]

    def type_fingerprint(self, entity_type: str) -> tuple[int, int]:
        versions = [row["version"] for row in self.state.entities.values() if row["entity_type"] == entity_type]
        return len(versions), sum(versions)

    def put_entities(self, rows: list[Row]) -> None:
        versions = {k: row["version"] for k, row in self.state.entities.items()}
        for row in rows:  # all checked before any is written; a key twice in one batch is stale the second time
            if versions.get(row["entity_key"], 0) != row["version"]:
                raise Conflict(f"{row['entity_key']} changed since version {row['version']}")
            versions[row["entity_key"]] = row["version"] + 1
        for row in rows:
            self.state.entities[row["entity_key"]] = {
                **{name: row[name] for name in ("entity_key", "entity_type", "ref", "tokens", "data",
                                                "updated_at", "msg_key")},
                "version": row["version"] + 1}

    # --- stock ---
    def balances(self, keys: Iterable[str]) -> dict[str, Decimal]:
        balances = self.state.balances
        return {k: balances[k]["qty"] for k in set(keys) if k in balances}

    def stock_of(self, item_id: str) -> list[dict[str, Any]]:
        return MemoryReadSide(self.state).balances(item_id)

    def move_stock(self, rows: list[Row]) -> None:
        for row in rows:
            held = self.state.balances.get(row["balance_key"])
            self._set_balance(row, (held["qty"] if held else Decimal(0)) + row["delta"])
            self._record("delta", row["delta"], row)

    def count_stock(self, rows: list[Row]) -> None:
        for row in rows:
            qty = row["qty"] + self._moved_since_counted(row)
            self._set_balance(row, qty)
            self._record("count", qty, row)

    def _moved_since_counted(self, row: Row) -> Decimal:
        """The net of the balance's deltas that occurred after the count was taken (see stock_counts)."""
        key, counted_at = row["balance_key"], row.get("counted_at")
        if not stock_counts.booked_since(counted_at, self.state.balances.get(key, {}).get("updated_at")):
            return Decimal(0)
        inbox = self.state.inbox
        return stock_counts.moved_after(counted_at, (
            (r["qty"], r["at"], inbox.get(r["msg_key"], {}).get("envelope"))
            for r in self.state.ledger if r["balance_key"] == key and r["kind"] == "delta"))

    def _set_balance(self, row: Row, qty: Decimal) -> None:
        self.state.balances[row["balance_key"]] = {
            **{name: row[name] for name in ("item_id", "plant_id", "location_id", "lot_id", "status", "uom")},
            "qty": Decimal(qty), "updated_at": row["at"]}

    def _record(self, kind: str, qty: Decimal, row: Row) -> None:
        self.state.ledger.append({"balance_key": row["balance_key"], "kind": kind, "qty": Decimal(qty),
                                  "uom": row["uom"], "msg_key": row.get("msg_key"), "at": row["at"],
                                  "correlation_id": row.get("correlation_id")})

    # --- exceptions ---
    def add_exceptions(self, rows: list[Row]) -> None:
        for row in rows:
            xid = self.state.next_id("exceptions")
            self.state.exceptions[xid] = {
                **{name: row.get(name) for name in EXCEPTION_COLUMNS},
                "id": xid, "status": "open", "first_seen": row["at"], "last_seen": row["at"], "times_seen": 1}

    def exception(self, exception_id: int) -> dict[str, Any] | None:
        row = self.state.exceptions.get(exception_id)
        return dict(row) if row else None

    def open_exception_keys(self, entity_keys: Iterable[str]) -> set[str]:
        wanted = set(entity_keys)
        return {x["entity_key"] for x in self.state.exceptions.values()
                if x["status"] in OPEN and x["entity_key"] in wanted}

    def open_quarantines(self, correlation_ids: Iterable[str]) -> list[dict[str, Any]]:
        wanted = set(correlation_ids)
        return [dict(x) for _, x in sorted(self.state.exceptions.items())
                if x["kind"] == "quarantine" and x["status"] in OPEN and x["correlation_id"] in wanted]

    def update_exception(self, exception_id: int, changes: Row) -> None:
        unknown = set(changes) - UPDATABLE_EXCEPTION
        if unknown:
            raise ValueError(f"exception columns that cannot be changed: {sorted(unknown)}")
        if exception_id in self.state.exceptions:
            replace_row(self.state.exceptions, exception_id, **changes)

    def resolve_exceptions(self, rows: list[Row], at: str) -> None:
        for row in rows:
            for xid, x in list(self.state.exceptions.items()):
                if x["status"] in OPEN and x["kind"] == "workflow" and x["entity_key"] == row["entity_key"] \
                        and x["codes"] == row["code"]:
                    replace_row(self.state.exceptions, xid, status="resolved", resolved_by=row["by"],
                                resolved_at=at, note=row["note"])

    # --- audit ---
    def audit(self, entries: list[AuditEntry], at: str) -> None:
        self._audit.append((list(entries), at))

    def chain_audit(self, key: bytes | None) -> None:
        """Link this unit's entries after the log's head, as the unit commits."""
        for entries, at in self._audit:
            rows = audit_chain.link(entries, at, self.state.audit_head, key)
            self.state.audit += [(r["seq"], r["at"], r["actor"], r["action"], r["subject"], r["detail"],
                                  r["prev_hash"], r["hash"], *(r[name] for name in audit_chain.LINEAGE))
                                 for r in rows]
            if rows:
                self.state.audit_head = (rows[-1]["seq"], rows[-1]["hash"])
