"""The rows one intake batch writes, gathered while its messages are decided and written in
its unit of work at the end; and the report of what became of its messages."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field

import msgspec

from mfgsync.adapters.decode import Decoded
from mfgsync.config import Settings
from mfgsync.envelope import EventType
from mfgsync.pipeline.batch_state import BatchState, WhereUsed
from mfgsync.rules.findings import Finding
from mfgsync.rules.reasons import role_for
from mfgsync.model import entities as m
from mfgsync.store.port import AuditEntry, UnitOfWork
from mfgsync.workflows.event import Event


@dataclass
class IngestReport:
    accepted: int = 0
    duplicates: int = 0
    stale: int = 0
    quarantined: int = 0
    alerts: int = 0
    by_reason: Counter = field(default_factory=Counter)

    def add(self, other: "IngestReport") -> None:
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.stale += other.stale
        self.quarantined += other.quarantined
        self.alerts += other.alerts
        self.by_reason.update(other.by_reason)

    @property
    def total(self) -> int:
        return self.accepted + self.duplicates + self.stale + self.quarantined

    def to_json(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "stale": self.stale,
                "quarantined": self.quarantined, "alerts": self.alerts, "total": self.total,
                "by_reason": dict(sorted(self.by_reason.items()))}


_canonical = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str).encode
_canonical_parsed = msgspec.json.Encoder(order="sorted").encode


def content_hash(d: Decoded) -> str | None:
    """What a message says, apart from when it was sent: a resend under the same id must match.

    The hash is kept with the message, so its text is json's canonical form in every version.
    For data read from JSON text msgspec writes that very text, ten times faster, as long as it
    is ASCII without DEL (json escapes every other character, msgspec does not, and refuses a
    lone surrogate).
    """
    if d.envelope is None:
        return None  # unreadable input is keyed by its own hash already
    head = _HASH_HEADS[d.envelope.type]
    if d.from_text:
        try:
            fast = _canonical_parsed(d.envelope.data)
        except UnicodeEncodeError:  # a lone surrogate, which json escapes
            fast = b"\x80"
        if fast.isascii() and b"\x7f" not in fast:
            return hashlib.sha256(head + fast).hexdigest()[:32]  # ASCII: the very bytes of json's text
    return hashlib.sha256(head + _canonical(d.envelope.data).encode("utf-8", "surrogatepass")).hexdigest()[:32]


_HASH_HEADS = {event_type: event_type.value.encode() + b"\x1e" for event_type in EventType}


def lineage_of(d: Decoded) -> dict:
    e = d.envelope
    extra = (e.model_extra or {}) if e else {}
    cause = extra.get("causationid")
    return {"correlation_id": e.correlationid if e else None,
            "causation_id": cause if isinstance(cause, str) else None,
            "mapping_version": e.mappingversion if e else None}


@dataclass
class Release:
    """What one release (the messages of one correlation id) brought in this batch: its ECO, its
    BOM revisions, and the last of its events, which is the cause of what applying it does."""
    eco: m.EngineeringChange | None = None
    boms: list[m.Bom] = field(default_factory=list)
    event: Event | None = None


class Batch:
    """The rows one batch writes, gathered while deciding and flushed at the end."""

    def __init__(self, uow: UnitOfWork, settings: Settings, now: float, now_iso: str, actor: str,
                 where_used: WhereUsed | None = None):
        self.uow, self.settings, self.now, self.at, self.actor = uow, settings, now, now_iso, actor
        self.state = BatchState(uow, settings.conversions(), settings.subscriptions, now_iso, settings.plants,
                                settings.command_targets(), settings.replenishment.auto_approve_up_to,
                                settings.replenishment.plan_after_movements_seconds, where_used)
        self.state.set_partners(settings.partners())
        self.inbox: list[dict] = []
        self.inbox_updates: list[dict] = []
        self.duplicates: list[str] = []
        self.exceptions: list[dict] = []
        self.outbox: list[dict] = []
        self.scheduled: list[dict] = []
        self.unscheduled: list[str] = []  # effect keys of scheduled effects no longer wanted
        self.resolved: list[dict] = []  # open exceptions a workflow closes
        self.audit: list[AuditEntry] = []
        self.report = IngestReport()
        self.seen: dict[str, tuple[str, str | None]] = {}  # msg_key -> (outcome, content hash), so far
        self.superseded: list[str] = []  # quarantined messages whose sender sent a corrected resend
        # BOM releases by correlation id: a release whose BOMs did not all pass is published whole or not at all.
        self.releases_failed: set[str] = set()
        self.releases_applied: set[str] = set()
        self.releases_held: set[str] = set()  # releases to quarantine whole, on a second pass
        self.changes: dict[str, Release] = {}  # correlation id -> the ECO and revisions it brought
        self._hashes: dict[int, str | None] = {}  # content hash per message of the batch (by identity)

    def hash_contents(self, decoded: list[Decoded]) -> None:
        """Every message's content hash, taken in one pass before any is decided: one loop over
        the same encoder and digest keeps their code in the processor's caches, where one hash
        between each message's rules and workflows finds it evicted."""
        self._hashes = {id(d): content_hash(d) for d in decoded}

    def hash_of(self, decoded: Decoded) -> str | None:
        """The message's content hash (see content_hash); taken now if the batch did not."""
        key = id(decoded)
        return self._hashes[key] if key in self._hashes else content_hash(decoded)

    def record(self, decoded: Decoded, outcome: str, entity_key: str | None = None, token: str | None = None,
               envelope_json: str | None = None, replaying: bool = False, lineage: dict | None = None) -> None:
        lineage = lineage or lineage_of(decoded)
        row = {"msg_key": decoded.msg_key, "source": decoded.source, "message_id": decoded.message_id,
               "event_type": decoded.event_type, "entity_key": entity_key, **lineage, "outcome": outcome,
               "seq_token": token, "received_at": self.at, "content_hash": self.hash_of(decoded),
               "envelope": envelope_json}
        (self.inbox_updates if replaying and decoded.msg_key in self.seen else self.inbox).append(row)
        self.seen[decoded.msg_key] = (outcome, row["content_hash"])
        self.audit.append(AuditEntry(self.actor, f"message.{outcome}", entity_key or decoded.msg_key,
                                     {"source": decoded.source, "id": decoded.message_id, "type": decoded.event_type},
                                     **lineage))

    def quarantine(self, decoded: Decoded, findings: list[Finding], entity_key: str | None = None) -> None:
        self.exceptions.append(self._exception_row("quarantine", decoded, findings, entity_key))
        self.report.quarantined += 1
        self.report.by_reason.update({f.code for f in findings})

    def supersede(self, msg_key: str) -> None:
        """Close the open quarantine of a message its sender corrected, stored or of this batch."""
        self.exceptions = [row for row in self.exceptions
                           if not (row["msg_key"] == msg_key and row["kind"] == "quarantine")]
        self.superseded.append(msg_key)

    def alert(self, decoded: Decoded, findings: list[Finding], entity_key: str) -> None:
        self.exceptions.append(self._exception_row("alert", decoded, findings, entity_key))
        self.report.alerts += 1

    def _exception_row(self, kind: str, decoded: Decoded, findings: list[Finding], entity_key: str | None) -> dict:
        codes = [f.code for f in findings]
        reasons = [{"code": f.code, "message": f.message, "field": f.field} for f in findings]
        return {"kind": kind, "msg_key": decoded.msg_key, "source": decoded.source, "event_type": decoded.event_type,
                "entity_key": entity_key, "codes": ",".join(dict.fromkeys(codes))[:500],
                "reasons": json.dumps(reasons), "owner_role": role_for(codes), "payload": decoded.raw,
                "outbox_id": None, "at": self.at, **lineage_of(decoded), "causation_id": f"message:{decoded.msg_key}"}

    def flush(self) -> None:
        # The inbox first: a message a concurrent writer took makes the batch run again before
        # anything else is written.
        self.uow.add_inbox(self.inbox)
        self.uow.update_inbox(self.inbox_updates)
        self.uow.count_repeats(self.duplicates, self.at)
        self.uow.supersede_quarantines(self.superseded, self.at)
        self.uow.put_entities(self.state.written_rows())
        self.uow.move_stock(self.state.stock_moves)
        self.uow.count_stock(self.state.stock_counts)
        self.uow.add_exceptions(self.exceptions)
        self.uow.add_outbox(self.outbox)
        self.uow.add_scheduled(self.scheduled)
        if self.unscheduled:
            self.uow.cancel_scheduled(self.unscheduled, self.at)
        if self.resolved:
            self.uow.resolve_exceptions(self.resolved, self.at)
        self.uow.audit(self.audit, self.at)
