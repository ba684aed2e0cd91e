"""How the hub treats what arrives: duplicates, order, quarantine, fixes and replays."""

from __future__ import annotations

import json
from mfgsync.pipeline.exception_queue import Actor

from tests.support.state import audit_actions, balance, deliveries, entity
from tests.support.messages import bom, envelope, item

TARGETS = """
systems: {erp: {kind: memory}, mes: {kind: memory}}
subscriptions: {bom.released: [erp, mes], item.upserted: [erp]}
"""


def _pump_plant() -> list[dict]:
    return [envelope("item.upserted", item("PMP-100", "Pump", item_type="make")),
            envelope("item.upserted", item("BOLT-M8", "Bolt M8", item_type="buy")),
            envelope("item.upserted", item("SEAL-20", "Seal", item_type="buy")),
            envelope("bom.released", bom("PMP-100", "A", {"BOLT-M8": 8, "SEAL-20": 1}))]


def _state(hub, key):
    return entity(hub, key)


def test_the_same_file_ingested_twice_changes_nothing_the_second_time(make_hub):
    hub = make_hub(TARGETS)
    messages = _pump_plant() + ["{not json"]
    first = hub.intake.ingest(messages)
    assert (first.accepted, first.quarantined, first.duplicates) == (4, 1, 0)
    before = deliveries(hub)
    second = hub.intake.ingest(messages)
    assert (second.accepted, second.quarantined, second.duplicates) == (0, 0, 5)
    assert deliveries(hub) == before
    [garbage] = hub.exceptions.list()
    assert garbage["times_seen"] == 2, "a repeated bad message is counted on its exception, not quarantined twice"


def test_messages_for_one_entity_arriving_out_of_order_end_in_the_newest_state(make_hub):
    hub = make_hub()
    updates = [envelope("item.upserted", item("PMP-100", f"Pump v{n}"), time=f"2026-11-22T10:0{n}:00Z")
               for n in range(5)]
    report = hub.intake.ingest([updates[4], updates[1], updates[3], updates[0], updates[2]])
    assert report.accepted == 1 and report.stale == 4
    assert _state(hub, "ITEM:PMP-100")["description"] == "Pump v4"


def test_a_sequence_number_orders_updates_sent_in_the_same_second(make_hub):
    hub = make_hub()
    late = envelope("item.upserted", item("PMP-100", "second"), sequence=2)
    early = envelope("item.upserted", item("PMP-100", "first"), sequence=1)
    report = hub.intake.ingest([late, early])
    assert report.stale == 1 and _state(hub, "ITEM:PMP-100")["description"] == "second"


def test_an_item_update_changes_only_the_fields_it_sends(make_hub):
    hub = make_hub()
    hub.intake.ingest([envelope("item.upserted", item("PMP-100", "Pump", item_type="make")),
                       envelope("item.upserted", {"item_id": "PMP-100", "lead_time_days": 5, "safety_stock": 2},
                                source="erp", time="2026-11-22T11:00:00Z")])
    state = _state(hub, "ITEM:PMP-100")
    assert (state["description"], state["item_type"], state["lead_time_days"], state["safety_stock"]) == \
        ("Pump", "make", 5, 2)


def test_a_bom_with_an_unknown_component_is_quarantined_for_engineering_and_replayed_after_the_fix(make_hub):
    hub = make_hub(TARGETS)
    hub.intake.ingest(_pump_plant()[:1])
    report = hub.intake.ingest([envelope("bom.released", bom("PMP-100", "A", {"GEAR-9": 2}))])
    assert report.quarantined == 1 and report.by_reason == {"COMPONENT_UNKNOWN": 1}
    [exception] = hub.exceptions.list()
    assert exception["owner_role"] == "engineering" and "GEAR-9" in exception["reasons"][0]["message"]

    assert hub.exceptions.replay(exception["id"], Actor("eng1", "engineering")).status == "open", "still unknown: stays quarantined"
    assert hub.exceptions.get(exception["id"])["times_seen"] == 2

    hub.intake.ingest([envelope("item.upserted", item("GEAR-9", "Gear"))])
    outcome = hub.exceptions.replay(exception["id"], Actor("eng1", "engineering"))
    assert (outcome.status, outcome.detail) == ("replayed", "applied")
    assert _state(hub, "BOM:PMP-100@*")["revision"] == "A"
    assert hub.exceptions.list() == []


