"""Alembic environment: the hub passes an open connection; nothing runs at import elsewhere."""

from alembic import context

from mfgsync.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
