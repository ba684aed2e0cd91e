"""Processes that start at once on a fresh SQL store all start: one migrates, the others wait."""

from __future__ import annotations

import subprocess
import sys

import pytest

OPEN = "import sys; from mfgsync.store.sql import open_sql_store; open_sql_store(sys.argv[1]).close()"


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/hub.db"
    return request.getfixturevalue("postgres_url")


def test_processes_opening_a_fresh_store_at_once_all_start(fresh_url):
    starting = [subprocess.Popen([sys.executable, "-c", OPEN, fresh_url], stderr=subprocess.PIPE, text=True)
                for _ in range(4)]
    failures = [error for error in (p.communicate(timeout=120)[1] for p in starting) if error]
    assert [p.returncode for p in starting] == [0] * 4, failures
    from mfgsync.store.sql import open_sql_store

    store = open_sql_store(fresh_url)
    with store.reading() as read:
        read.ping()
        assert read.inbox_figures().outcomes == {}
    store.close()


def test_the_store_knows_the_newest_migration_without_asking_alembic():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from mfgsync.store.sql.engine import HEAD, MIGRATIONS
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD
