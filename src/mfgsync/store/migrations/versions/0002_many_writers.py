"""Many writers and workflows: versioned entities, a stock ledger, fenced outbox rows with effect
keys, scheduled effects, and lineage columns on every row.

Revision ID: 0002
Revises: 0001
"""
import json
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

QTY = sa.Numeric().with_variant(sa.Text(), "sqlite")  # exact decimals; SQLite keeps their text
LINEAGE = ("correlation_id", "causation_id", "mapping_version")


def _lineage(*names: str) -> list[sa.Column]:
    return [sa.Column(name, sa.Text) for name in names]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _keys_as_text()
    with op.batch_alter_table("inbox") as t:
        for column in _lineage("causation_id", "mapping_version", "content_hash"):
            t.add_column(column)
    with op.batch_alter_table("entities") as t:
        t.add_column(sa.Column("tokens", sa.Text))
        t.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    with op.batch_alter_table("exceptions") as t:
        for column in _lineage(*LINEAGE, "original_payload"):
            t.add_column(column)
    with op.batch_alter_table("audit") as t:
        for column in _lineage(*LINEAGE):
            t.add_column(column)
    with op.batch_alter_table("outbox") as t:
        for column in _lineage("effect_key", "command", "payload", *LINEAGE):
            t.add_column(column)
        t.add_column(sa.Column("fence", sa.Integer, nullable=False, server_default="0"))
        t.alter_column("msg_key", existing_type=sa.Text, nullable=True)  # scheduled commands have no message
    op.execute("UPDATE outbox SET effect_key = target || ':' || CAST(id AS TEXT), command = 'deliver'")
    op.drop_index("ix_outbox_due", "outbox")
    op.drop_index("ix_outbox_order", "outbox")
    # Claims walk pending rows in id order, and ask of each only whether an earlier row of its
    # stream is still open: both questions are answered by small partial indexes.
    op.create_index("ix_outbox_pending", "outbox", ["id"], sqlite_where=sa.text("status = 'pending'"),
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_index("ix_outbox_stream_open", "outbox", ["target", "entity_key", "id"],
                    sqlite_where=sa.text("status IN ('pending', 'dead')"),
                    postgresql_where=sa.text("status IN ('pending', 'dead')"))
    op.create_index("ux_outbox_effect", "outbox", ["target", "effect_key"], unique=True)
    # Lineage lookups go by correlation id, which most rows lack: only rows that have one are indexed.
    op.drop_index("ix_inbox_correlation", "inbox")
    _correlation_index("inbox")
    _correlation_index("outbox")
    op.create_table(
        "balances",
        sa.Column("balance_key", sa.Text, primary_key=True),
        sa.Column("item_id", sa.Text, nullable=False),
        sa.Column("plant_id", sa.Text, nullable=False),
        sa.Column("location_id", sa.Text, nullable=False),
        sa.Column("lot_id", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("qty", QTY, nullable=False),
        sa.Column("uom", sa.String(8), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_balances_item", "balances", ["item_id"])
    op.create_table(
        "ledger",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("balance_key", sa.Text, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),  # delta, or count (a snapshot)
        sa.Column("qty", QTY, nullable=False),
        sa.Column("uom", sa.String(8), nullable=False),
        sa.Column("msg_key", sa.Text),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("correlation_id", sa.Text),
    )
    op.create_table(
        "schedule",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("due_at", sa.Float, nullable=False),
        sa.Column("effect", sa.Text, nullable=False),
        sa.Column("effect_key", sa.Text, nullable=False, unique=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("fence", sa.Integer, nullable=False),
        sa.Column("lease_owner", sa.String(64)),
        sa.Column("lease_until", sa.Float),
        *_lineage(*LINEAGE),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("fired_at", sa.String(32)),
    )
    op.create_index("ix_schedule_due", "schedule", ["due_at"], sqlite_where=sa.text("status = 'pending'"),
                    postgresql_where=sa.text("status = 'pending'"))
    _correlation_index("schedule")
    _correlation_index("exceptions")
    _carry_over(bind)
    with op.batch_alter_table("entities") as t:
        t.drop_column("seq_token")


def _correlation_index(table: str) -> None:
    where = sa.text("correlation_id IS NOT NULL")
    op.create_index(f"ix_{table}_correlation", table, ["correlation_id"], sqlite_where=where, postgresql_where=where)


def _keys_as_text() -> None:
    """Keys built from several identifiers outgrow fixed widths; PostgreSQL enforces them."""
    for table, columns in {"inbox": ["msg_key", "entity_key", "correlation_id", "message_id"],
                           "entities": ["entity_key", "ref", "msg_key"],
                           "exceptions": ["msg_key", "entity_key"],
                           "outbox": ["entity_key", "msg_key"], "audit": ["subject"]}.items():
        for column in columns:
            op.alter_column(table, column, type_=sa.Text)


def _old_token(text: str | None) -> str | None:
    """0001's tokens (`20261122T100000.000000|000000000007`) as value-ordered ones."""
    if not text:
        return None
    stamp, _, sequence = text.partition("|")
    time = datetime.strptime(stamp, "%Y%m%dT%H%M%S.%f").replace(tzinfo=timezone.utc)
    delta = time - datetime(1, 1, 1, tzinfo=timezone.utc)
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{micros:020d}|{int(sequence or 0):020d}"


def _carry_over(bind) -> None:
    """Old tokens into the new form; balance entities into the balances table and its ledger."""
    for key, token in bind.execute(sa.text("SELECT msg_key, seq_token FROM inbox WHERE seq_token IS NOT NULL")).all():
        bind.execute(sa.text("UPDATE inbox SET seq_token = :t WHERE msg_key = :k"), {"t": _old_token(token), "k": key})
    rows = bind.execute(sa.text("SELECT entity_key, entity_type, seq_token, data, updated_at, msg_key FROM entities")).all()
    for key, entity_type, token, data, updated_at, msg_key in rows:
        if entity_type == "balance":
            b = json.loads(data)
            values = {"k": key, "i": b["item_id"], "p": b["plant_id"], "l": b["location_id"], "lot": b.get("lot_id"),
                      "s": b["status"], "q": str(b["qty"]), "u": b["uom"], "at": updated_at, "m": msg_key}
            bind.execute(sa.text("INSERT INTO balances VALUES (:k, :i, :p, :l, :lot, :s, :q, :u, :at)"), values)
            bind.execute(sa.text("INSERT INTO ledger (balance_key, kind, qty, uom, msg_key, at) "
                                 "VALUES (:k, 'count', :q, :u, :m, :at)"), values)
            bind.execute(sa.text("DELETE FROM entities WHERE entity_key = :k"), {"k": key})
        elif token:
            tokens = json.dumps({"*": _old_token(token)}, separators=(",", ":"))
            bind.execute(sa.text("UPDATE entities SET tokens = :t WHERE entity_key = :k"), {"t": tokens, "k": key})


def downgrade() -> None:
    raise NotImplementedError("0002 carries data into new tables; restore a backup to go back")
