"""Opening a SQL store: SQLite (embedded default, WAL) or PostgreSQL, migrated by Alembic.

SQLite has one writer at a time: a write transaction takes the lock up front (`BEGIN
IMMEDIATE`), so a batch reads and writes a consistent state. PostgreSQL runs any number of
writers at READ COMMITTED; what they must not race on is settled row by row (see port.py).
Migrations take a lock of their own, so processes starting at once wait for the first to
migrate rather than crash.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

DEFAULT_DIR = "mfgsync-data"
WRITE = "mfgsync_write"
MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
MIGRATION_LOCK = 7002  # a PostgreSQL advisory lock id held while migrating
# The newest migration in migrations/versions (a test holds the two equal): a store already there
# is opened without loading Alembic at all.
HEAD = "0002"


class StoreNotMigrated(RuntimeError):
    """The store's schema is behind this version of the hub; `mfgsync db upgrade` brings it up."""


def default_url() -> str:
    return os.environ.get("MFGSYNC_DATABASE_URL") or f"sqlite:///{DEFAULT_DIR}/mfgsync.db"


def _decimal_add(a: str | None, b: str | None) -> str:
    """Exact decimal addition inside SQLite, so a balance changes by a delta in one statement."""
    return str(Decimal(a or 0) + Decimal(b or 0))


def sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's `begin` below issue BEGIN itself, not the driver.
        dbapi_connection.isolation_level = None
        dbapi_connection.create_function("decimal_add", 2, _decimal_add, deterministic=True)
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


def postgres_engine(url: str) -> Engine:
    return create_engine(url, pool_pre_ping=True, pool_size=4, max_overflow=4)


def _config(connection: Connection):
    from alembic.config import Config  # Alembic loads only where a schema is checked or changed
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _at_head(connection: Connection) -> bool:
    if not inspect(connection).has_table("alembic_version"):
        return False
    return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD


def migrate(engine: Engine) -> bool:
    """Bring the schema to head; safe while other processes do the same. True if it upgraded."""
    with engine.connect() as connection, connection.execution_options(**{WRITE: True}).begin():
        if engine.dialect.name == "postgresql":
            # Held to the end of this transaction: the others wait, then find the schema at head.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        if _at_head(connection):
            return False
        from alembic import command
        command.upgrade(_config(connection), "head")
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            # A new table has no planner statistics until autovacuum first gets to it; until
            # then PostgreSQL plans the hot lookups for a size the table does not have.
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    return True


def check_migrated(engine: Engine) -> None:
    with engine.connect() as connection:
        if not _at_head(connection):
            raise StoreNotMigrated("the store's schema is not up to date: run `mfgsync db upgrade`")


def open_engine(url: str) -> Engine:
    return sqlite_engine(url) if url.startswith("sqlite") else postgres_engine(url)
