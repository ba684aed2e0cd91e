"""The store: one port (port.py) with memory, SQLite and PostgreSQL behind it."""

from __future__ import annotations

from mfgsync.store.port import Store


def open_store(url: str | None = None, *, run_migrations: bool = True, audit_key: bytes | None = None) -> Store:
    """The store at `url`: `memory://` for a store in this process, else SQLite or PostgreSQL
    (default: $MFGSYNC_DATABASE_URL, or SQLite under ./mfgsync-data/). With `audit_key`, the
    audit chain's links are keyed MACs."""
    if url == "memory://":
        from mfgsync.store.memory import MemoryStore
        return MemoryStore(audit_key)
    from mfgsync.store.sql import open_sql_store
    return open_sql_store(url, run_migrations=run_migrations, audit_key=audit_key)
