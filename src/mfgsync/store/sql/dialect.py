"""What differs between SQLite and PostgreSQL, in one place: placeholders, key lists, row
locks, and exact decimal addition. Statements run straight on the driver: the hot paths skip
SQLAlchemy's compilation per call, and on SQLite its result objects too — the batched writes
and keyed reads go to the sqlite3 cursor of the unit's own connection and transaction, and a
driver error is raised as SQLAlchemy's (so "database is locked" is still a Conflict).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import sqlite3

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

_CHUNK = 500  # keeps SQLite's IN (...) lists within its parameter limit


class Dialect:
    def __init__(self, name: str):
        self.name = name
        self.postgres = name == "postgresql"
        # Row locks exist only on PostgreSQL; SQLite's single writer already holds everything.
        self.for_update = " FOR UPDATE" if self.postgres else ""
        self.skip_locked = " FOR UPDATE SKIP LOCKED" if self.postgres else ""

    def p(self, name: str) -> str:
        """The driver's placeholder for the named parameter `name`."""
        return f"%({name})s" if self.postgres else f":{name}"

    def values(self, columns: Sequence[str]) -> str:
        return ", ".join(self.p(c) for c in columns)

    def insert(self, table: str, columns: Sequence[str], tail: str = "", written: Mapping[str, str] = {}) -> str:
        """An insert of `columns` from each row's parameters of those names, and of the columns
        of `written` from the SQL expression each is given (a constant, another parameter)."""
        names, values = [*columns, *written], [self.values(columns), *written.values()]
        return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(values)}){tail}"

    def add(self, left: str, right: str) -> str:
        """Exact decimal addition: NUMERIC on PostgreSQL, decimal text through a function on SQLite."""
        return f"{left} + {right}" if self.postgres else f"decimal_add({left}, {right})"

    def many(self, connection: Connection, sql: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """The driver's executemany; the number of rows changed."""
        if not rows:
            return 0
        if self.postgres:
            return connection.exec_driver_sql(sql, list(rows)).rowcount
        return self._sqlite(connection, sql, rows, many=True).rowcount

    def one(self, connection: Connection, sql: str, params: Mapping[str, Any] | None = None):
        return connection.exec_driver_sql(sql, dict(params or {}))

    def select_in(self, connection: Connection, sql: str, keys: Iterable[str], *params: Any) -> list[tuple]:
        """Rows of `sql`, whose `{keys}` is a condition on the distinct `keys` (sorted, so row
        locks are always taken in one order). `params` fill the statement's `{0}`, `{1}`, …
        placeholders, which come before the key condition and in that order in its text."""
        keys = sorted(set(keys))
        if not keys:
            return []
        if self.postgres:
            marks = ["%s"] * len(params)
            return connection.exec_driver_sql(sql.format(*marks, keys="= ANY(%s)"), (*params, keys)).fetchall()
        rows: list[tuple] = []
        marks = ["?"] * len(params)
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start:start + _CHUNK]
            statement = sql.format(*marks, keys=f"IN ({', '.join('?' * len(chunk))})")
            rows += self._sqlite(connection, statement, (*params, *chunk)).fetchall()
        return rows

    @staticmethod
    def _sqlite(connection: Connection, sql: str, params, many: bool = False) -> sqlite3.Cursor:
        """`sql` on the sqlite3 cursor of the connection's transaction (begun by SQLAlchemy)."""
        if not connection.in_transaction():
            connection.begin()  # as SQLAlchemy's own execution would: reads see one snapshot
        cursor = connection.connection.driver_connection.cursor()
        try:
            if many:
                cursor.executemany(sql, params)
            else:
                cursor.execute(sql, params)
        except sqlite3.Error as error:
            raise DBAPIError.instance(sql, None, error, sqlite3.Error) from error
        return cursor
