"""Tampering with the audit log behind the hub's back shows when the chain is verified.

SQL backends only: rows are edited, deleted and added here with plain SQL, as someone with
access to the database could.
"""

from __future__ import annotations

from typing import Iterator

import pytest
from sqlalchemy import create_engine, text

from mfgsync.store import audit_chain
from mfgsync.store.port import AuditEntry

from tests.contract.store_rows import AT


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/hub.db"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def audited(url) -> Iterator:
    """A store whose audit log holds five entries, and a way to run SQL on its database."""
    from mfgsync.store.sql import open_sql_store

    store = open_sql_store(url)
    with store.writing() as uow:
        uow.audit([AuditEntry("tester", "message.applied", f"ITEM:{i}", {"i": i}) for i in range(1, 6)], AT)
    engine = create_engine(url)

    def tamper(sql: str, **params) -> None:
        with engine.begin() as connection:
            connection.execute(text(sql), params)

    yield store, tamper
    engine.dispose()
    store.close()


def problems(store) -> list[str]:
    with store.reading() as read:
        result = audit_chain.verify(read.audit_rows(), read.audit_head())
    assert result.ok == (not result.problems)
    return result.problems


def test_an_untouched_audit_log_verifies(audited):
    store, _ = audited
    assert problems(store) == []


def test_an_edited_audit_row_is_detected(audited):
    store, tamper = audited
    tamper("UPDATE audit SET detail = :detail WHERE seq = 3", detail='{"i":99}')
    assert problems(store) == ["row 3: content does not match its hash (edited)"]


def test_a_deleted_audit_row_is_detected(audited):
    store, tamper = audited
    tamper("DELETE FROM audit WHERE seq = 2")
    assert problems(store) == ["row 2 to 2 missing (deleted rows)", "row 3: does not link to the row before it"]


def test_rows_cut_from_the_end_of_the_audit_log_are_detected(audited):
    store, tamper = audited
    tamper("DELETE FROM audit WHERE seq >= 4")
    assert problems(store) == ["the log ends at row 3 but its head says 5 (rows removed from the end)"]


def test_a_row_added_behind_the_heads_back_is_detected(audited):
    store, tamper = audited
    with store.reading() as read:
        *_, last = read.audit_rows()
    [forged] = audit_chain.link([AuditEntry("intruder", "message.applied", "ITEM:6", {})], AT, (last[0], last[7]))
    tamper("INSERT INTO audit (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES "
           "(:seq, :at, :actor, :action, :subject, :detail, :prev_hash, :hash)",
           **{name: value for name, value in forged.items() if name != "correlation_id"})
    assert problems(store) == ["the log ends at row 6 but its head says 5 (rows removed from the end)"]


def test_a_missing_audit_head_is_detected(audited):
    store, tamper = audited
    tamper("DELETE FROM audit_head")
    assert problems(store) == ["the audit head is missing"]
