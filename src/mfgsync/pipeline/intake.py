"""Intake: dedupe, sequence, validate, then quarantine or apply, all in one transaction per batch.

Per message: a key already received is a counted duplicate; an update older than the one
applied to its entity is recorded as stale; a message breaking a rule is quarantined with its
reason codes; anything else is applied, with one outbox row per subscribed target and an audit
entry, in the same transaction. A crash loses a whole uncommitted batch, which re-ingesting the
same input then applies exactly once.
"""

from __future__ import annotations

import gc
import json
from contextlib import contextmanager
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from sqlalchemy import Connection

from mfgsync.config import Settings
from mfgsync.envelope import EventType
from mfgsync.model import entities as m
from mfgsync.pipeline.batch_state import BatchState
from mfgsync.pipeline.clock import iso
from mfgsync.adapters.decode import Decoded, decode
from mfgsync.rules.findings import REJECT, Finding
from mfgsync.rules.ownership import ownership_findings
from mfgsync.rules.policy import Policy
from mfgsync.rules.reasons import role_for
from mfgsync.rules.validation import validate
from mfgsync.store import audit, outbox, records
from mfgsync.store.audit import AuditEntry
from mfgsync.store.database import Database
from mfgsync.workflows import state_changes as changes

Raw = str | bytes | dict | Decoded  # Decoded: an adapter's already-judged unreadable input


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