def test_a_corrected_payload_replaces_the_quarantined_one_on_replay(make_hub):
    hub = make_hub()
    hub.intake.ingest(_pump_plant()[:3])
    hub.intake.ingest([envelope("bom.released", bom("PMP-100", "A", {"BOLT-M8": 0}))])
    [exception] = hub.exceptions.list()
    assert exception["codes"] == ["QTY_PER_NOT_POSITIVE"]
    fixed = bom("PMP-100", "A", {"BOLT-M8": 8})
    assert hub.exceptions.replay(exception["id"], Actor("eng1", "engineering"), fixed).status == "replayed"
    assert _state(hub, "BOM:PMP-100@*")["lines"][0]["qty_per"] == 8
    assert json.loads(hub.exceptions.get(exception["id"])["payload"])["data"] == fixed


def test_replaying_a_sensitive_message_waits_for_a_second_person(make_hub):
    hub = make_hub("approval_required: [po.created]")
    hub.intake.ingest([envelope("po.created", {"po_number": "4500000001", "supplier_id": "NORTHFAST", "lines": []},
                                source="erp")])
    [exception] = hub.exceptions.list()
    assert exception["codes"] == ["SUPPLIER_UNKNOWN"]
    hub.intake.ingest([envelope("supplier.upserted", {"supplier_id": "NORTHFAST", "name": "Northfast"},
                                source="erp")])
    assert hub.exceptions.replay(exception["id"], Actor("buyer1", "supply_chain")).status == "pending_approval"
    assert _state(hub, "PO:4500000001") is None
    try:
        hub.exceptions.approve(exception["id"], Actor("buyer1", "supply_chain"))
        raise AssertionError("the requester approved their own replay")
    except ValueError as exc:
        assert "someone other" in str(exc)
    assert hub.exceptions.approve(exception["id"], Actor("lead2", "supply_chain")).status == "replayed"
    assert _state(hub, "PO:4500000001")["supplier_id"] == "NORTHFAST"


def test_a_non_owner_changing_an_engineering_attribute_is_an_exception(make_hub):
    hub = make_hub()
    hub.intake.ingest([envelope("item.upserted", item("PMP-100", "Pump"))])
    report = hub.intake.ingest([envelope("item.upserted", {"item_id": "PMP-100", "description": "Pump!"},
                                         source="mes", time="2026-11-22T11:00:00Z")])
    assert report.by_reason == {"NOT_SYSTEM_OF_RECORD": 1}
    assert _state(hub, "ITEM:PMP-100")["description"] == "Pump"


def test_a_message_from_an_unconfigured_source_is_quarantined(make_hub):
    hub = make_hub()
    report = hub.intake.ingest([envelope("item.upserted", item("X"), source="rogue")])
    assert report.by_reason == {"UNKNOWN_SOURCE": 1}


def test_stock_movements_update_the_balance_in_the_items_base_unit(make_hub):
    hub = make_hub("units: [{from: BX, to: C62, factor: 12, item_id: NUT-M8}]")
    hub.intake.ingest([envelope("item.upserted", item("NUT-M8", "Nut")),
                       envelope("inventory.moved", {"movement_id": "M1", "kind": "receipt", "item_id": "NUT-M8",
                                                    "qty": 3, "uom": "BX", "plant_id": "P1", "to_location": "A1"},
                                source="wms")])
    report = hub.intake.ingest([envelope("inventory.moved", {
        "movement_id": "M2", "kind": "issue", "item_id": "NUT-M8", "qty": 40, "uom": "EA", "plant_id": "P1",
        "from_location": "A1"}, source="wms")])
    assert report.by_reason == {"STOCK_NEGATIVE": 1}, "36 in stock cannot cover 40"
    hub.intake.ingest([envelope("inventory.moved", {
        "movement_id": "M3", "kind": "issue", "item_id": "NUT-M8", "qty": 30, "uom": "EA", "plant_id": "P1",
        "from_location": "A1"}, source="wms")])
    assert balance(hub, "NUT-M8", "P1", "A1") == 6


