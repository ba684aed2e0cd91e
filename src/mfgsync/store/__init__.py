"""The store: one port (port.py) with memory, SQLite and PostgreSQL behind it."""

from __future__ import annotations

from mfgsync.store.port import Store


def open_store(url: str | None = None, *, run_migrations: bool = True) -> Store:
    """The store at `url`: `memory://` for a store in this process, else SQLite or PostgreSQL
    (default: $MFGSYNC_DATABASE_URL, or SQLite under ./mfgsync-data/)."""
    if url == "memory://":
        from mfgsync.store.memory import MemoryStore
        return MemoryStore()
    from mfgsync.store.sql import open_sql_store
    return open_sql_store(url, run_migrations=run_migrations)
