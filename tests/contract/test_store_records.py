"""The store's contract for what people and auditors read: exceptions, lineage, the audit log.

Every case runs on memory, SQLite and PostgreSQL (see conftest.py).
"""

from __future__ import annotations

import pytest

from mfgsync.store import audit_chain
from mfgsync.store.port import EXCEPTION_COLUMNS, AuditEntry, Conflict

from tests.contract.store_rows import AT, at, delivered, delivery, exception_row, failed, message, msg_key, queue


def test_an_exception_is_stored_open_with_every_column(store):
    with store.writing() as uow:
        uow.add_exceptions([exception_row(1, correlation_id="C1", causation_id="message:x")])
    with store.reading() as read:
        [row] = read.exceptions().rows
        assert read.exception(row["id"]) == row
    assert set(row) == set(EXCEPTION_COLUMNS)
    assert (row["status"], row["first_seen"], row["last_seen"], row["times_seen"]) == ("open", AT, AT, 1)
    assert (row["codes"], row["reasons"], row["owner_role"], row["correlation_id"]) == (
        "E100", '[{"code": "E100"}]', "planner", "C1")
    assert row["resolved_by"] is None and row["original_payload"] is None


def test_exceptions_page_by_id_and_say_when_more_remain(store):
    with store.writing() as uow:
        uow.add_exceptions([exception_row(n) for n in range(5)])
    pages, after = [], 0
    with store.reading() as read:
        while True:
            page = read.exceptions(after_id=after, limit=2)
            pages.append([row["entity_key"] for row in page.rows])
            if not page.more:
                break
            after = page.next_after
    assert pages == [["ITEM:0", "ITEM:1"], ["ITEM:2", "ITEM:3"], ["ITEM:4"]]


def test_exceptions_are_listed_by_status_kind_role_and_code(store):
    with store.writing() as uow:
        uow.add_exceptions([exception_row(1, codes="E100,E200"), exception_row(2, kind="dead_letter", role="it"),
                            exception_row(3, codes="E2000")])
    with store.reading() as read:
        [first] = [x for x in read.exceptions().rows if x["entity_key"] == "ITEM:1"]
    with store.writing() as uow:
        assert uow.exception(first["id"]) == first
        uow.update_exception(first["id"], {"status": "resolved", "resolved_by": "ana", "resolved_at": at(9),
                                           "note": "fixed in PLM"})
    with store.reading() as read:
        def keys(**query):
            return [row["entity_key"] for row in read.exceptions(**query).rows]

        assert keys() == ["ITEM:2", "ITEM:3"]
        assert keys(status=None) == ["ITEM:1", "ITEM:2", "ITEM:3"]
        assert keys(status="resolved") == ["ITEM:1"]
        assert keys(status=None, code="E200") == ["ITEM:1"], "a code matches whole, not as a prefix"
        assert keys(kind="dead_letter") == keys(role="it") == ["ITEM:2"]
        assert read.exception(first["id"])["resolved_by"] == "ana"
        assert read.open_exceptions() == [("dead_letter", "it", 1, AT), ("quarantine", "planner", 1, AT)]


def test_a_unit_of_work_finds_which_entity_keys_an_open_exception_carries(store):
    with store.writing() as uow:
        uow.add_exceptions([exception_row(n) for n in range(3)])
    with store.reading() as read:
        [resolved] = [x["id"] for x in read.exceptions().rows if x["entity_key"] == "ITEM:2"]
    with store.writing() as uow:
        uow.update_exception(resolved, {"status": "resolved"})
        assert uow.open_exception_keys(["ITEM:0", "ITEM:2", "ITEM:9"]) == {"ITEM:0"}
        assert uow.open_exception_keys([]) == set()


def test_a_repeated_message_is_counted_on_its_open_quarantine(store):
    with store.writing() as uow:
        uow.add_inbox([message("bad-1", outcome="quarantined")])
        uow.add_exceptions([exception_row(1)])
    with store.writing() as uow:
        uow.count_repeats([msg_key("bad-1")], at(30))
    with store.reading() as read:
        [row] = read.exceptions().rows
        assert read.inbox_figures().repeats == 1
    assert (row["times_seen"], row["first_seen"], row["last_seen"]) == (2, AT, at(30))


def test_a_corrected_resend_resolves_the_open_quarantine_it_supersedes(store):
    with store.writing() as uow:
        uow.add_inbox([message("bad-1", outcome="quarantined")])
        uow.add_exceptions([exception_row(1)])
    with store.writing() as uow:
        uow.supersede_quarantines([msg_key("bad-1"), msg_key("never-seen")], at(40))
    with store.reading() as read:
        assert read.exceptions().rows == []
        [row] = read.exceptions(status="all").rows
    assert (row["status"], row["resolved_by"], row["resolved_at"]) == ("resolved", "pipeline", at(40))