def test_the_same_movement_under_a_new_message_id_is_not_booked_twice(make_hub):
    hub = make_hub()
    move = {"movement_id": "M1", "kind": "receipt", "item_id": "BOLT", "qty": 5, "uom": "C62", "plant_id": "P1",
            "to_location": "A1"}
    hub.intake.ingest([envelope("item.upserted", item("BOLT")), envelope("inventory.moved", move, source="wms")])
    report = hub.intake.ingest([envelope("inventory.moved", move, source="wms")])
    assert report.duplicates == 1
    assert balance(hub, "BOLT", "P1", "A1") == 5


def test_every_decision_is_in_the_audit_log_and_the_chain_verifies(make_hub):
    from mfgsync import queries
    hub = make_hub(TARGETS)
    hub.intake.ingest(_pump_plant() + ["[]"])
    hub.worker.run_until_idle()
    actions = audit_actions(hub)
    assert queries.verify_audit(hub.store).ok
    assert actions.count("message.applied") == 4 and actions.count("message.quarantined") == 1
    assert actions.count("delivery.settled") == 1, "a worker's batch of deliveries is settled at once"


def test_an_erp_that_names_plants_and_units_its_own_way_is_read_in_the_hubs_codes(make_hub):
    hub = make_hub('mappings: {wms: {plant: {"1000": P1}, uom: {STK: C62}}}')
    hub.intake.ingest([envelope("item.upserted", item("BOLT")),
                       envelope("inventory.moved", {"movement_id": "M1", "kind": "receipt", "item_id": "BOLT",
                                                    "qty": 5, "uom": "STK", "plant_id": "1000", "to_location": "A1"},
                                source="wms")])
    assert balance(hub, "BOLT", "P1", "A1") == 5


def test_a_message_id_reused_for_other_content_is_a_conflict_and_the_first_stands(make_hub):
    hub = make_hub()
    hub.intake.ingest([envelope("item.upserted", item("PMP-100", "Pump"), message_id="m-1")])
    report = hub.intake.ingest([envelope("item.upserted", item("PMP-100", "Pump, other"), message_id="m-1"),
                                envelope("item.upserted", item("PMP-100", "Pump"), message_id="m-1",
                                         time="2026-11-22T12:00:00Z")])
    assert (report.quarantined, report.duplicates) == (1, 1), "same content resent later is a duplicate"
    assert report.by_reason == {"MESSAGE_ID_CONFLICT": 1}
    assert _state(hub, "ITEM:PMP-100")["description"] == "Pump"


def test_a_movement_id_reused_with_another_quantity_is_a_conflict_not_a_duplicate(make_hub):
    hub = make_hub("plants: {P1: {negative_stock: alert}}")
    receipt = {"movement_id": "MV-1", "kind": "receipt", "item_id": "BOLT", "qty": 5, "uom": "C62",
               "plant_id": "P1", "to_location": "A1"}
    hub.intake.ingest([envelope("item.upserted", item("BOLT")), envelope("inventory.moved", receipt, source="wms")])
    report = hub.intake.ingest([envelope("inventory.moved", {**receipt, "qty": 50}, source="wms"),
                                envelope("inventory.moved", receipt, source="wms")])
    assert report.by_reason == {"MESSAGE_ID_CONFLICT": 1} and report.duplicates == 1
    assert balance(hub, "BOLT", "P1", "A1") == 5


def test_a_corrected_resend_of_a_quarantined_message_is_judged_again_in_its_place(make_hub):
    hub = make_hub()
    first = hub.intake.ingest([envelope("item.upserted", item("PMP-100", base_uom="FURLONG"), message_id="m-7")])
    assert first.quarantined == 1
    again = hub.intake.ingest([envelope("item.upserted", item("PMP-100"), message_id="m-7")])
    assert again.accepted == 1 and _state(hub, "ITEM:PMP-100")["base_uom"] == "C62"
    [old] = hub.exceptions.list(status="all")
    assert (old["status"], old["note"]) == ("resolved", "superseded by a corrected resend")
