"""The append-only audit log: each row's hash covers its content and the previous row's hash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlalchemy import Connection, text

from mfgsync.store.records import execute_many

GENESIS = "0" * 64
# One encoder for every entry: json.dumps with options builds a new encoder per call.
_detail_json = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str).encode


@dataclass(frozen=True)
class AuditEntry:
    actor: str
    action: str
    subject: str | None
    detail: dict[str, Any]


def _digest(seq: int, at: str, entry: AuditEntry, detail_json: str, prev_hash: str) -> str:
    material = "\x1e".join([str(seq), at, entry.actor, entry.action, entry.subject or "", detail_json, prev_hash])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def append(connection: Connection, entries: Iterable[AuditEntry], at: str) -> None:
    """Append entries inside the caller's transaction (which holds the write lock)."""
    entries = list(entries)
    if not entries:
        return
    head = connection.execute(text("SELECT seq, hash FROM audit_head WHERE id = 1")).first()
    seq, prev = (head[0], head[1]) if head else (0, GENESIS)
    rows = []
    for entry in entries:
        seq += 1
        detail_json = _detail_json(entry.detail)
        digest = _digest(seq, at, entry, detail_json, prev)
        rows.append({"seq": seq, "at": at, "actor": entry.actor, "action": entry.action,
                     "subject": entry.subject, "detail": detail_json, "prev_hash": prev, "hash": digest})
        prev = digest
    execute_many(connection, (
        "INSERT INTO audit (seq, at, actor, action, subject, detail, prev_hash, hash) "
        "VALUES (:seq, :at, :actor, :action, :subject, :detail, :prev_hash, :hash)"), rows)
    connection.execute(text(
        "INSERT INTO audit_head (id, seq, hash) VALUES (1, :seq, :hash) "
        "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash"),
        {"seq": seq, "hash": prev})


@dataclass
class Verification:
    rows: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(connection: Connection) -> Verification:
    """Recompute the chain: an edited, deleted, inserted or truncated row shows as a problem."""
    result = Verification()
    prev, expected_seq = GENESIS, 1
    for row in connection.execute(text(
            "SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit ORDER BY seq")):
        seq, at, actor, action, subject, detail, prev_hash, stored = row
        result.rows += 1
        if seq != expected_seq:
            result.problems.append(f"row {expected_seq} to {seq - 1} missing (deleted rows)")
        if prev_hash != prev:
            result.problems.append(f"row {seq}: does not link to the row before it")
        entry = AuditEntry(actor, action, subject, {})
        if _digest(seq, at, entry, detail, prev_hash) != stored:
            result.problems.append(f"row {seq}: content does not match its hash (edited)")
        prev, expected_seq = stored, seq + 1
    head = connection.execute(text("SELECT seq, hash FROM audit_head WHERE id = 1")).first()
    if head and (head[0] != expected_seq - 1 or head[1] != prev):
        result.problems.append(f"the log ends at row {expected_seq - 1} but its head says {head[0]} "
                               f"(rows removed from the end)")
    if head is None and result.rows:
        result.problems.append("the audit head is missing")
    return result
