"""Intake: dedupe, sequence, validate, then quarantine or apply, all in one unit of work per batch.

Per message: a key already received is a counted duplicate; an update older than the one
applied to its entity (in every field domain it touches) is recorded as stale; a message
breaking a rule is quarantined with its reason codes; anything else is applied: the workflows
routed for its type return effects (state, stock, commands, exceptions, scheduled effects),
persisted with an audit entry in the same transaction. A concurrent writer that got to one of
the batch's rows first makes the batch run again from the start; a crash loses a whole
uncommitted batch, which re-ingesting the same input then applies exactly once.
"""

from __future__ import annotations

import gc
import threading
import types
import typing
from datetime import date
from decimal import Decimal
from functools import cache
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

import msgspec

from mfgsync.adapters.decode import Decoded, decode
from mfgsync.config import Settings
from mfgsync.envelope import EventType
from mfgsync.model import entities as m
from mfgsync.model import keys, ordering
from mfgsync.pipeline.batch import Batch, IngestReport, Release, lineage_of
from mfgsync.pipeline.batch_state import WhereUsed
from mfgsync.pipeline.clock import iso
from mfgsync.pipeline.decode_ahead import DecodeAhead
from mfgsync.pipeline import releases
from mfgsync.pipeline.effects import persist
from mfgsync.rules.findings import REJECT, Finding
from mfgsync.rules.ownership import field_domains, fields_in_domains, ownership_findings
from mfgsync.rules.policy import Policy
from mfgsync.rules.stock_rules import stock_effects
from mfgsync.rules.validation import validate
from mfgsync.store.port import Store, UnitOfWork, transact
from mfgsync.workflows import change_application
from mfgsync.workflows import state_changes as changes
from mfgsync.workflows.event import Event
from mfgsync.workflows.routes import ROUTES, Handler

Raw = str | bytes | dict | Decoded  # Decoded: an adapter's already-judged unreadable input


def _referenced(decoded: Decoded, entity_keys: list[str], items: list[str], balances: list[str]) -> None:
    """Entity keys, items and balances the rules will likely read, so a batch fetches them in bulk."""
    entity = decoded.entity
    entity_keys.append(changes.ordering_key(decoded.envelope.type, entity))
    kind = type(entity)
    if kind is m.InventoryMovement:
        _stock_read(entity, entity_keys, balances)
    elif kind is m.ProductionReport:
        for mv in entity.movements:
            _stock_read(mv, entity_keys, balances)
    elif kind is m.Bom:  # a release also writes its revision's row
        entity_keys.append(keys.bom_revision(entity.item_id, entity.plant_id, entity.revision))
    data = decoded.envelope.data
    if _single_valued(kind):  # every reference is at the top of the data: nothing to walk into
        for name, key_of in _REFERENCING.items():
            value = data.get(name)
            if isinstance(value, str):
                entity_keys.append(key_of(value))
                if name in _ITEM_FIELDS:
                    items.append(value)
        return
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for name in node.keys() & _REFERENCING.keys():
                value = node[name]
                if isinstance(value, str):
                    entity_keys.append(_REFERENCING[name](value))
                    if name in _ITEM_FIELDS:
                        items.append(value)
            stack += [value for value in node.values() if isinstance(value, _NESTED)]
        elif isinstance(node, list):
            stack += node


def _stock_read(mv: m.InventoryMovement, entity_keys: list[str], balances: list[str]) -> None:
    entity_keys.append(keys.availability_watch(mv.item_id, mv.plant_id))
    # Only stock leaving a place is judged against its balance (and held until commit);
    # receipts change balances by deltas without reading them.
    for location, delta in stock_effects(mv):
        if location is not None and delta < 0:
            balances.append(keys.balance(mv.item_id, mv.plant_id, location, mv.lot_id, "available"))


# The fields of a message that name an entity the rules read, and the key of that entity.
_REFERENCING = {"item_id": keys.item, "component_id": keys.item, "supplier_id": keys.supplier,
                "po_number": keys.purchase_order}
_ITEM_FIELDS = frozenset({"item_id", "component_id"})
_NESTED = (dict, list)


@cache
def _single_valued(model: type) -> bool:
    """Whether each field of `model` holds one value (no list, dict or entity): the data of a
    message that validated as it has nothing nested."""
    return all(_one_value(info.annotation) for info in model.model_fields.values())