def test_a_unit_of_work_finds_the_open_quarantines_of_a_correlation_id(store):
    with store.writing() as uow:
        uow.add_exceptions([exception_row(1, correlation_id="ECO-1"), exception_row(2, correlation_id="ECO-2"),
                            exception_row(3, correlation_id="ECO-1"), exception_row(4, correlation_id="ECO-1",
                                                                                    kind="dead_letter")])
    with store.writing() as uow:
        first, third = (x["id"] for x in uow.open_quarantines(["ECO-1"]))
        uow.update_exception(third, {"status": "pending_approval"})
        uow.update_exception(first, {"status": "replayed"})
    with store.writing() as uow:
        assert [(x["entity_key"], x["status"]) for x in uow.open_quarantines(["ECO-1", "ECO-9"])] == [
            ("ITEM:3", "pending_approval")], "closed quarantines and dead letters are not held parts"
        assert uow.open_quarantines([]) == []


def test_lineage_returns_the_tree_of_one_correlation_id_with_parents(store):
    with store.writing() as uow:
        uow.add_inbox([message("ECO-7", correlation_id="C1", event_type="eco.released", received_at=at(1)),
                       message("ECO-8", correlation_id="C2", received_at=at(1))])
    cause = "message:" + msg_key("ECO-7")
    caused = {"msg_key": msg_key("ECO-7"), "payload": "{}", "correlation_id": "C1", "causation_id": cause, "at": at(2)}
    queue(store, delivery("erp", "BOM:P1", 1, **caused), delivery("mes", "BOM:P1", 1, **caused))
    erp, mes = _claim(store)
    with store.writing() as uow:
        uow.settle([delivered(erp, "w", at(4)), failed(mes, "w", None, at_=at(5))])
        uow.add_exceptions([exception_row(1, kind="dead_letter", role="it", correlation_id="C1",
                                          causation_id=f"effect:{mes.id}", outbox_id=mes.id, at=at(6))])
        uow.add_scheduled([{"due_at": 9e9, "effect": '{"target": "erp"}', "effect_key": "switch",
                            "correlation_id": "C1", "causation_id": cause, "at": at(3)}])
        uow.add_exceptions([exception_row(2, correlation_id="C1", causation_id="message:elsewhere", at=at(7))])
    with store.reading() as read:
        nodes = read.lineage("C1")
    assert [n["at"] for n in nodes] == sorted(n["at"] for n in nodes)
    tree = {n["id"]: (n["parent"], n["kind"], n["system"], n["status"], n["at"]) for n in nodes}
    [dead_letter, other] = sorted((k for k in tree if k.startswith("exception:")), key=lambda k: tree[k][4])
    [schedule] = [k for k in tree if k.startswith("schedule:")]
    assert tree == {
        cause: (None, "message", "plm", "applied", at(1)),
        f"effect:{erp.id}": (cause, "effect", "erp", "delivered", at(2)),
        f"effect:{mes.id}": (cause, "effect", "mes", "dead", at(2)),
        f"delivery:{erp.id}": (f"effect:{erp.id}", "delivery", "erp", "delivered", at(4)),
        f"delivery:{mes.id}": (f"effect:{mes.id}", "delivery", "mes", "dead", at(5)),
        dead_letter: (f"effect:{mes.id}", "exception", "it", "open", at(6)),
        other: (None, "exception", "planner", "open", at(7)),
        schedule: (cause, "schedule", "erp", "pending", at(3)),
    }
    message_node = next(n for n in nodes if n["id"] == cause)
    assert (message_node["event_type"], message_node["entity_key"]) == ("eco.released", None)


def _claim(store):
    with store.writing() as uow:
        return uow.claim(200.0, "w", 30, 10)


def _audit(store, *subjects: str, at_: str = AT) -> None:
    with store.writing() as uow:
        uow.audit([AuditEntry("tester", "message.applied", s, {"subject": s}, "C1") for s in subjects], at_)


def verification(store) -> audit_chain.Verification:
    with store.reading() as read:
        return audit_chain.verify(read.audit_rows(), read.audit_head())


def test_an_untouched_audit_log_verifies(store):
    assert verification(store).ok and verification(store).rows == 0
    _audit(store, "ITEM:1", "ITEM:2", "ITEM:3")
    _audit(store, "ITEM:4", "ITEM:5", at_=at(1))
    result = verification(store)
    with store.reading() as read:
        rows = list(read.audit_rows())
        head = read.audit_head()
    assert result.ok and result.rows == 5
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5] and head == (5, rows[-1][7])
    assert rows[3][1:6] == (at(1), "tester", "message.applied", "ITEM:4", '{"subject":"ITEM:4"}')


def test_a_unit_that_raises_appends_nothing_to_the_audit_log(store):
    _audit(store, "ITEM:1")
    with store.writing() as uow:
        uow.add_inbox([message("M1")])
    with pytest.raises(Conflict):
        with store.writing() as uow:
            uow.audit([AuditEntry("tester", "message.applied", "ITEM:2", {})], AT)
            uow.add_inbox([message("M1")])
    _audit(store, "ITEM:3")
    assert [row[4] for row in _rows(store)] == ["ITEM:1", "ITEM:3"]
    assert verification(store).ok


def _rows(store):
    with store.reading() as read:
        return list(read.audit_rows())
