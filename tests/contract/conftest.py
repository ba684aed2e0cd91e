"""The store under contract: every case runs on memory, SQLite and PostgreSQL.

`store` is one store; `open_store()` opens another on the same database, as a second process
would (memory: the same store, used from another thread).
"""

from __future__ import annotations

from typing import Callable, Iterator

import pytest

from mfgsync.store.memory import MemoryStore
from mfgsync.store.port import Store


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store_url(request, tmp_path) -> str | None:
    """Where the store lives (None: in memory)."""
    if request.param == "memory":
        return None
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/hub.db"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def open_store(store_url) -> Iterator[Callable[[], Store]]:
    opened: list[Store] = []
    memory = MemoryStore() if store_url is None else None

    def open_() -> Store:
        if memory is not None:
            return memory
        from mfgsync.store.sql import open_sql_store  # the SQL backends are optional here

        opened.append(open_sql_store(store_url))
        return opened[-1]

    yield open_
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store) -> Store:
    return open_store()


@pytest.fixture
def second_store(store, open_store) -> Store:
    """Another writer (or worker) on the same database."""
    return open_store()
