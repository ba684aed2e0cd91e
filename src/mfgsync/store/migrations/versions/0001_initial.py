"""The hub's first schema: inbox, entities, exceptions, outbox, audit.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("msg_key", sa.String(300), primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("event_type", sa.String(64)),
        sa.Column("entity_key", sa.String(300)),
        sa.Column("correlation_id", sa.String(200)),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("seq_token", sa.String(64)),
        sa.Column("received_at", sa.String(32), nullable=False),
        sa.Column("times_seen", sa.Integer, nullable=False),
        sa.Column("envelope", sa.Text),
    )
    op.create_index("ix_inbox_entity", "inbox", ["entity_key", "seq_token"])
    op.create_index("ix_inbox_correlation", "inbox", ["correlation_id"])
    op.create_table(
        "entities",
        sa.Column("entity_key", sa.String(300), primary_key=True),
        sa.Column("entity_type", sa.String(32), nullable=False),
        sa.Column("ref", sa.String(200)),
        sa.Column("seq_token", sa.String(64)),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("msg_key", sa.String(300)),
    )
    op.create_index("ix_entities_type_ref", "entities", ["entity_type", "ref"])
    op.create_table(
        "exceptions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("msg_key", sa.String(300)),
        sa.Column("source", sa.String(64)),
        sa.Column("event_type", sa.String(64)),
        sa.Column("entity_key", sa.String(300)),
        sa.Column("codes", sa.String(500), nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.Column("owner_role", sa.String(20), nullable=False),
        sa.Column("payload", sa.Text),
        sa.Column("outbox_id", sa.Integer),
        sa.Column("first_seen", sa.String(32), nullable=False),
        sa.Column("last_seen", sa.String(32), nullable=False),
        sa.Column("times_seen", sa.Integer, nullable=False),
        sa.Column("requested_by", sa.String(100)),
        sa.Column("resolved_by", sa.String(100)),
        sa.Column("resolved_at", sa.String(32)),
        sa.Column("note", sa.Text),
    )
    op.create_index("ix_exceptions_status", "exceptions", ["status", "kind"])
    op.create_index("ix_exceptions_msg", "exceptions", ["msg_key"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("entity_key", sa.String(300), nullable=False),
        sa.Column("msg_key", sa.String(300), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.Float, nullable=False),
        sa.Column("lease_owner", sa.String(64)),
        sa.Column("lease_until", sa.Float),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("delivered_at", sa.String(32)),
    )
    op.create_index("ix_outbox_due", "outbox", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_order", "outbox", ["target", "entity_key", "id"])
    op.create_table(
        "audit",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(300)),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    for table in ("audit_head", "audit", "outbox", "exceptions", "entities", "inbox"):
        op.drop_table(table)
