"""The store port: one interface for the hub's persistence, with memory, SQLite and PostgreSQL
behind it (store/memory.py, store/sql/).

A `UnitOfWork` is one transaction: everything a batch decides (inbox outcomes, entity state,
stock movements, exceptions, outbox rows, scheduled effects, audit entries) commits together or
not at all. A `ReadSide` answers queries without taking part in any write.

Concurrency contract, the same on every backend:
- a message key is in the inbox once: `add_inbox` of a key another writer holds raises Conflict;
- every entity row carries a version; `put_entities` compares and sets it (Conflict otherwise);
- stock balances change only by `move_stock` deltas (and `count_stock` counts), each recorded
  in an immutable ledger, never by writing a total the caller computed;
- `claim` leases due deliveries so that no two workers hold one row; each claim bumps the row's
  fence, which the connector receives and a settlement must present;
- audit entries are chained when the unit commits.
Conflict (and a backend's serialisation failures and deadlocks) means: roll back and run the
whole unit again; `transact` does that.

Rows cross the port as plain dicts (the hot intake path builds thousands per batch); the keys
each method expects are listed in its docstring. An exception row, as `exception` and
`exceptions` return it, holds the columns as stored: EXCEPTION_COLUMNS below (codes
comma-joined, reasons a JSON list).
"""

from __future__ import annotations

import random
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple, Protocol, TypeVar

T = TypeVar("T")
Row = Mapping[str, Any]


EXCEPTION_COLUMNS = (
    "id", "kind", "status", "msg_key", "source", "event_type", "entity_key", "codes", "reasons", "owner_role",
    "payload", "original_payload", "outbox_id", "first_seen", "last_seen", "times_seen", "requested_by",
    "resolved_by", "resolved_at", "note", "correlation_id", "causation_id", "mapping_version",
)
OPEN = ("open", "pending_approval")  # exception statuses that wait for someone


class Conflict(Exception):
    """Another writer changed what this unit of work relied on; run the unit again."""


class StoredEntity(NamedTuple):
    tokens: str | None  # the ordering tokens per field domain, JSON (see model/ordering.py)
    data: str  # the canonical entity, JSON
    version: int  # 1 for a new row, +1 per write


class AuditEntry(NamedTuple):
    actor: str
    action: str
    subject: str | None
    detail: dict[str, Any]
    correlation_id: str | None = None
    causation_id: str | None = None
    mapping_version: str | None = None


@dataclass(frozen=True)
class Claimed:
    """A delivery leased to one worker until `lease_until`, under fence `fence`."""
    id: int
    target: str
    entity_key: str  # the ordering stream: deliveries of one stream reach a target in order
    effect_key: str  # the business identity of the effect, e.g. erp:bom:PMP-100@P1#B
    command: str
    msg_key: str | None
    event_type: str
    payload: str  # JSON: the emitted payload, or the causing message's canonical envelope
    attempts: int
    fence: int
    lease_until: float
    correlation_id: str | None = None

    @property
    def delivery_key(self) -> str:
        """Stable across redeliveries, so a target can make a repeat a no-op."""
        return f"{self.target}-{self.id:010d}"


@dataclass(frozen=True)
class Settlement:
    """The outcome of one delivery attempt. status: delivered, retry (at retry_at) or dead."""
    id: int
    owner: str
    fence: int
    status: str
    at: str
    error: str | None = None
    retry_at: float | None = None


@dataclass(frozen=True)
class Scheduled:
    id: int
    due_at: float
    effect: str  # JSON of the effect to carry out (see workflows/effects.py)
    effect_key: str
    correlation_id: str | None
    causation_id: str | None
    fence: int


@dataclass
class Backlog:
    """What delivery still owes, for `work --until-idle` and the status page."""
    pending: int = 0  # pending rows, due or not
    due_now: int = 0  # claimable right now
    leased: int = 0  # held by a worker's unexpired lease
    lease_ends_at: float | None = None  # when the last of those leases runs out
    next_retry_at: float | None = None  # the earliest backed-off retry
    held_by_dead_letter: int = 0  # pending rows waiting behind a dead letter of their stream
    dead: int = 0


