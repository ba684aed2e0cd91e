"""The store's contract for what reconciliation and the KPIs read: entities of many refs at once,
the messages of some event types, the deliveries they caused with their causing envelope, and the
inbox counted per source.

Every case runs on memory, SQLite and PostgreSQL (see conftest.py).
"""

from __future__ import annotations

import json

from tests.contract.store_rows import AT, at, delivered, delivery, entity, failed, message, msg_key, queue


def test_entities_of_many_refs_are_read_at_once_grouped_by_ref(store):
    with store.writing() as uow:
        uow.put_entities([entity("MOV:1", {"movement_id": "1"}, 0, "movement", "SEAL"),
                          entity("MOV:2", {"movement_id": "2"}, 0, "movement", "NUT"),
                          entity("MOV:3", {"movement_id": "3"}, 0, "movement", "SEAL"),
                          entity("ITEM:SEAL", {"item_id": "SEAL"}, 0, "item", "SEAL")])
    with store.reading() as read:
        found = read.entities_of_refs("movement", ["SEAL", "BOLT"])
    assert found == {"SEAL": [{"movement_id": "1"}, {"movement_id": "3"}]}


def test_messages_of_some_types_come_by_arrival_with_their_envelope(store):
    with store.writing() as uow:
        uow.add_inbox([message("m2", "wms", event_type="inventory.moved", received_at=at(2)),
                       message("m1", "wms", event_type="inventory.moved", received_at=at(1), correlation_id="C"),
                       message("q1", "wms", event_type="inventory.moved", outcome="quarantined", envelope=None),
                       message("b1", event_type="bom.released")])
    with store.reading() as read:
        every = read.messages(["inventory.moved"])
        applied = read.messages(["inventory.moved"], ["applied"])
    assert [m["message_id"] for m in every] == ["q1", "m1", "m2"]  # q1 arrived at AT, the earliest
    assert [(m["message_id"], m["source"], m["correlation_id"]) for m in applied] == [
        ("m1", "wms", "C"), ("m2", "wms", None)]
    assert json.loads(applied[0]["envelope"]) == {"id": "m1"} and applied[0]["received_at"] == at(1)


def test_deliveries_of_some_types_carry_their_status_times_and_causing_envelope(store):
    queue(store, delivery("erp", "INV:SEAL@P1", 1, event_type="inventory.moved"),
          delivery("erp", "INV:SEAL@P1", 2, event_type="inventory.moved"),
          delivery("erp", "INV:NUT@P1", 1, event_type="inventory.moved"),
          delivery("mes", "BOM:P1", 1))
    with store.writing() as uow:
        first, nut = uow.claim(200.0, "w1", 30, 10)[:2]
        uow.settle([delivered(first, "w1", at(5)), failed(nut, "w1", None)])
    with store.reading() as read:
        every = read.deliveries(["inventory.moved"])
        open_ = read.deliveries(["inventory.moved"], ["pending", "dead"])
    assert [(d["entity_key"], d["status"]) for d in every] == [
        ("INV:SEAL@P1", "delivered"), ("INV:SEAL@P1", "pending"), ("INV:NUT@P1", "dead")]
    assert every[0]["delivered_at"] == at(5) and every[0]["created_at"] == AT
    assert every[0]["msg_key"] == msg_key("INV:SEAL@P1-1") and every[0]["source"] == "plm"
    assert json.loads(every[0]["envelope"]) == {"id": "INV:SEAL@P1-1"} and every[0]["received_at"] == AT
    assert [(d["entity_key"], d["status"]) for d in open_] == [("INV:SEAL@P1", "pending"), ("INV:NUT@P1", "dead")]


def test_the_inbox_is_counted_per_source_and_outcome(store):
    with store.writing() as uow:
        uow.add_inbox([message("m1", "wms"), message("m2", "wms", outcome="quarantined"), message("m3", "wms"),
                       message("b1", "plm", outcome="stale")])
    with store.reading() as read:
        assert read.inbox_by_source() == {"plm": {"stale": 1}, "wms": {"applied": 2, "quarantined": 1}}


def test_items_base_units_are_read_for_many_items_at_once(store):
    with store.writing() as uow:
        uow.put_entities([entity("ITEM:SEAL", {"item_id": "SEAL", "base_uom": "C62"}, 0, "item", "SEAL"),
                          entity("ITEM:OIL", {"item_id": "OIL", "base_uom": "LTR"}, 0, "item", "OIL"),
                          entity("ITEM:KIT", {"item_id": "KIT"}, 0, "item", "KIT"),
                          entity("ITEM:TAG", {"item_id": "TAG", "description": 'says "base_uom":"KGM"',
                                              "base_uom": None}, 0, "item", "TAG"),
                          entity("MOV:1", {"item_id": "NUT", "base_uom": "C62"}, 0, "movement", "NUT")])
    with store.reading() as read:
        assert read.base_units(["SEAL", "OIL", "KIT", "TAG", "NUT", "BOLT"]) == {"SEAL": "C62", "OIL": "LTR"}


def test_balances_as_of_a_time_leave_out_the_movements_after_it(store):
    from decimal import Decimal

    from tests.contract.store_rows import balance_key, stock
    with store.writing() as uow:
        uow.move_stock([{**stock("SEAL", "10", n=1), "at": at(1)}, {**stock("NUT", "4", n=2), "at": at(1)}])
    with store.writing() as uow:
        uow.move_stock([{**stock("SEAL", "-3", n=3), "at": at(5)}, {**stock("BOLT", "7", n=4), "at": at(5)}])
    with store.reading() as read:
        earlier, now = read.balances_as_of(at(2)), read.balances()
        assert read.ledger(balance_key("SEAL"))[-1]["at"] == at(5)
    assert [(b["item_id"], b["qty"]) for b in earlier] == [("NUT", Decimal("4")), ("SEAL", Decimal("10"))]
    assert [(b["item_id"], b["qty"]) for b in now] == [("BOLT", Decimal("7")), ("NUT", Decimal("4")),
                                                       ("SEAL", Decimal("7"))]
