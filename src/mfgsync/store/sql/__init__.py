"""The SQL store: SQLite (embedded default) and PostgreSQL behind one implementation."""

from mfgsync.store.sql.unit_of_work import SqlStore, open_sql_store

__all__ = ["SqlStore", "open_sql_store"]