@dataclass
class ExceptionPage:
    rows: list[dict[str, Any]]
    more: bool  # rows exist beyond this page
    next_after: int | None = None  # pass as `after_id` for the next page


@dataclass
class InboxFigures:
    outcomes: dict[str, int] = field(default_factory=dict)  # outcome -> distinct messages
    repeats: int = 0  # arrivals beyond each message's first


class UnitOfWork(Protocol):
    """One write transaction. Methods raise Conflict when a concurrent writer got there first."""

    # --- inbox: one row per distinct message key ---
    def inbox_seen(self, keys: Iterable[str]) -> dict[str, tuple[str, str | None]]:
        """msg_key -> (outcome, content_hash) for the keys already received. The keys are held
        until commit where the backend can, so a writer deciding the same message waits and
        then finds it received, rather than running its batch twice."""

    def add_inbox(self, rows: list[Row]) -> None:
        """New messages. Keys: msg_key, source, message_id, event_type, entity_key, correlation_id,
        causation_id, mapping_version, outcome, seq_token, received_at, content_hash, envelope.
        A key already present (a concurrent writer's) raises Conflict."""

    def update_inbox(self, rows: list[Row]) -> None:
        """A new outcome for messages already received (a replay). Keys: msg_key, outcome,
        entity_key, seq_token, content_hash, envelope."""

    def count_repeats(self, keys: list[str], at: str) -> None:
        """Messages seen again: counted on their inbox row and on their open quarantine."""

    def supersede_quarantines(self, keys: list[str], at: str) -> None:
        """Resolve the open quarantines of messages whose sender sent a corrected resend."""

    # --- entities: the current canonical state, versioned per key ---
    def entity_rows(self, keys: Iterable[str]) -> dict[str, StoredEntity]:
        """The stored rows of those keys that exist."""

    def entities_by_refs(self, entity_types: Iterable[str],
                         refs: Iterable[str]) -> dict[tuple[str, str], dict[str, str]]:
        """(entity_type, ref) -> {entity_key: data JSON} for every entity of those types
        referring to those refs (an item id, say)."""

    def entities_of_type(self, entity_type: str) -> list[str]:
        """The data JSON of every entity of a type, by key."""

    def type_fingerprint(self, entity_type: str) -> tuple[int, int]:
        """(how many, sum of their versions) of the entities of a type: it changes with every
        write of one (versions only grow), so a reader can keep what it derived from them all."""

    def put_entities(self, rows: list[Row]) -> None:
        """Write entity rows. Keys: entity_key, entity_type, ref, tokens, data, updated_at,
        msg_key, version — the version read (0: the key did not exist). The stored version
        becomes version + 1; a row whose stored version differs raises Conflict."""

    # --- stock: an immutable ledger and the balances it sums to ---
    def balances(self, keys: Iterable[str]) -> dict[str, Decimal]:
        """balance_key -> qty for those that exist; the rows are held until commit where the
        backend can, so a rule judging them (negative stock) is not raced."""

    def stock_of(self, item_id: str) -> list[dict[str, Any]]:
        """Every balance of an item, as ReadSide.balances gives them (no rows are held)."""

    def move_stock(self, rows: list[Row]) -> None:
        """Ledger deltas, each added to its balance atomically. Keys: balance_key, item_id,
        plant_id, location_id, lot_id, status, delta (Decimal), uom, msg_key, at, correlation_id."""

    def count_stock(self, rows: list[Row]) -> None:
        """Counted balances (a snapshot): the balance becomes qty plus the net of its deltas that
        occurred after counted_at (ISO text as `at`; None: qty as it is), so a count that arrives
        after later movements keeps them; the ledger records the count at the balance it set
        (store/stock_counts.py). Keys as move_stock, with qty instead of delta, and counted_at."""

    # --- exceptions: quarantines, dead letters, alerts and workflow exceptions ---
    def add_exceptions(self, rows: list[Row]) -> None:
        """Keys: kind, msg_key, source, event_type, entity_key, codes (comma-joined), reasons (JSON),
        owner_role, payload, outbox_id, at, correlation_id, causation_id, mapping_version."""

    def exception(self, exception_id: int) -> dict[str, Any] | None:
        """One exception row (codes and reasons as stored), held until commit where possible."""

    def open_exception_keys(self, entity_keys: Iterable[str]) -> set[str]:
        """Those of `entity_keys` that an open exception (a status in OPEN) carries."""

    def open_quarantines(self, correlation_ids: Iterable[str]) -> list[dict[str, Any]]:
        """The open quarantines (statuses in OPEN) of messages of those correlation ids, by id:
        the held parts of a release, judged again when another part of it arrives."""

    def update_exception(self, exception_id: int, changes: Row) -> None:
        """Set columns of one exception (status, payload, codes, reasons, requested_by,
        resolved_by, resolved_at, note, last_seen, times_seen, original_payload)."""

    def resolve_exceptions(self, rows: list[Row], at: str) -> None:
        """Close the open workflow exceptions the state they were about has overtaken (a late
        acknowledgement arrived). Keys: entity_key, code (the exception's codes exactly), by, note."""

    # --- outbox: deliveries and emitted commands, claimed with fenced leases ---
    def add_outbox(self, rows: list[Row]) -> None:
        """Keys: target, entity_key (the ordering stream), effect_key, command, msg_key,
        event_type, payload (None: the causing message's canonical envelope), now (epoch: due
        from), at, correlation_id, causation_id, mapping_version. A (target, effect_key) that is
        already queued is not queued again: one effect caused twice is delivered once."""

    def claim(self, now: float, owner: str, lease_seconds: float, limit: int) -> list[Claimed]:
        """Lease up to `limit` due rows, oldest first. A row is due when pending, its retry time
        has come, no unexpired lease holds it, and no earlier row of its target and stream is
        pending or dead. Each claim increments the row's fence."""

    def renew(self, ids: list[int], owner: str, until: float) -> set[int]:
        """Extend the leases `owner` still holds; the ids still held."""

    def settle(self, settlements: list[Settlement]) -> set[int]:
        """Record attempt outcomes; one whose owner and fence no longer hold the row changes
        nothing. The ids that were recorded."""

    def requeue(self, outbox_id: int, now: float) -> bool:
        """A dead letter back in line with a fresh attempt budget."""

    def discard(self, outbox_id: int) -> None:
        """A dead letter given up on: it no longer holds back its stream."""

    # --- scheduled effects: due at a time, durable across restarts ---
    def add_scheduled(self, rows: list[Row]) -> None:
        """Keys: due_at (epoch), effect (JSON), effect_key, correlation_id, causation_id,
        mapping_version, at.
        An effect_key already scheduled is not scheduled again."""

    def claim_scheduled(self, now: float, owner: str, lease_seconds: float, limit: int) -> list[Scheduled]:
        """Lease due scheduled effects (pending, due_at <= now, lease free)."""

    def fired(self, ids: list[tuple[int, int]], owner: str, at: str) -> set[int]:
        """Mark (id, fence) pairs fired, if still leased to `owner` under that fence."""

    def cancel_scheduled(self, effect_keys: list[str], at: str) -> None:
        """Scheduled effects no longer wanted (what they watched for came in time): pending ones
        become `cancelled` and never fire; fired ones stay as they are."""

    # --- audit ---
    def audit(self, entries: list[AuditEntry], at: str) -> None:
        """Append to the audit log; the entries are chained when the unit commits."""


