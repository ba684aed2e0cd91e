"""The hub's tables. One schema for SQLite and PostgreSQL; Alembic migrations create it.

- inbox: one row per distinct inbound message (source + id): its outcome and, once applied,
  the canonical envelope, so an entity's history is its applied inbox rows in order.
- entities: the current canonical state, one row per entity key, with its ordering token.
- exceptions: quarantined messages, dead letters and alerts, each with reasons and owner role.
- outbox: one row per delivery (message × subscribed target), written with the state change;
  what it delivers is the message's canonical envelope, kept once, in the inbox.
- audit: append-only, each row chained to the previous by a SHA-256 hash; audit_head holds the
  newest link so truncation is visible too.
"""

from sqlalchemy import (
    Column, Float, Index, Integer, MetaData, String, Table, Text,
)

metadata = MetaData()

inbox = Table(
    "inbox", metadata,
    Column("msg_key", String(300), primary_key=True),
    Column("source", String(64), nullable=False),
    Column("message_id", String(200), nullable=False),
    Column("event_type", String(64)),
    Column("entity_key", String(300)),
    Column("correlation_id", String(200)),
    Column("outcome", String(16), nullable=False),
    Column("seq_token", String(64)),
    Column("received_at", String(32), nullable=False),
    Column("times_seen", Integer, nullable=False, default=1),
    Column("envelope", Text),
)
Index("ix_inbox_entity", inbox.c.entity_key, inbox.c.seq_token)
Index("ix_inbox_correlation", inbox.c.correlation_id)

entities = Table(
    "entities", metadata,
    Column("entity_key", String(300), primary_key=True),
    Column("entity_type", String(32), nullable=False),
    Column("ref", String(200)),
    Column("seq_token", String(64)),
    Column("data", Text, nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("msg_key", String(300)),
)
Index("ix_entities_type_ref", entities.c.entity_type, entities.c.ref)

exceptions = Table(
    "exceptions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("status", String(20), nullable=False),
    Column("msg_key", String(300)),
    Column("source", String(64)),
    Column("event_type", String(64)),
    Column("entity_key", String(300)),
    Column("codes", String(500), nullable=False),
    Column("reasons", Text, nullable=False),
    Column("owner_role", String(20), nullable=False),
    Column("payload", Text),
    Column("outbox_id", Integer),
    Column("first_seen", String(32), nullable=False),
    Column("last_seen", String(32), nullable=False),
    Column("times_seen", Integer, nullable=False, default=1),
    Column("requested_by", String(100)),
    Column("resolved_by", String(100)),
    Column("resolved_at", String(32)),
    Column("note", Text),
)
Index("ix_exceptions_status", exceptions.c.status, exceptions.c.kind)
Index("ix_exceptions_msg", exceptions.c.msg_key)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("target", String(64), nullable=False),
    Column("entity_key", String(300), nullable=False),
    Column("msg_key", String(300), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("status", String(12), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False),
    Column("lease_owner", String(64)),
    Column("lease_until", Float),
    Column("last_error", Text),
    Column("created_at", String(32), nullable=False),
    Column("delivered_at", String(32)),
)
Index("ix_outbox_due", outbox.c.status, outbox.c.next_attempt_at)
Index("ix_outbox_order", outbox.c.target, outbox.c.entity_key, outbox.c.id)

audit = Table(
    "audit", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(32), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("subject", String(300)),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)
