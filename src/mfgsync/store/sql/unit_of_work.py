"""The SQL store: units of work and the read side on SQLite or PostgreSQL (see port.py).

Audit entries gathered during a unit are chained as its last statement: the chain's head row
is the one row every writer shares, and it is held only from then to commit.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Callable, Iterator

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from mfgsync.store import audit_chain
from mfgsync.store.port import AuditEntry, Conflict
from mfgsync.store.sql.dialect import Dialect
from mfgsync.store.sql.engine import WRITE, check_migrated, default_url, migrate, open_engine
from mfgsync.store.sql.queues import QueueWrites
from mfgsync.store.sql.reads import SqlReadSide
from mfgsync.store.sql.state import StateWrites

AUDIT = ("seq", "at", "actor", "action", "subject", "detail", "prev_hash", "hash", *audit_chain.LINEAGE)
# PostgreSQL's answers that mean "another writer got in the way; run it again": serialisation
# failure, deadlock, and a unique key taken by a concurrent insert.
RETRYABLE_STATES = {"40001", "40P01", "23505"}


class SqlUnitOfWork(StateWrites, QueueWrites):
    def __init__(self, connection: Connection, dialect: Dialect):
        self.c, self.d = connection, dialect
        self._audit: list[tuple[list[AuditEntry], str]] = []

    def audit(self, entries: list[AuditEntry], at: str) -> None:
        if entries:
            self._audit.append((list(entries), at))

    def chain_audit(self, key: bytes | None) -> None:
        if not self._audit:
            return
        head_row = self.d.one(self.c, "SELECT seq, hash FROM audit_head WHERE id = 1" + self.d.for_update).first()
        head = (head_row[0], head_row[1]) if head_row else None
        rows = []
        for entries, at in self._audit:
            rows += audit_chain.link(entries, at, head, key)
            head = (rows[-1]["seq"], rows[-1]["hash"])
        self.d.many(self.c, self.d.insert("audit", AUDIT), rows)
        p = self.d.p
        self.d.one(self.c, (f"INSERT INTO audit_head (id, seq, hash) VALUES (1, {p('seq')}, {p('hash')}) "
                            "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash"),
                   {"seq": head[0], "hash": head[1]})


def _retryable(error: DBAPIError) -> bool:
    state = getattr(error.orig, "sqlstate", None)
    if state in RETRYABLE_STATES:
        return True
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)


class SqlStore:
    def __init__(self, engine: Engine, audit_key: bytes | None = None):
        self.engine = engine
        self._audit_key = audit_key
        self.kind = engine.dialect.name
        self.dialect = Dialect(self.kind)

    @contextmanager
    def writing(self, while_committing: Callable[[], AbstractContextManager] = nullcontext) -> Iterator[SqlUnitOfWork]:
        try:
            with self.engine.connect() as connection:
                with connection.execution_options(**{WRITE: True}).begin() as transaction:
                    uow = SqlUnitOfWork(connection, self.dialect)
                    yield uow
                    uow.chain_audit(self._audit_key)
                    with while_committing():
                        transaction.commit()
        except DBAPIError as error:
            if _retryable(error):
                raise Conflict(str(error.orig).splitlines()[0]) from error
            raise

    @contextmanager
    def reading(self) -> Iterator[SqlReadSide]:
        with self.engine.connect() as connection:
            yield SqlReadSide(connection, self.dialect)

    def close(self) -> None:
        self.engine.dispose()


def open_sql_store(url: str | None = None, *, run_migrations: bool = True,
                   audit_key: bytes | None = None) -> SqlStore:
    """A store on SQLite or PostgreSQL, migrated (or, with run_migrations False, checked)."""
    engine = open_engine(url or default_url())
    if run_migrations:
        migrate(engine)
    else:
        check_migrated(engine)
    return SqlStore(engine, audit_key)