def _referenced(decoded: Decoded, keys: list[str], items: list[str]) -> None:
    """Entity keys and items the rules will likely read, so a batch can fetch them in bulk."""
    entity = decoded.entity
    keys.append(changes.ordering_key(decoded.envelope.type, entity))
    movements = entity.movements if isinstance(entity, m.ProductionReport) else [entity] \
        if isinstance(entity, m.InventoryMovement) else []
    for mv in movements:
        for location in {mv.from_location, mv.to_location} - {None}:
            keys.append(changes.balance_key(mv.item_id, mv.plant_id, location, mv.lot_id, "available"))
    stack = [decoded.envelope.data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for name, value in node.items():
                if name in ("item_id", "component_id") and isinstance(value, str):
                    keys.append(f"ITEM:{value}")
                    items.append(value)
                elif name == "supplier_id" and isinstance(value, str):
                    keys.append(f"SUP:{value}")
                elif name == "po_number" and isinstance(value, str):
                    keys.append(f"PO:{value}")
                elif isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


class _Batch:
    """The rows one batch writes, gathered while deciding and flushed at the end."""

    def __init__(self, connection: Connection, settings: Settings, now: float, now_iso: str, actor: str):
        self.connection, self.settings, self.now, self.at, self.actor = connection, settings, now, now_iso, actor
        self.state = BatchState(connection, settings.conversions(), now_iso)
        self.inbox: list[dict] = []
        self.inbox_updates: list[dict] = []
        self.duplicates: list[str] = []
        self.exceptions: list[dict] = []
        self.outbox: list[dict] = []
        self.audit: list[AuditEntry] = []
        self.report = IngestReport()
        self.seen: dict[str, str] = {}  # msg_key -> outcome, this batch and before

    def record(self, decoded: Decoded, outcome: str, entity_key: str | None = None, token: str | None = None,
               envelope_json: str | None = None, replaying: bool = False) -> None:
        row = {"msg_key": decoded.msg_key, "source": decoded.source, "message_id": decoded.message_id,
               "event_type": decoded.event_type, "entity_key": entity_key,
               "correlation_id": decoded.envelope.correlationid if decoded.envelope else None,
               "outcome": outcome, "seq_token": token, "received_at": self.at, "envelope": envelope_json}
        (self.inbox_updates if replaying and self.seen.get(decoded.msg_key) else self.inbox).append(row)
        self.seen[decoded.msg_key] = outcome
        self.audit.append(AuditEntry(self.actor, f"message.{outcome}", entity_key or decoded.msg_key,
                                     {"source": decoded.source, "id": decoded.message_id, "type": decoded.event_type}))

    def quarantine(self, decoded: Decoded, findings: list[Finding], entity_key: str | None = None) -> None:
        codes = [f.code for f in findings]
        self.exceptions.append(self._exception_row("quarantine", decoded, findings, entity_key))
        self.report.quarantined += 1
        self.report.by_reason.update(set(codes))

    def alert(self, decoded: Decoded, findings: list[Finding], entity_key: str) -> None:
        self.exceptions.append(self._exception_row("alert", decoded, findings, entity_key))
        self.report.alerts += 1

    def _exception_row(self, kind: str, decoded: Decoded, findings: list[Finding], entity_key: str | None) -> dict:
        codes = [f.code for f in findings]
        reasons = [{"code": f.code, "message": f.message, "field": f.field} for f in findings]
        return {"kind": kind, "msg_key": decoded.msg_key, "source": decoded.source, "event_type": decoded.event_type,
                "entity_key": entity_key, "codes": ",".join(dict.fromkeys(codes))[:500],
                "reasons": json.dumps(reasons), "owner_role": role_for(codes), "payload": decoded.raw,
                "outbox_id": None, "at": self.at}

    def flush(self) -> None:
        records.write_inbox(self.connection, self.inbox)
        records.update_inbox(self.connection, self.inbox_updates)
        records.count_duplicates(self.connection, self.duplicates, self.at)
        records.upsert_entities(self.connection, self.state.written_rows())
        records.insert_exceptions(self.connection, self.exceptions)
        outbox.insert(self.connection, self.outbox)
        audit.append(self.connection, self.audit, self.at)


class Intake:
    """Pushes raw messages through dedupe, sequencing, validation and apply."""

    def __init__(self, database: Database, settings: Settings, clock: Callable[[], float], actor: str = "pipeline"):
        self.database, self.settings, self.clock, self.actor = database, settings, clock, actor
        self.policy = Policy(negative_stock={p: v.negative_stock for p, v in settings.plants.items()})

    def ingest(self, messages: Iterable[Raw], source: str | None = None, batch_size: int = 1000,
               on_batch: Callable[[IngestReport], None] | None = None) -> IngestReport:
        total = IngestReport()
        with _fewer_collections():
            for chunk in _chunks(messages, batch_size):
                report = self._run_batch([self._decode(raw, source) for raw in chunk])
                total.add(report)
                if on_batch:
                    on_batch(report)
        return total

    def _decode(self, raw: Raw, source: str | None) -> Decoded:
        if isinstance(raw, Decoded):
            return raw
        return decode(raw, self.settings.max_message_bytes, source, self.settings.mappings)

    def replay(self, decoded: Decoded, connection: Connection) -> tuple[IngestReport, list[Finding]]:
        """Re-run one quarantined message inside the caller's transaction (its key may repeat)."""
        batch = self._new_batch(connection)
        batch.seen = records.inbox_outcomes(connection, [decoded.msg_key])
        findings = self._decide(batch, decoded, replaying=True)
        batch.exceptions = [row for row in batch.exceptions if row["kind"] == "alert"]
        batch.flush()
        return batch.report, findings

    def _new_batch(self, connection: Connection) -> _Batch:
        now = self.clock()
        return _Batch(connection, self.settings, now, iso(now), self.actor)

    def _run_batch(self, decoded: list[Decoded]) -> IngestReport:
        with self.database.transaction() as connection:
            batch = self._new_batch(connection)
            batch.seen = records.inbox_outcomes(connection, [d.msg_key for d in decoded])
            keys: list[str] = []
            items: list[str] = []
            for message in decoded:
                if message.ok:
                    _referenced(message, keys, items)
            batch.state.prefetch(keys, items)
            for message in decoded:
                self._decide(batch, message)
            batch.flush()
        return batch.report

    def _decide(self, batch: _Batch, d: Decoded, replaying: bool = False) -> list[Finding]:
        """Decide one message's fate; returns the findings that quarantined it (if any)."""
        if d.msg_key in batch.seen and not (replaying and batch.seen[d.msg_key] == "quarantined"):
            batch.duplicates.append(d.msg_key)
            batch.report.duplicates += 1
            return []
        if d.findings or d.entity is None:
            return self._reject(batch, d, d.findings, None, replaying)
        if d.source not in self.settings.systems:
            return self._reject(batch, d, [Finding("UNKNOWN_SOURCE", f"source {d.source!r} is not a configured system",
                                                   "source")], None, replaying)
        event_type = EventType(d.envelope.type)
        key = changes.ordering_key(event_type, d.entity)
        token = changes.sequence_token(d.envelope.time, d.envelope.sequence)
        current_token = batch.state.token(key)
        if event_type in changes.IMMUTABLE and batch.state.exists(key):
            # The same fact under another message id: counted as a duplicate, never re-applied.
            batch.report.duplicates += 1
            batch.record(d, "duplicate", key, token, replaying=replaying)
            return []
        if current_token is not None and token < current_token:
            batch.report.stale += 1
            batch.record(d, "stale", key, token, replaying=replaying)
            return []
        return self._apply(batch, d, event_type, key, token, replaying)

    def _apply(self, batch: _Batch, d: Decoded, event_type: EventType, key: str, token: str,
               replaying: bool) -> list[Finding]:
        merged_type = _MERGED.get(event_type)
        current = batch.state.entity(key, merged_type) if merged_type else None
        candidate = changes.merge(event_type, d.entity, d.fields_set, current)
        findings = ownership_findings(event_type, d.source, d.entity, d.fields_set, current, self.settings.ownership)
        findings += validate(event_type, candidate, batch.state, self.policy)
        rejects = [f for f in findings if f.severity == REJECT]
        if rejects:
            return self._reject(batch, d, rejects, key, replaying)
        data_json = None
        for effect in changes.effects(event_type, candidate, batch.state):
            if isinstance(effect, changes.Put):
                written = batch.state.put(effect, token if effect.key == key else None, d.msg_key)
                if effect.entity is candidate:
                    data_json = written
            else:
                batch.state.adjust(effect, d.msg_key)
        envelope_json = _outgoing(d, data_json or candidate.model_dump_json())
        delivery_key = changes.delivery_key(event_type, candidate)
        for target in self.settings.targets_for(event_type):
            batch.outbox.append({"target": target, "entity_key": delivery_key, "msg_key": d.msg_key,
                                 "event_type": event_type.value, "now": batch.now,
                                 "at": batch.at})
        if findings:
            batch.alert(d, findings, key)
        batch.report.accepted += 1
        batch.record(d, "applied", key, token, envelope_json, replaying)
        return []

    def _reject(self, batch: _Batch, d: Decoded, findings: list[Finding], key: str | None,
                replaying: bool) -> list[Finding]:
        batch.quarantine(d, findings, key)
        batch.record(d, "quarantined", key, replaying=replaying)
        return findings


# Event types whose message is merged into the current entity (of this type) before validation.
_MERGED = {EventType.item_upserted: "item", EventType.quality_released: "quality_hold"}


def _outgoing(d: Decoded, data_json: str) -> str:
    """The canonical envelope delivered to targets and kept as the entity's history."""
    e = d.envelope
    head = {"specversion": "1.0", "id": e.id, "source": e.source, "type": e.type.value,
            "time": e.time.isoformat().replace("+00:00", "Z")}
    for name in ("subject", "correlationid", "sequence", "mappingversion"):
        value = getattr(e, name)
        if value is not None:
            head[name] = value
    return json.dumps(head)[:-1] + ',"data":' + data_json + "}"


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Intake makes many short-lived objects per message; with the default thresholds the
    cyclic collector would run every few messages and rescan every long-lived object.

    Everything alive when the ingest starts (modules, schemas, the hub itself) outlives it, so
    it is frozen out of the collector's scans until the ingest ends.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], 50_000), *thresholds[1:])
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def _chunks(items: Iterable[Raw], size: int) -> Iterator[list[Raw]]:
    chunk: list[Raw] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
