"""A release is published whole, also across deliveries and replays.

The BOMs, routings and ECO of one correlation id are one release: applied all together or not at
all. A part that fails its rules is quarantined, and the parts judged beside it are held back
with it (RELEASE_INCOMPLETE). When another part of that release comes in later — the sender's
corrected resend, a part sent on its own — or an operator replays one of them, the parts still
held are judged again beside it, in the same batch: the fix publishes the whole release, or
nothing of it. A held part of a type whose replay needs a second person's approval is never
applied by a message that comes along: its release stays held until that replay is approved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable

from mfgsync.adapters.decode import Decoded
from mfgsync.envelope import EventType
from mfgsync.pipeline.batch import Batch
from mfgsync.rules.findings import Finding
from mfgsync.store.port import AuditEntry, UnitOfWork

RELEASE_PARTS = {EventType.bom_released, EventType.routing_released, EventType.eco_approved}
RELEASE_TYPES = {t.value for t in RELEASE_PARTS}


def release_of(d: Decoded) -> str | None:
    """The release (correlation id) a message is a part of, if it is one."""
    if d.envelope is None or d.event_type not in RELEASE_TYPES:
        return None
    return d.envelope.correlationid


@dataclass(frozen=True)
class HeldPart:
    exception: dict  # its open quarantine, as stored
    decoded: Decoded


@dataclass
class Held:
    """What waits of the releases a batch brings parts of."""
    parts: list[HeldPart] = field(default_factory=list)  # to judge again beside the batch
    waiting: set[str] = field(default_factory=set)  # releases a part of which waits for approval
    replaced: list[str] = field(default_factory=list)  # held messages a part of the batch replaces


def held_parts(uow: UnitOfWork, decoded: list[Decoded], decode_kept: Callable[[str], Decoded],
               key_of: Callable[[Decoded], str], approval_required: set[str], approved: bool = False) -> Held:
    """The quarantined parts of the releases among `decoded` (other than those messages). A held
    part about the same entity as one of `decoded` (`key_of`) is replaced by it: the sender sent
    that part again, corrected, under a new id. `approved`: this is an approved replay."""
    incoming = [d for d in decoded if release_of(d)]
    held = Held()
    if not incoming:
        return held
    present = {d.msg_key for d in decoded}
    sent_again = {key_of(d) for d in incoming if d.entity is not None}
    for row in uow.open_quarantines({release_of(d) for d in incoming}):
        if row["event_type"] not in RELEASE_TYPES or row["msg_key"] in present:
            continue
        if row["entity_key"] in sent_again and row["status"] == "open":
            held.replaced.append(row["msg_key"])
        elif row["status"] != "open" or (row["event_type"] in approval_required and not approved):
            held.waiting.add(row["correlation_id"])
        else:
            present.add(row["msg_key"])
            held.parts.append(HeldPart(row, decode_kept(row["payload"])))
    return held


def settle(batch: Batch, held: Held, verdicts: dict[str, list[Finding]], actor: str) -> None:
    """Each held part judged again keeps its own exception: closed when it applied with its
    release, its reasons brought up to date when it is still held. A replaced part's is closed."""
    for msg_key in held.replaced:
        batch.supersede(msg_key)
    parts = held.parts
    keys = {p.decoded.msg_key for p in parts}
    batch.exceptions = [row for row in batch.exceptions if not (row["kind"] == "quarantine" and row["msg_key"] in keys)]
    for part in parts:
        row, findings = part.exception, verdicts.get(part.decoded.msg_key, [])
        if findings:
            reasons = [{"code": f.code, "message": f.message, "field": f.field} for f in findings]
            batch.uow.update_exception(row["id"], {
                "reasons": json.dumps(reasons), "codes": ",".join(dict.fromkeys(f.code for f in findings))[:500],
                "last_seen": batch.at, "times_seen": row["times_seen"] + 1})
            continue
        note = f"applied with its release {row['correlation_id']}"
        batch.uow.update_exception(row["id"], {"status": "replayed", "resolved_by": actor, "resolved_at": batch.at,
                                               "note": note})
        batch.audit.append(AuditEntry(actor, "exception.replayed_with_release", f"exception:{row['id']}",
                                      {"release": row["correlation_id"]}, row["correlation_id"]))
