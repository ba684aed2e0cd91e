"""The store's contract, run against every backend: embedded SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text

from mfgsync.store import audit, outbox, records
from mfgsync.store.audit import AuditEntry
from mfgsync.store.database import open_database

AT = "2026-11-22T10:00:00.000000Z"


def _delivery(target: str, entity: str, n: int) -> dict:
    return {"target": target, "entity_key": entity, "msg_key": f"plm\x1f{entity}-{n}", "event_type": "bom.released",
            "now": 100.0, "at": AT}


def _queue(connection, deliveries: list[dict]) -> None:
    """Applied messages and their deliveries, as the intake writes them."""
    keys = dict.fromkeys(d["msg_key"] for d in deliveries)
    records.write_inbox(connection, [
        {"msg_key": key, "source": "plm", "message_id": key.split("\x1f")[1], "event_type": "bom.released",
         "entity_key": None, "correlation_id": None, "outcome": "applied", "seq_token": None, "received_at": AT,
         "envelope": f'{{"id": "{key.split(chr(31))[1]}"}}'} for key in keys])
    outbox.insert(connection, deliveries)


def test_opening_a_migrated_store_again_changes_nothing(database_url):
    first = open_database(database_url)
    with first.transaction() as c:
        records.upsert_entities(c, [{"entity_key": "ITEM:A", "entity_type": "item", "ref": "A", "seq_token": "t",
                                     "data": "{}", "updated_at": AT, "msg_key": None}])
    first.dispose()
    again = open_database(database_url)
    with again.reading() as c:
        assert records.get_entity(c, "ITEM:A") == {}
    again.dispose()


def test_deliveries_are_claimed_oldest_first_and_one_per_entity_per_target(database_url):
    db = open_database(database_url)
    with db.transaction() as c:
        _queue(c, [_delivery("erp", "BOM:P1", 1), _delivery("erp", "BOM:P1", 2),
                          _delivery("erp", "BOM:P2", 1), _delivery("mes", "BOM:P1", 1)])
    with db.transaction() as c:
        claimed = outbox.claim(c, 200.0, "w1", 30, 10)
    assert [(r.target, r.entity_key, r.msg_key[-1]) for r in claimed] == [
        ("erp", "BOM:P1", "1"), ("erp", "BOM:P2", "1"), ("mes", "BOM:P1", "1")]
    assert claimed[0].payload == '{"id": "BOM:P1-1"}', "a delivery carries its message's envelope"
    with db.transaction() as c:
        assert outbox.claim(c, 200.0, "w2", 30, 10) == [], "leased rows and their successors wait"
        assert outbox.delivered(c, claimed[0].id, "w1", AT)
    with db.transaction() as c:
        assert [r.msg_key[-1] for r in outbox.claim(c, 200.0, "w2", 30, 10)] == ["2"]
    db.dispose()


def test_an_expired_lease_lets_another_worker_take_over_and_the_old_owner_changes_nothing(database_url):
    db = open_database(database_url)
    with db.transaction() as c:
        _queue(c, [_delivery("erp", "ITEM:A", 1)])
    with db.transaction() as c:
        [row] = outbox.claim(c, 200.0, "w1", 30, 10)
    with db.transaction() as c:
        assert outbox.claim(c, 229.0, "w2", 30, 10) == []
        assert [r.id for r in outbox.claim(c, 231.0, "w2", 30, 10)] == [row.id]
    with db.transaction() as c:
        assert not outbox.delivered(c, row.id, "w1", AT), "a worker that lost its lease records nothing"
        assert outbox.delivered(c, row.id, "w2", AT)
    db.dispose()


def test_a_dead_letter_holds_back_its_entity_until_it_is_requeued(database_url):
    db = open_database(database_url)
    with db.transaction() as c:
        _queue(c, [_delivery("erp", "PO:1", 1), _delivery("erp", "PO:1", 2), _delivery("erp", "PO:2", 1)])
    with db.transaction() as c:
        first = outbox.claim(c, 200.0, "w", 30, 10)[0]
        assert outbox.failed(c, first.id, "w", "boom", None)
    with db.transaction() as c:
        [other] = outbox.claim(c, 300.0, "w", 30, 10)
        assert other.entity_key == "PO:2"
        assert outbox.delivered(c, other.id, "w", AT)
        assert outbox.requeue(c, first.id, 300.0)
    with db.transaction() as c:
        again = outbox.claim(c, 400.0, "w9", 30, 10)
    assert [r.id for r in again] == [first.id]
    db.dispose()


def test_a_retry_waits_for_its_backoff(database_url):
    db = open_database(database_url)
    with db.transaction() as c:
        _queue(c, [_delivery("erp", "ITEM:A", 1)])
        [row] = outbox.claim(c, 200.0, "w", 30, 10)
        outbox.failed(c, row.id, "w", "503", 260.0)
        assert outbox.claim(c, 259.0, "w", 30, 10) == []
        assert outbox.next_due_at(c) == 260.0
        assert [r.attempts for r in outbox.claim(c, 260.0, "w", 30, 10)] == [1]
    db.dispose()


def _audited(database_url, n=5):
    db = open_database(database_url)
    with db.transaction() as c:
        audit.append(c, [AuditEntry("tester", "message.applied", f"ITEM:{i}", {"i": i}) for i in range(n)], AT)
    return db


def test_an_untouched_audit_log_verifies(database_url):
    db = _audited(database_url)
    with db.reading() as c:
        result = audit.verify(c)
    assert result.ok and result.rows == 5
    db.dispose()


def test_an_edited_audit_row_is_detected(database_url):
    db = _audited(database_url)
    with db.transaction() as c:
        c.execute(text("UPDATE audit SET detail = :d WHERE seq = 3"), {"d": '{"i":99}'})
    with db.reading() as c:
        result = audit.verify(c)
    assert not result.ok and any("row 3" in p and "edited" in p for p in result.problems)
    db.dispose()


def test_a_deleted_audit_row_is_detected(database_url):
    db = _audited(database_url)
    with db.transaction() as c:
        c.execute(text("DELETE FROM audit WHERE seq = 2"))
    with db.reading() as c:
        assert any("missing" in p for p in audit.verify(c).problems)
    db.dispose()


def test_rows_cut_from_the_end_of_the_audit_log_are_detected(database_url):
    db = _audited(database_url)
    with db.transaction() as c:
        c.execute(text("DELETE FROM audit WHERE seq >= 4"))
    with db.reading() as c:
        assert any("removed from the end" in p for p in audit.verify(c).problems)
    db.dispose()