class ReadSide(Protocol):
    """Queries over committed state; nothing here writes."""

    def entity(self, key: str) -> dict[str, Any] | None: ...

    def entities_of_type(self, entity_type: str) -> list[dict[str, Any]]: ...

    def entities_of_ref(self, entity_type: str, ref: str) -> list[dict[str, Any]]: ...

    def history(self, entity_key: str) -> list[dict[str, Any]]:
        """The envelopes applied to an entity, oldest first."""

    def balances(self, item_id: str | None = None) -> list[dict[str, Any]]:
        """InventoryBalance documents (of one item, or all), by key."""

    def ledger(self, balance_key: str) -> list[dict[str, Any]]:
        """The ledger rows of one balance, oldest first: kind (delta or count), qty, uom, msg_key, at."""

    def balances_as_of(self, at: str) -> list[dict[str, Any]]:
        """InventoryBalance documents as the ledger stood at `at` (ISO 8601, UTC): each balance's
        entries up to and including that time summed (a count sets it), later ones left out; by key."""

    def exceptions(self, status: str | None = "open", kind: str | None = None, role: str | None = None,
                   code: str | None = None, after_id: int = 0, limit: int = 500) -> ExceptionPage: ...

    def exception(self, exception_id: int) -> dict[str, Any] | None: ...

    def inbox_figures(self) -> InboxFigures: ...

    def open_exceptions(self) -> list[tuple[str, str, int, str]]:
        """(kind, owner_role, count, oldest first_seen) of open exceptions."""

    def outbox_counts(self) -> dict[str, dict[str, int]]:
        """target -> status -> rows."""

    def failed_attempts(self) -> int:
        """Deliveries that failed at least once."""

    def propagation(self, event_type: str) -> list[tuple[str, str | None, int]]:
        """Per message of the type with deliveries: (received_at, last delivered_at, undelivered)."""

    def backlog(self, now: float) -> Backlog: ...

    def scheduled_due(self, now: float) -> int:
        """Scheduled effects due and not yet fired."""

    def lineage(self, correlation_id: str) -> list[dict[str, Any]]:
        """Every row carrying the correlation id, as nodes: id, parent, kind (message, effect,
        delivery, exception, schedule), system, event_type, entity_key, status, at; sorted by at.

        Node ids: `message:<msg_key>` (an inbox row; system = source, status = outcome, at =
        received_at), `effect:<outbox id>` (system = target, status = the row's status, at =
        created_at), `delivery:<outbox id>` (for a row delivered or dead; parent its effect, at =
        delivered_at or the dead letter's time), `exception:<id>` (system = owner_role), and
        `schedule:<id>` (status pending or fired, at = created_at). A row's causation_id is the
        node id of its cause, so `parent` is that id when the cause is in the tree, else None."""

    def entities_of_refs(self, entity_type: str, refs: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """ref -> the entities of a type referring to it (an item's movements, say), for many refs
        in one read; refs without any are left out."""

    def messages(self, event_types: Iterable[str], outcomes: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Inbox rows of messages of those types (and outcomes, if given), by received_at: msg_key,
        source, message_id, event_type, entity_key, correlation_id, outcome, received_at, and
        envelope (the canonical envelope JSON; None while not applied)."""

    def inbox_by_source(self) -> dict[str, dict[str, int]]:
        """source -> outcome -> distinct messages."""

    def base_units(self, item_ids: Iterable[str]) -> dict[str, str]:
        """item_id -> base_uom of those items the hub knows with a base unit (read without
        loading each item's whole document)."""

    def deliveries(self, event_types: Iterable[str], statuses: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Outbox rows caused by messages of those types (and in those statuses, if given), by id:
        id, target, status, msg_key, event_type, entity_key, created_at, delivered_at, and of the
        causing message its source, received_at and envelope (None for a row without one)."""

    def audit_rows(self) -> Iterator[tuple]:
        """(seq, at, actor, action, subject, detail, prev_hash, hash, correlation_id, causation_id,
        mapping_version), by seq."""

    def audit_head(self) -> tuple[int, str] | None: ...

    def ping(self) -> None:
        """Raise when the store cannot be reached."""


class Store(Protocol):
    kind: str  # memory, sqlite or postgresql

    def writing(self, while_committing: Callable[[], AbstractContextManager] = nullcontext,
                ) -> AbstractContextManager[UnitOfWork]:
        """A unit of work, committed when the block ends (inside `while_committing()`: what the
        caller does while the store commits) and rolled back when it raises."""

    def reading(self) -> AbstractContextManager[ReadSide]: ...

    def close(self) -> None: ...


def transact(store: Store, work: Callable[[UnitOfWork], T], attempts: int = 30,
             rng: random.Random | None = None,
             while_committing: Callable[[], AbstractContextManager] = nullcontext) -> T:
    """Run `work` in a unit of work, again from the start after a Conflict, backing off with
    jitter so that colliding writers spread out."""
    rng = rng or random.Random()
    for attempt in range(attempts):
        try:
            with store.writing(while_committing) as uow:
                return work(uow)
        except Conflict:
            if attempt == attempts - 1:
                raise
            time.sleep(rng.uniform(0, min(0.5, 0.005 * 2 ** attempt)))
    raise AssertionError("unreachable")
