"""The hub's tables at the newest migration. One schema for SQLite and PostgreSQL; the Alembic
migrations in migrations/versions create it, and this describes it for reading and comparison.

- inbox: one row per distinct inbound message (source + id): its outcome and, once applied,
  the canonical envelope, so an entity's history is its applied inbox rows in order.
- entities: the current canonical state, one row per entity key, with its ordering tokens per
  field domain and a version that every write compares and sets.
- balances and ledger: stock, changed only by ledger entries (deltas, and counts).
- exceptions: quarantined messages, dead letters, alerts and workflow exceptions, each with
  reasons and owner role.
- outbox: one row per effect to deliver (a message to a subscribed target, or a workflow's
  command), under its business effect key, leased to one worker at a time under a fence.
- schedule: effects due at a time, fired once.
- audit: append-only, each row chained to the previous by a SHA-256 hash; audit_head holds the
  newest link so truncation is visible too.
Every row that a message or effect causes carries its correlation and causation ids.
"""

from sqlalchemy import (
    Column, Float, Index, Integer, MetaData, Numeric, String, Table, Text, text,
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
    Column("causation_id", Text),
    Column("mapping_version", Text),
    Column("content_hash", Text),
)
Index("ix_inbox_entity", inbox.c.entity_key, inbox.c.seq_token)
Index("ix_inbox_correlation", inbox.c.correlation_id, sqlite_where=text("correlation_id IS NOT NULL"),
      postgresql_where=text("correlation_id IS NOT NULL"))

entities = Table(
    "entities", metadata,
    Column("entity_key", String(300), primary_key=True),
    Column("entity_type", String(32), nullable=False),
    Column("ref", String(200)),
    Column("data", Text, nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("msg_key", String(300)),
    Column("tokens", Text),
    Column("version", Integer, nullable=False, server_default="1"),
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
    Column("correlation_id", Text),
    Column("causation_id", Text),
    Column("mapping_version", Text),
    Column("original_payload", Text),
)
Index("ix_exceptions_correlation", exceptions.c.correlation_id, sqlite_where=text("correlation_id IS NOT NULL"),
      postgresql_where=text("correlation_id IS NOT NULL"))
Index("ix_exceptions_status", exceptions.c.status, exceptions.c.kind)
Index("ix_exceptions_msg", exceptions.c.msg_key)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("target", String(64), nullable=False),
    Column("entity_key", String(300), nullable=False),
    Column("msg_key", String(300)),
    Column("event_type", String(64), nullable=False),
    Column("status", String(12), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False),
    Column("lease_owner", String(64)),
    Column("lease_until", Float),
    Column("last_error", Text),
    Column("created_at", String(32), nullable=False),
    Column("delivered_at", String(32)),
    Column("effect_key", Text),
    Column("command", Text),
    Column("payload", Text),
    Column("correlation_id", Text),
    Column("causation_id", Text),
    Column("mapping_version", Text),
    Column("fence", Integer, nullable=False, server_default="0"),
)
Index("ix_outbox_pending", outbox.c.id, sqlite_where=text("status = 'pending'"),
      postgresql_where=text("status = 'pending'"))
Index("ix_outbox_stream_open", outbox.c.target, outbox.c.entity_key, outbox.c.id,
      sqlite_where=text("status IN ('pending', 'dead')"), postgresql_where=text("status IN ('pending', 'dead')"))
Index("ux_outbox_effect", outbox.c.target, outbox.c.effect_key, unique=True)
Index("ix_outbox_correlation", outbox.c.correlation_id, sqlite_where=text("correlation_id IS NOT NULL"),
      postgresql_where=text("correlation_id IS NOT NULL"))

QTY = Numeric().with_variant(Text(), "sqlite")  # exact decimals; SQLite keeps their text

balances = Table(
    "balances", metadata,
    Column("balance_key", Text, primary_key=True),
    Column("item_id", Text, nullable=False),
    Column("plant_id", Text, nullable=False),
    Column("location_id", Text, nullable=False),
    Column("lot_id", Text),
    Column("status", String(16), nullable=False),
    Column("qty", QTY, nullable=False),
    Column("uom", String(8), nullable=False),
    Column("updated_at", String(32), nullable=False),
)
Index("ix_balances_item", balances.c.item_id)

ledger = Table(
    "ledger", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("balance_key", Text, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("qty", QTY, nullable=False),
    Column("uom", String(8), nullable=False),
    Column("msg_key", Text),
    Column("at", String(32), nullable=False),
    Column("correlation_id", Text),
)

schedule = Table(
    "schedule", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("due_at", Float, nullable=False),
    Column("effect", Text, nullable=False),
    Column("effect_key", Text, nullable=False, unique=True),
    Column("status", String(12), nullable=False),
    Column("fence", Integer, nullable=False),
    Column("lease_owner", String(64)),
    Column("lease_until", Float),
    Column("correlation_id", Text),
    Column("causation_id", Text),
    Column("mapping_version", Text),
    Column("created_at", String(32), nullable=False),
    Column("fired_at", String(32)),
)
Index("ix_schedule_due", schedule.c.due_at, sqlite_where=text("status = 'pending'"),
      postgresql_where=text("status = 'pending'"))
Index("ix_schedule_correlation", schedule.c.correlation_id, sqlite_where=text("correlation_id IS NOT NULL"),
      postgresql_where=text("correlation_id IS NOT NULL"))

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
    Column("correlation_id", Text),
    Column("causation_id", Text),
    Column("mapping_version", Text),
)

audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)
