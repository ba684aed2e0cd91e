"""Opening the store: SQLite (embedded default, WAL) or PostgreSQL, migrated by Alembic.

Writes happen in short transactions that take the write lock up front (SQLite `BEGIN
IMMEDIATE`), so a batch reads and writes a consistent state even with several processes.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

DEFAULT_DIR = "mfgsync-data"
WRITE = "mfgsync_write"
MIGRATIONS = Path(__file__).parent / "migrations"


def default_url() -> str:
    return os.environ.get("MFGSYNC_DATABASE_URL") or f"sqlite:///{DEFAULT_DIR}/mfgsync.db"


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's `begin` below issue BEGIN itself, not the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Writers take the lock up front, so a batch never has to upgrade a read lock midway;
        # readers begin a plain (deferred) transaction and never wait for or block a writer.
        write = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


class Database:
    """The store's engine and its transactions. Build it with `open_database`."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One atomic unit of work: every state change and the messages it causes."""
        with self.engine.connect() as connection, connection.execution_options(**{WRITE: True}).begin():
            if self.dialect == "postgresql":
                # One writer at a time keeps per-entity sequencing and the audit chain simple;
                # the scale-out design partitions this lock by entity key.
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7001)")
            yield connection

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()


def migrate(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection, connection.execution_options(**{WRITE: True}).begin():
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_database(url: str | None = None, *, run_migrations: bool = True) -> Database:
    url = url or default_url()
    if url.startswith("sqlite"):
        engine = _sqlite_engine(url)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    if run_migrations:
        migrate(engine)
    return Database(engine)