def _one_value(hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        return _one_value(typing.get_args(hint)[0])
    if origin in (typing.Union, types.UnionType):
        return all(_one_value(arg) for arg in typing.get_args(hint))
    if origin is typing.Literal:
        return True
    return origin is None and isinstance(hint, type) and issubclass(hint, (str, int, float, Decimal, date, types.NoneType))


class Intake:
    """Pushes raw messages through dedupe, sequencing, validation and the routed workflows."""

    def __init__(self, store: Store, settings: Settings, clock: Callable[[], float], actor: str = "pipeline",
                 routes: dict[EventType, tuple[Handler, ...]] = ROUTES):
        self.store, self.settings, self.clock, self.actor, self.routes = store, settings, clock, actor, routes
        self.where_used = WhereUsed()  # the BOMs' where-used, kept while they stay as they are
        self._owners = settings.owners()  # trading partners own their supplier documents
        self.policy = Policy(negative_stock={p: v.negative_stock for p, v in settings.plants.items()},
                             work_centers={p: frozenset(v.work_centers) for p, v in settings.plants.items()
                                           if v.work_centers is not None},
                             receives={p: tuple(v.receives) for p, v in settings.plants.items()},
                             alternates={p: v.alternates for p, v in settings.plants.items() if v.alternates},
                             units={p: v.units for p, v in settings.plants.items() if v.units})

    def ingest(self, messages: Iterable[Raw], source: str | None = None, batch_size: int = 1000,
               on_batch: Callable[[IngestReport], None] | None = None) -> IngestReport:
        total = IngestReport()
        with _fewer_collections(), DecodeAhead(messages, lambda raw: self._decode(raw, source)) as ahead:
            for decoded in _batches(ahead, batch_size):
                report = transact(self.store, lambda uow: self._run_batch(uow, decoded),
                                  while_committing=ahead.decoding)
                total.add(report)
                if on_batch:
                    on_batch(report)
        return total

    def _decode(self, raw: Raw, source: str | None) -> Decoded:
        if isinstance(raw, Decoded):
            return raw
        return decode(raw, self.settings.max_message_bytes, source, self.settings.mappings, now=self.clock(),
                      max_future_skew_seconds=self.settings.max_future_skew_seconds)

    def decode_kept(self, payload: str) -> Decoded:
        """A message the hub kept (a quarantine's payload), decoded as the intake decodes."""
        return decode(payload, self.settings.max_message_bytes, code_maps=self.settings.mappings, now=self.clock(),
                      max_future_skew_seconds=self.settings.max_future_skew_seconds)

    def replay(self, decoded: Decoded, uow: UnitOfWork, approved: bool = False) -> tuple[IngestReport, list[Finding]]:
        """Re-run one quarantined message inside the caller's unit of work (its key may repeat),
        with the held parts of its release, if it is part of one (`approved`: a second person
        approved this replay)."""
        held = self._held(uow, [decoded], approved)
        batch, verdicts = self._judge(uow, [decoded, *(p.decoded for p in held.parts)], held.waiting,
                                      replaying={decoded.msg_key, *(p.decoded.msg_key for p in held.parts)})
        batch.exceptions = [row for row in batch.exceptions
                            if not (row["kind"] == "quarantine" and row["msg_key"] == decoded.msg_key)]
        releases.settle(batch, held, verdicts, self.actor)
        batch.flush()
        return batch.report, verdicts[decoded.msg_key]

    def _held(self, uow: UnitOfWork, decoded: list[Decoded], approved: bool = False) -> releases.Held:
        """What waits of the releases these messages are parts of (pipeline/releases.py)."""
        return releases.held_parts(uow, decoded, self.decode_kept,
                                   lambda d: changes.ordering_key(EventType(d.envelope.type), d.entity),
                                   set(self.settings.approval_required), approved)

    def _new_batch(self, uow: UnitOfWork) -> Batch:
        now = self.clock()
        return Batch(uow, self.settings, now, iso(now), self.actor, self.where_used)

    def _run_batch(self, uow: UnitOfWork, decoded: list[Decoded]) -> IngestReport:
        held = self._held(uow, decoded)
        batch, verdicts = self._judge(uow, decoded + [p.decoded for p in held.parts], held.waiting,
                                      replaying={p.decoded.msg_key for p in held.parts})
        releases.settle(batch, held, verdicts, self.actor)
        batch.flush()
        return batch.report

    def _judge(self, uow: UnitOfWork, decoded: list[Decoded], held: set[str], replaying: set[str],
               ) -> tuple[Batch, dict[str, list[Finding]]]:
        """The batch decided, and each message's findings if quarantined. Releases in `held` are
        held back whole from the start."""
        batch, verdicts = self._decide_batch(uow, decoded, held, replaying)
        half_published = (batch.releases_failed & batch.releases_applied) - held
        if half_published:
            # Some parts of a release passed and others did not: judge the batch again, holding
            # back every part of those releases, so ERP and MES never see half of one.
            batch, verdicts = self._decide_batch(uow, decoded, held | half_published, replaying)
        return batch, verdicts

    def _decide_batch(self, uow: UnitOfWork, decoded: list[Decoded], held: set[str], replaying: set[str],
                      ) -> tuple[Batch, dict[str, list[Finding]]]:
        batch = self._new_batch(uow)
        batch.releases_held = held
        batch.seen = uow.inbox_seen([d.msg_key for d in decoded])
        batch.hash_contents(decoded)
        entity_keys: list[str] = []
        items: list[str] = []
        balances: list[str] = []
        for message in decoded:
            if message.ok and message.msg_key not in batch.seen:
                _referenced(message, entity_keys, items, balances)
        batch.state.prefetch(entity_keys, items, balances)
        verdicts = {message.msg_key: self._decide(batch, message, message.msg_key in replaying) for message in decoded}
        self._apply_changes(batch)
        return batch, verdicts

    def _apply_changes(self, batch: Batch) -> None:
        """Each release this batch brought, applied whole: moves, purchase actions, risks."""
        for release in batch.changes.values():
            effects = change_application.apply_change(release.eco, release.boms, batch.state, release.event)
            persist(effects, release.event, batch, "", "", {"correlation_id": release.event.correlation_id,
                                                            "causation_id": None, "mapping_version": None})

    def _decide(self, batch: Batch, d: Decoded, replaying: bool = False) -> list[Finding]:
        """Decide one message's fate; returns the findings that quarantined it (if any)."""
        if d.msg_key in batch.seen:
            verdict = self._seen_before(batch, d, replaying)
            if verdict is not None:
                return verdict
            replaying = True
        if d.findings or d.entity is None:
            return self._reject(batch, d, d.findings, None, replaying)
        if d.source not in self.settings.systems:
            return self._reject(batch, d, [Finding("UNKNOWN_SOURCE", f"source {d.source!r} is not a configured system",
                                                   "source")], None, replaying)
        event_type = d.envelope.type
        key = changes.ordering_key(event_type, d.entity)
        token = ordering.token(d.envelope.time, d.envelope.sequence)
        if event_type in changes.IMMUTABLE and batch.state.exists(key):
            if batch.state.entity(key, _IMMUTABLE_TYPES[event_type]) != d.entity:
                return self._conflict(batch, d, f"{key} was booked before with other content; "
                                                "a different fact needs its own id")
            # The same fact under another message id: counted as a duplicate, never re-applied.
            batch.report.duplicates += 1
            batch.record(d, "duplicate", key, token, replaying=replaying)
            return []
        stored = ordering.parse(batch.state.tokens(key))
        domains = field_domains(event_type, d.fields_set)
        fresh = ordering.fresh_domains(stored, domains, token)
        if not fresh:
            batch.report.stale += 1
            batch.record(d, "stale", key, token, replaying=replaying)
            return []
        fields = d.fields_set if fresh == domains else fields_in_domains(d.fields_set, fresh)
        return self._apply(batch, d, event_type, key, token, ordering.advanced(stored, fresh, token), fields,
                           replaying)

    def _seen_before(self, batch: Batch, d: Decoded, replaying: bool) -> list[Finding] | None:
        """A key received before: a duplicate, a conflict, or None — judge it again in its place."""
        outcome, stored_hash = batch.seen[d.msg_key]
        if replaying and outcome == "quarantined":
            return None  # an operator's replay
        if stored_hash is not None and batch.hash_of(d) not in (None, stored_hash):
            if outcome == "quarantined":
                batch.supersede(d.msg_key)  # the sender's corrected resend
                return None
            return self._conflict(batch, d, f"message {d.message_id} from {d.source} was received before "
                                            f"with other content ({outcome}); a new message needs a new id")
        batch.duplicates.append(d.msg_key)
        batch.report.duplicates += 1
        return []

    def _apply(self, batch: Batch, d: Decoded, event_type: EventType, key: str, token: str, tokens: str,
               fields: set[str], replaying: bool) -> list[Finding]:
        merged_type = _MERGED.get(event_type)
        current = batch.state.entity(key, merged_type) if merged_type else None
        candidate = changes.merge(event_type, d.entity, fields, current)
        findings = ownership_findings(event_type, d.source, d.entity, fields, current, self._owners)
        findings += validate(event_type, candidate, batch.state, self.policy)
        rejects = [f for f in findings if f.severity == REJECT] or _held_release(batch, d)
        if rejects:
            return self._reject(batch, d, rejects, key, replaying)
        e = d.envelope
        if e.type in releases.RELEASE_PARTS and e.correlationid:
            batch.releases_applied.add(e.correlationid)
        event = Event(event_type, candidate, d.msg_key, d.source, d.message_id, e.time, e.correlationid)
        _note_change(batch, event)
        lineage = lineage_of(d)
        data_json = None
        for handler in self.routes.get(event_type, ()):
            # Each workflow sees what the ones before it wrote.
            written = persist(handler(event, batch.state), event, batch, key, tokens, lineage)
            data_json = data_json or written
        if findings:
            batch.alert(d, findings, key)
        batch.report.accepted += 1
        batch.record(d, "applied", key, token, _outgoing(d, data_json or candidate.model_dump_json()), replaying,
                     lineage)
        return []

    def _conflict(self, batch: Batch, d: Decoded, message: str) -> list[Finding]:
        """A key reused with other content: an exception of its own, the first arrival untouched."""
        findings = [Finding("MESSAGE_ID_CONFLICT", message, "id")]
        batch.quarantine(d, findings)
        return findings

    def _reject(self, batch: Batch, d: Decoded, findings: list[Finding], key: str | None,
                replaying: bool) -> list[Finding]:
        if d.event_type in releases.RELEASE_PARTS and d.envelope is not None and d.envelope.correlationid:
            batch.releases_failed.add(d.envelope.correlationid)
        batch.quarantine(d, findings, key)
        batch.record(d, "quarantined", key, replaying=replaying)
        return findings


_IMMUTABLE_TYPES = {EventType.inventory_moved: "movement", EventType.production_reported: "production_report"}
def _note_change(batch: Batch, event: Event) -> None:
    """An ECO or BOM revision joins its release (its correlation id; else the ECO, or the revision)."""
    if event.type == EventType.eco_approved:
        release = batch.changes.setdefault(event.correlation_id or event.entity.eco_id, Release())
        release.eco = event.entity
    elif event.type == EventType.bom_released:
        release = batch.changes.setdefault(event.correlation_id or event.msg_key, Release())
        release.boms.append(event.entity)
    else:
        return
    release.event = event


def _held_release(batch: Batch, d: Decoded) -> list[Finding]:
    """A part of a release another part of failed: it waits with the rest of its release."""
    release = d.envelope.correlationid
    if d.envelope.type not in releases.RELEASE_PARTS or release not in batch.releases_held:
        return []
    return [Finding("RELEASE_INCOMPLETE", f"another part of release {release} failed its rules or waits for "
                                          "approval; the release is published whole or not at all", "correlationid")]


# Event types whose message is merged into the current entity (of this type) before validation.
_MERGED = {EventType.item_upserted: "item", EventType.quality_released: "quality_hold",
           EventType.po_created: "purchase_order",  # an order the supplier has keeps the supplier's side
           EventType.po_changed: "purchase_order"}


def _outgoing(d: Decoded, data_json: str) -> str:
    """The canonical envelope delivered to targets and kept as the entity's history."""
    e = d.envelope
    head = {"specversion": "1.0", "id": e.id, "source": e.source, "type": e.type.value, "time": e.time}  # UTC: Z
    for name in ("subject", "correlationid", "sequence", "mappingversion"):
        value = getattr(e, name)
        if value is not None:
            head[name] = value
    return _encode(head)[:-1].decode() + ',"data":' + data_json + "}"


_encode = msgspec.json.Encoder().encode


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Intake makes many short-lived objects per message; with the default thresholds the
    cyclic collector would run every few messages and rescan every long-lived object.

    Everything alive when the ingest starts (modules, schemas, the hub itself) outlives it, so
    it is frozen out of the collector's scans until the ingest ends. The collector's settings
    are the process's: they are changed only while no other thread runs.
    """
    if threading.active_count() > 1:
        yield
        return
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], 50_000), *thresholds[1:])
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def _batches(messages: Iterable[Decoded], size: int) -> Iterator[list[Decoded]]:
    """Batches of `size` messages, stretched (to ten times that at most) so that a release is
    not cut in two: a release is judged, and published, whole or not at all."""
    batch: list[Decoded] = []
    for message in messages:
        full = len(batch) >= size
        release = releases.release_of(message)
        same_release = batch and release is not None and release == releases.release_of(batch[-1])
        if full and (not same_release or len(batch) >= 10 * size):
            yield batch
            batch = []
        batch.append(message)
    if batch:
        yield batch
