"""The audit log's hash chain, apart from any storage: each row's hash covers its content and the
previous row's hash, and a head records the newest link, so an edited, deleted, inserted or
truncated row shows when the chain is recomputed. Every store links and verifies with these.

Anchors against what a chain alone cannot show:
- with a key (MFGSYNC_AUDIT_KEY), each link is an HMAC, so a chain rewritten end to end with
  the public algorithm no longer verifies;
- the number of message decisions in the log is checked against the messages in the inbox,
  so a wiped log, or one cut short with its head moved back, shows while the inbox stands;
- an anchor (a row's seq and hash, exported with `mfgsync audit anchor` and kept elsewhere)
  must still be in the log, unchanged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

import msgspec

if TYPE_CHECKING:
    from mfgsync.store.port import AuditEntry

GENESIS = "0" * 64
# An entry's detail as compact JSON with sorted keys, anything JSON has no type for as its text.
# The chain covers the stored text itself (verify recomputes from it), so rows written by an
# earlier encoder still verify.
_detail_encode = msgspec.json.Encoder(order="sorted", enc_hook=str).encode
_detail_escaped = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str).encode


def detail_json(detail: Any) -> str:
    try:
        return _detail_encode(detail).decode()
    except UnicodeEncodeError:  # a lone surrogate: escaped, as both stores can keep it
        return _detail_escaped(detail)


LINEAGE = ("correlation_id", "causation_id", "mapping_version")


def digest(seq: int, at: str, actor: str, action: str, subject: str | None, detail_json: str,
           prev_hash: str, key: bytes | None = None, lineage: tuple = (None, None, None)) -> str:
    """A row's link. Its lineage ids are covered too, when it has any (rows without keep the
    material they always had)."""
    parts = [str(seq), at, actor, action, subject or "", detail_json, prev_hash]
    if any(lineage):
        parts += [value or "" for value in lineage]
    material = "\x1e".join(parts).encode("utf-8")
    if key:
        return hmac.new(key, material, hashlib.sha256).hexdigest()
    return hashlib.sha256(material).hexdigest()


def link(entries: Iterable[AuditEntry], at: str, head: tuple[int, str] | None,
         key: bytes | None = None) -> list[dict[str, Any]]:
    """The rows that append `entries` after `head` (None: an empty log); the last row is the new head.

    Keys: seq, at, actor, action, subject, detail, prev_hash, hash, correlation_id, causation_id,
    mapping_version."""
    seq, prev = head if head else (0, GENESIS)
    rows = []
    for entry in entries:
        seq += 1
        detail = detail_json(entry.detail)
        lineage = (entry.correlation_id, entry.causation_id, entry.mapping_version)
        hashed = digest(seq, at, entry.actor, entry.action, entry.subject, detail, prev, key, lineage)
        rows.append({"seq": seq, "at": at, "actor": entry.actor, "action": entry.action, "subject": entry.subject,
                     "detail": detail, "prev_hash": prev, "hash": hashed, "correlation_id": lineage[0],
                     "causation_id": lineage[1], "mapping_version": lineage[2]})  # LINEAGE's order
        prev = hashed
    return rows


@dataclass
class Verification:
    rows: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(rows: Iterable[tuple], head: tuple[int, str] | None, key: bytes | None = None,
           inbox_messages: int | None = None, anchor: tuple[int, str] | None = None) -> Verification:
    """Recompute the chain of `rows` — (seq, at, actor, action, subject, detail, prev_hash, hash,
    correlation_id, causation_id, mapping_version) by seq — against the stored `head` (seq, hash),
    the inbox's message count and an anchor."""
    result = Verification()
    prev, expected_seq, decisions, anchored = GENESIS, 1, 0, anchor is None
    for seq, at, actor, action, subject, detail, prev_hash, stored, *lineage in rows:
        result.rows += 1
        decisions += action.startswith("message.")
        if seq != expected_seq:
            result.problems.append(f"row {expected_seq} to {seq - 1} missing (deleted rows)")
        if prev_hash != prev:
            result.problems.append(f"row {seq}: does not link to the row before it")
        if digest(seq, at, actor, action, subject, detail, prev_hash, key, tuple(lineage)) != stored:
            result.problems.append(f"row {seq}: content does not match its hash (edited)")
        anchored = anchored or (seq, stored) == anchor
        prev, expected_seq = stored, seq + 1
    if head and (head[0] != expected_seq - 1 or head[1] != prev):
        result.problems.append(f"the log ends at row {expected_seq - 1} but its head says {head[0]} "
                               f"(rows removed from the end)")
    if head is None and result.rows:
        result.problems.append("the audit head is missing")
    if inbox_messages is not None and decisions < inbox_messages:
        result.problems.append(f"the log records {decisions} message decisions but the inbox holds "
                               f"{inbox_messages} messages (rows, or the whole log, removed)")
    if not anchored:
        result.problems.append(f"the anchored row {anchor[0]} is not in the log with its hash (rewritten or cut)")
    return result
