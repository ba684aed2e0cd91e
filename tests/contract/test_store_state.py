"""The store's contract for what the hub knows: messages received, entity state, stock.

Every case runs on memory, SQLite and PostgreSQL (see conftest.py).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from mfgsync.store.port import Conflict, StoredEntity

from tests.contract.store_rows import AT, at, balance_key, entity, message, msg_key, stock


def test_opening_a_migrated_store_again_changes_nothing(store, open_store):
    with store.writing() as uow:
        uow.put_entities([entity("ITEM:A", {"item_id": "A"}, version=0)])
    store.close()
    again = open_store()
    with again.reading() as read:
        read.ping()
        assert read.entity("ITEM:A") == {"item_id": "A"}
    with again.writing() as uow:
        assert uow.entity_rows(["ITEM:A"])["ITEM:A"].version == 1


def test_a_message_key_is_received_once(store):
    with store.writing() as uow:
        uow.add_inbox([message("M1")])
    with pytest.raises(Conflict):
        with store.writing() as uow:
            uow.add_inbox([message("M1", outcome="stale")])
    with store.writing() as uow:
        assert uow.inbox_seen([msg_key("M1"), msg_key("M2")]) == {msg_key("M1"): ("applied", "sha256:M1")}


def test_a_unit_of_work_that_raises_leaves_nothing_behind(store):
    with store.writing() as uow:
        uow.add_inbox([message("M1")])
    with pytest.raises(Conflict):
        with store.writing() as uow:
            uow.add_inbox([message("M2")])
            uow.put_entities([entity("ITEM:B", {"item_id": "B"}, version=0)])
            uow.move_stock([stock("B", "5")])
            uow.add_inbox([message("M1")])  # received meanwhile: the whole unit runs again
    with store.writing() as uow:
        assert list(uow.inbox_seen([msg_key("M1"), msg_key("M2")])) == [msg_key("M1")]
        assert uow.entity_rows(["ITEM:B"]) == {}
        assert uow.balances([balance_key("B")]) == {}
    with store.reading() as read:
        assert read.ledger(balance_key("B")) == []
        assert read.inbox_figures().outcomes == {"applied": 1}


def test_a_replayed_message_gets_a_new_outcome_and_a_repeat_is_counted(store):
    with store.writing() as uow:
        uow.add_inbox([message("M1", outcome="quarantined"), message("M2")])
    with store.writing() as uow:
        uow.update_inbox([{"msg_key": msg_key("M1"), "outcome": "applied", "entity_key": "ITEM:A",
                           "seq_token": "t1", "content_hash": "sha256:fixed", "envelope": '{"id": "M1"}'}])
        uow.count_repeats([msg_key("M2"), msg_key("M2")], at(5))
    with store.reading() as read:
        figures = read.inbox_figures()
        assert read.history("ITEM:A") == [{"id": "M1"}]
    assert figures.outcomes == {"applied": 2} and figures.repeats == 2


def test_an_entity_put_with_a_stale_version_raises_conflict_and_writes_nothing(store):
    with store.writing() as uow:
        uow.put_entities([dict(entity("ITEM:A", {"rev": "A"}, version=0), tokens='{"plm":"0001"}')])
    with pytest.raises(Conflict):
        with store.writing() as uow:
            uow.put_entities([entity("ITEM:A", {"rev": "B"}, version=0)])  # written as new, but it exists
    with pytest.raises(Conflict):
        with store.writing() as uow:
            uow.put_entities([entity("ITEM:N", {"rev": "A"}, version=0),
                              entity("ITEM:A", {"rev": "B"}, version=7)])
    with store.writing() as uow:
        assert uow.entity_rows(["ITEM:A", "ITEM:N"]) == {"ITEM:A": StoredEntity('{"plm":"0001"}', '{"rev": "A"}', 1)}
        uow.put_entities([entity("ITEM:A", {"rev": "C"}, version=1)])
    with store.writing() as uow:
        assert uow.entity_rows(["ITEM:A"])["ITEM:A"] == StoredEntity(None, '{"rev": "C"}', 2)


def test_entities_are_found_by_type_and_by_the_refs_they_point_to(store):
    with store.writing() as uow:
        uow.put_entities([
            entity("ITEM:A", {"item_id": "A"}, 0, ref="A"),
            entity("BOM:A@P1", {"parent": "A", "plant": "P1"}, 0, entity_type="bom", ref="A"),
            entity("BOM:A@P2", {"parent": "A", "plant": "P2"}, 0, entity_type="bom", ref="A"),
            entity("BOM:B@P1", {"parent": "B"}, 0, entity_type="bom", ref="B")])
    with store.writing() as uow:
        by_ref = uow.entities_by_refs(["bom"], ["A", "C"])
        assert uow.entities_of_type("item") == ['{"item_id": "A"}']
    assert {key: json.loads(data) for key, data in by_ref[("bom", "A")].items()} == {
        "BOM:A@P1": {"parent": "A", "plant": "P1"}, "BOM:A@P2": {"parent": "A", "plant": "P2"}}
    assert list(by_ref) == [("bom", "A")]
    with store.reading() as read:
        assert [b["plant"] for b in read.entities_of_ref("bom", "A")] == ["P1", "P2"]
        assert [b["parent"] for b in read.entities_of_type("bom")] == ["A", "A", "B"]
        assert read.entity("ITEM:Z") is None


def test_the_fingerprint_of_a_type_changes_with_every_write_of_one_of_its_entities_and_nothing_else(store):
    def fingerprint() -> tuple[int, int]:
        with store.writing() as uow:
            return uow.type_fingerprint("bom")

    assert fingerprint() == (0, 0)
    with store.writing() as uow:
        uow.put_entities([entity("BOM:A", {"parent": "A"}, 0, entity_type="bom", ref="A")])
    first = fingerprint()
    with store.writing() as uow:
        uow.put_entities([entity("ITEM:A", {"item_id": "A"}, 0)])
    assert fingerprint() == first, "another type's write leaves it"
    with store.writing() as uow:
        uow.put_entities([entity("BOM:A", {"parent": "A", "rev": "B"}, 1, entity_type="bom", ref="A")])
    second = fingerprint()
    with store.writing() as uow:
        uow.put_entities([entity("BOM:B", {"parent": "B"}, 0, entity_type="bom", ref="B")])
    assert len({first, second, fingerprint()}) == 3, "a rewrite and an insert each change it"


def test_an_entity_history_is_its_applied_messages_in_sequence_order(store):
    with store.writing() as uow:
        uow.add_inbox([
            message("M3", entity_key="ITEM:A", seq_token="0003", received_at=at(1)),
            message("M1", entity_key="ITEM:A", seq_token="0001", received_at=at(3)),
            message("M2", entity_key="ITEM:A", seq_token="0002", received_at=at(2), outcome="stale"),
            message("M9", entity_key="ITEM:B", seq_token="0000")])
    with store.reading() as read:
        assert read.history("ITEM:A") == [{"id": "M1"}, {"id": "M3"}]


def test_stock_moves_by_deltas_recorded_in_a_ledger(store):
    with store.writing() as uow:
        uow.move_stock([stock("A", "10", n=1), stock("A", "0.1", n=2), stock("B", "4", n=3)])
    with store.writing() as uow:
        uow.move_stock([stock("A", "0.2", n=4), stock("A", "-3", n=5)])
        assert uow.balances([balance_key("A"), balance_key("Z")]) == {balance_key("A"): Decimal("7.3")}
    with store.reading() as read:
        ledger = read.ledger(balance_key("A"))
        assert read.balances("A") == [{"item_id": "A", "plant_id": "P1", "location_id": "STOCK", "lot_id": None,
                                       "status": "available", "qty": Decimal("7.3"), "uom": "EA"}]
        assert [b["item_id"] for b in read.balances()] == ["A", "B"]
    assert [(row["kind"], row["qty"]) for row in ledger] == [
        ("delta", Decimal("10")), ("delta", Decimal("0.1")), ("delta", Decimal("0.2")), ("delta", Decimal("-3"))]
    assert ledger[0]["uom"] == "EA" and ledger[0]["msg_key"] == msg_key("mv-A-1", "wms") and ledger[0]["at"] == AT


def test_a_count_sets_the_balance_and_later_deltas_move_from_it(store):
    with store.writing() as uow:
        uow.move_stock([stock("A", "10")])
    with store.writing() as uow:
        uow.count_stock([stock("A", "6", kind="qty"), stock("C", "2", kind="qty")])
        uow.move_stock([stock("A", "1")])
    with store.reading() as read:
        assert {b["item_id"]: b["qty"] for b in read.balances()} == {"A": Decimal("7"), "C": Decimal("2")}
        assert [(row["kind"], row["qty"]) for row in read.ledger(balance_key("A"))] == [
            ("delta", Decimal("10")), ("count", Decimal("6")), ("delta", Decimal("1"))]


def _moved(item_id: str, amount: str, n: int, occurred: str, booked: str, **data) -> tuple[dict, dict]:
    """A delta of `item_id` booked at `booked`, and the applied message that says it occurred at `occurred`."""
    row = {**stock(item_id, amount, n=n), "at": booked}
    envelope = {"id": f"mv-{item_id}-{n}", "time": occurred, "data": {"item_id": item_id, **data}}
    return row, message(f"mv-{item_id}-{n}", "wms", event_type="inventory.moved", received_at=booked,
                        envelope=json.dumps(envelope))


def _book(store, *moved: tuple[dict, dict]) -> None:
    with store.writing() as uow:
        uow.add_inbox([inbox for _, inbox in moved])
        uow.move_stock([row for row, _ in moved])


def _counted(item_id: str, qty: str, taken: str | None, booked: str) -> dict:
    return {**stock(item_id, qty, kind="qty", n=99), "at": booked, "counted_at": taken}


def test_a_count_taken_before_a_movement_that_arrives_after_it_keeps_the_movement(store):
    """Received at 07:00 (10), consumed at 09:00 (5); the count of 8 taken at 08:00 arrives after
    both: the balance is 8 - 5 = 3, and the ledger as of any time replays to what it was then."""
    _book(store, _moved("A", "10", 1, "2026-11-22T07:00:00Z", at(1)),
          _moved("A", "-5", 2, "2026-11-22T06:00:00Z", at(2), occurred_at="2026-11-22T09:00:00Z"))
    with store.writing() as uow:
        uow.count_stock([_counted("A", "8", "2026-11-22T08:00:00.000000Z", at(3))])
    with store.reading() as read:
        assert [b["qty"] for b in read.balances("A")] == [Decimal("3")], "the movement's own time, not the sender's"
        assert [(row["kind"], row["qty"]) for row in read.ledger(balance_key("A"))] == [
            ("delta", Decimal("10")), ("delta", Decimal("-5")), ("count", Decimal("3"))]
        assert [b["qty"] for b in read.balances_as_of(at(2))] == [Decimal("5")]
        assert [b["qty"] for b in read.balances_as_of(at(3))] == [Decimal("3")]


def test_a_count_newer_than_every_movement_sets_the_balance_as_counted(store):
    """A booked at 10:00:01, counted at 10:00:05: set outright. B's movements were booked after
    its count was taken but happened before it: set outright too."""
    _book(store, _moved("A", "10", 1, "2026-11-22T09:00:00Z", at(1)),
          _moved("B", "4", 2, "2026-11-22T07:00:00Z", at(2)), _moved("B", "-1", 3, "2026-11-22T07:30:00Z", at(2)))
    with store.writing() as uow:
        uow.count_stock([_counted("A", "7", at(5), at(6)), _counted("B", "2", "2026-11-22T08:00:00.000000Z", at(6)),
                         _counted("C", "1", "2026-11-22T08:00:00.000000Z", at(6))])
    with store.reading() as read:
        assert {b["item_id"]: b["qty"] for b in read.balances()} == {"A": Decimal("7"), "B": Decimal("2"),
                                                                      "C": Decimal("1")}


def test_a_movement_booked_before_the_count_was_taken_is_in_the_count(store):
    """A sender whose clock runs ahead says its receipt happened at 10:00:09, but the hub booked it
    at 10:00:01, before the count was taken at 10:00:05: the count holds it."""
    _book(store, _moved("A", "10", 1, "2026-11-22T10:00:09Z", at(1)))
    with store.writing() as uow:
        uow.count_stock([_counted("A", "7", at(5), at(6))])
    with store.reading() as read:
        assert [b["qty"] for b in read.balances("A")] == [Decimal("7")]


def test_a_count_in_the_unit_that_books_a_later_movement_keeps_it(store):
    """One unit of work books a consumption at 09:00 (its delta goes first) and a count taken at
    08:00; a delta without a message counts as happening when it was booked."""
    _book(store, _moved("A", "10", 1, "2026-11-22T07:00:00Z", at(1)))
    consumed, inbox = _moved("A", "-5", 2, "2026-11-22T09:00:00Z", at(3))
    with store.writing() as uow:
        uow.add_inbox([inbox])
        uow.move_stock([consumed, {**stock("A", "-1", n=3), "msg_key": None, "at": at(3)}])
        uow.count_stock([_counted("A", "8", "2026-11-22T08:00:00.000000Z", at(3)), _counted("Z", "3", None, at(3))])
    with store.reading() as read:
        assert {b["item_id"]: b["qty"] for b in read.balances()} == {"A": Decimal("2"), "Z": Decimal("3")}


def test_a_unit_of_work_reads_every_balance_of_an_item(store):
    with store.writing() as uow:
        uow.move_stock([stock("A", "7.3"), stock("A", "2", location="DOCK"), stock("B", "1")])
    with store.writing() as uow:
        rows = uow.stock_of("A")
    assert sorted((r["location_id"], r["qty"]) for r in rows) == [("DOCK", Decimal("2")), ("STOCK", Decimal("7.3"))]
