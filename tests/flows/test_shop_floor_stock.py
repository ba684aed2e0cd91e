"""Stories of the inventory ledger: units converted exactly, quality holds that take stock out of
available and put it back, and replenishment that follows the movements."""

from __future__ import annotations

import time
from decimal import Decimal

from mfgsync.pipeline.clock import iso

from tests.support.messages import envelope
from tests.support.shop_floor import at, codes, items, movement, order, report, used
from tests.support.state import balance, entity

POLICY = "replenishment: {auto_approve_up_to: 50}"


def _bolt_plant(hub, stock: int = 120, lot: str | None = "L1", **bolt) -> None:
    fields = {"reorder_point": 100, "lot_rule": "fixed", "fixed_lot": 250, **bolt}
    outcome = hub.intake.ingest([
        *items(("BOLT", "C62"), **fields),
        envelope("supplier.upserted", {"supplier_id": "S1", "name": "Northfast"}, source="erp", time=at()),
        envelope("sourcing.updated", {"item_id": "BOLT", "supplier_id": "S1", "lead_time_days": 5, "unit_price": 0.10,
                                      "currency": "EUR", "price_breaks": [{"min_qty": 200, "unit_price": 0.08}]},
                 source="erp", time=at()),
        movement("R-1", "receipt", "BOLT", stock, lot_id=lot)])
    assert outcome.quarantined == 0, hub.exceptions.list()


def _requisitions(hub) -> list[dict]:
    with hub.store.reading() as read:
        return read.entities_of_type("purchase_requisition")


def test_a_consumption_below_the_reorder_point_raises_one_requisition_of_the_lot_rule_even_when_received_twice(make_hub):
    hub = make_hub(POLICY)
    _bolt_plant(hub)
    consumed = movement("MV-50", "consumption", "BOLT", 50, lot_id="L1", production_order_id="WO-7")
    resent = {**consumed, "id": "wms-resent-under-a-new-id"}
    outcome = hub.intake.ingest([consumed, consumed, resent])
    assert (outcome.accepted, outcome.duplicates) == (1, 2)
    [requisition] = _requisitions(hub)
    assert Decimal(str(requisition["qty"])) == 250, "fixed lots of 250 cover the shortfall of 30"
    assert (requisition["trigger_movement_id"], requisition["trigger_order_id"]) == ("MV-50", "WO-7")
    assert (requisition["supplier_id"], Decimal(str(requisition["unit_price"]))) == ("S1", Decimal("0.08")), \
        "250 reaches the price break at 200"
    po = entity(hub, f"PO:{requisition['po_number']}")
    assert po["status"] == "approved", "20 EUR is within the approval limit of 50"
    assert po["lines"][0]["need_date"] == requisition["need_date"]

    hub.intake.ingest([movement("MV-51", "consumption", "BOLT", 5, lot_id="L1")])
    assert len(_requisitions(hub)) == 1, "what is on order already covers the reorder point"


def test_an_order_above_the_approval_limit_waits_for_approval(make_hub):
    hub = make_hub("replenishment: {auto_approve_up_to: 10}")
    _bolt_plant(hub)
    hub.intake.ingest([movement("MV-50", "consumption", "BOLT", 50, lot_id="L1")])
    [requisition] = _requisitions(hub)
    assert entity(hub, f"PO:{requisition['po_number']}")["status"] == "pending_approval"
    assert codes(hub) == [["PO_AWAITS_APPROVAL"]]


def test_an_item_without_a_valid_sourcing_rule_gets_a_requisition_and_an_exception_for_supply_chain(make_hub):
    hub = make_hub(POLICY)
    hub.intake.ingest([*items(("NUT", "C62"), reorder_point=10, lot_rule="lot_for_lot"),
                       movement("R-N", "receipt", "NUT", 12), movement("I-N", "issue", "NUT", 7)])
    [requisition] = _requisitions(hub)
    assert Decimal(str(requisition["qty"])) == 5 and requisition["po_number"] is None
    [exception] = hub.exceptions.list()
    assert exception["codes"] == ["REORDER_NO_SOURCING"] and exception["owner_role"] == "supply_chain"


def test_a_quality_held_lot_is_never_counted_available_by_replenishment(make_hub):
    """120 good bolts of L1 and 500 of L2 on hold: consuming 30 of L1 leaves 90 available,
    below the reorder point of 100, whatever sits on hold."""
    hub = make_hub(POLICY)
    _bolt_plant(hub)
    hub.intake.ingest([movement("R-2", "receipt", "BOLT", 500, lot_id="L2"),
                       envelope("quality.hold", {"hold_id": "QH-1", "item_id": "BOLT", "lot_id": "L2",
                                                 "reason": "thread gauge failed"}, source="wms", time=at()),
                       movement("MV-30", "consumption", "BOLT", 30, lot_id="L1")])
    assert balance(hub, "BOLT", "P1", "MAIN", "L2", "quality_hold") == 500
    assert balance(hub, "BOLT", "P1", "MAIN", "L2") == 0
    assert len(_requisitions(hub)) == 1


def test_a_hold_takes_stock_out_of_available_its_release_puts_it_back_and_a_rejection_scraps_it(make_hub):
    hub = make_hub()
    hub.intake.ingest([*items(("SEAL", "C62"), ("GASKET", "C62")),
                       movement("R-S", "receipt", "SEAL", 40, lot_id="S-1"),
                       movement("R-G", "receipt", "GASKET", 25, lot_id="G-1"),
                       envelope("quality.hold", {"hold_id": "QH-S", "item_id": "SEAL", "lot_id": "S-1"},
                                source="wms", time=at()),
                       envelope("quality.hold", {"hold_id": "QH-G", "item_id": "GASKET"}, source="wms", time=at()),
                       movement("R-S2", "receipt", "SEAL", 10, lot_id="S-1")])
    assert balance(hub, "SEAL", "P1", "MAIN", "S-1", "quality_hold") == 50, "stock arriving on hold stays held"
    hub.intake.ingest([envelope("quality.released", {"hold_id": "QH-S", "item_id": "SEAL", "lot_id": "S-1"},
                                source="wms", time=at()),
                       envelope("quality.released", {"hold_id": "QH-G", "item_id": "GASKET", "status": "rejected"},
                                source="wms", time=at())])
    assert balance(hub, "SEAL", "P1", "MAIN", "S-1") == 50
    assert balance(hub, "SEAL", "P1", "MAIN", "S-1", "quality_hold") == 0
    assert balance(hub, "GASKET", "P1", "MAIN", "G-1", "quality_hold") == 0
    assert balance(hub, "GASKET", "P1", "MAIN", "G-1") == 0, "a rejected lot leaves stock as scrap"


def test_grams_against_a_kilogram_item_and_boxes_against_pieces_land_converted_exactly(make_hub):
    hub = make_hub("units: [{from: BX, to: C62, factor: 12, item_id: NUT-M8}]")
    outcome = hub.intake.ingest([
        *items(("STEEL", "KGM"), ("NUT-M8", "C62"), ("WASHER", "C62")),
        movement("R-ST", "receipt", "STEEL", "2.5", uom="KGM"), movement("R-NUT", "receipt", "NUT-M8", 100),
        movement("C-ST", "consumption", "STEEL", 1250, uom="GRM"),
        movement("C-NUT", "consumption", "NUT-M8", 3, uom="BX"),
        movement("R-W", "receipt", "WASHER", 1, uom="BX")])
    assert balance(hub, "STEEL", "P1", "MAIN") == Decimal("1.25")
    assert balance(hub, "NUT-M8", "P1", "MAIN") == 64
    assert outcome.quarantined == 1 and codes(hub) == [["UOM_NO_CONVERSION"]], "a box of washers has no size"
    assert entity(hub, "MOV:C-ST")["uom"] == "GRM" and entity(hub, "MOV:C-ST")["qty"] == 1250, \
        "the movement keeps the unit and quantity it was sent in"


def test_negative_stock_is_refused_where_the_plant_rejects_it_and_only_alerted_where_it_allows(make_hub):
    hub = make_hub("plants: {P1: {negative_stock: reject}, P2: {negative_stock: alert}}")
    hub.intake.ingest([*items(("BOLT", "C62")),
                       movement("I-1", "issue", "BOLT", 5, plant_id="P1"),
                       movement("I-2", "issue", "BOLT", 5, plant_id="P2")])
    assert balance(hub, "BOLT", "P1", "MAIN") is None
    assert balance(hub, "BOLT", "P2", "MAIN") == -5
    assert sorted(e["kind"] for e in hub.exceptions.list()) == ["alert", "quarantine"]


def test_a_report_consuming_into_a_backflushing_plant_replenishes_the_components(make_hub):
    hub = make_hub(POLICY + "\nplants: {P1: {backflush: true}}")
    _bolt_plant(hub, lot=None)
    hub.intake.ingest([*items(("PMP-100", "C62")),
                       envelope("bom.released", {"item_id": "PMP-100", "revision": "A", "lines": [
                           {"line_no": 10, "component_id": "BOLT", "qty_per": 8, "uom": "C62"}]}, time=at()),
                       order("WO-1", "PMP-100", 10),
                       report("RPT-1", "WO-1", [{"movement_id": "C-1", "kind": "completion", "item_id": "PMP-100",
                                                 "qty": 4, "uom": "C62", "plant_id": "P1", "to_location": "MAIN"}])])
    assert balance(hub, "BOLT", "P1", "MAIN") == 120 - 4 * 8
    [requisition] = _requisitions(hub)
    assert (requisition["trigger_movement_id"], requisition["trigger_order_id"]) == ("RPT-1-bf-10", "WO-1")


def test_an_approved_replenishment_order_goes_out_to_its_supplier_on_the_partners_channel(make_hub, tmp_path):
    from tests.support.suppliers import sent_files

    hub = make_hub(f"""
systems:
  northfast: {{kind: x12, dropfolder: "{tmp_path}/northfast", sender_id: ACMEMFG, receiver_id: NORTHFAST}}
replenishment: {{auto_approve_up_to: 50}}
""")
    outcome = hub.intake.ingest([
        *items(("BOLT", "C62"), reorder_point=100, lot_rule="lot_for_lot"),
        envelope("supplier.upserted", {"supplier_id": "northfast", "name": "Northfast"}, source="erp", time=at()),
        envelope("sourcing.updated", {"item_id": "BOLT", "supplier_id": "northfast", "unit_price": 0.10,
                                      "currency": "EUR"}, source="erp", time=at()),
        movement("R-1", "receipt", "BOLT", 120), movement("MV-50", "consumption", "BOLT", 50)])
    assert outcome.quarantined == 0, hub.exceptions.list()
    [requisition] = _requisitions(hub)
    assert entity(hub, f"PO:{requisition['po_number']}")["status"] == "sent"
    hub.worker.run_until_idle()
    [sent] = sent_files(tmp_path, "northfast")
    assert "BEG*00*SA*RQ-MV-50" in sent.read_text()


def _cycle_count(count_id: str, item_id: str, qty, taken_at: str | None, location: str = "MAIN") -> dict:
    """A WMS cycle count of one balance, sent after it was taken (its own time is the latest)."""
    data = {"snapshot_id": count_id, "plant_id": "P1", "taken_at": taken_at,
            "balances": [{"item_id": item_id, "plant_id": "P1", "location_id": location, "qty": qty, "uom": "C62"}]}
    return envelope("inventory.snapshot", {k: v for k, v in data.items() if v is not None}, source="wms", time=at())


def test_a_cycle_count_taken_before_a_consumption_that_arrives_after_it_keeps_the_consumption(make_hub):
    """120 bolts received; 2 found missing by a count taken before 5 were consumed, which the WMS
    sends after the consumption was booked: 118 counted, less the 5 consumed since."""
    hub = make_hub()
    _bolt_plant(hub, lot=None)
    taken = at()
    hub.intake.ingest([movement("MV-5", "consumption", "BOLT", 5)])
    assert balance(hub, "BOLT", "P1", "MAIN") == 115
    hub.intake.ingest([_cycle_count("CC-1", "BOLT", 118, taken)])
    assert balance(hub, "BOLT", "P1", "MAIN") == 113


def test_a_cycle_count_newer_than_every_movement_sets_the_balance_as_counted(make_hub):
    hub = make_hub()
    _bolt_plant(hub, lot=None)
    hub.intake.ingest([movement("MV-5", "consumption", "BOLT", 5)])
    hub.intake.ingest([_cycle_count("CC-1", "BOLT", 118, at())])
    assert balance(hub, "BOLT", "P1", "MAIN") == 118
    hub.intake.ingest([_cycle_count("CC-2", "BOLT", 117, None)])
    assert balance(hub, "BOLT", "P1", "MAIN") == 117, "a count without its own time is as of when it was sent"


def test_a_cycle_count_keeps_the_later_consumption_it_arrives_with(make_hub):
    """One batch: a consumption at 09:00 and a count taken before it; then one batch with a count
    taken before a consumption that arrives after it; and one with a count taken after both."""
    hub = make_hub()
    _bolt_plant(hub, lot=None)
    taken = at()
    hub.intake.ingest([movement("MV-5", "consumption", "BOLT", 5), _cycle_count("CC-1", "BOLT", 118, taken)])
    assert balance(hub, "BOLT", "P1", "MAIN") == 118 - 5
    count = _cycle_count("CC-2", "BOLT", 110, at())
    hub.intake.ingest([count, movement("MV-3", "consumption", "BOLT", 3)])
    assert balance(hub, "BOLT", "P1", "MAIN") == 110 - 3
    consumed = movement("MV-4", "consumption", "BOLT", 4)
    hub.intake.ingest([consumed, _cycle_count("CC-3", "BOLT", 100, at())])
    assert balance(hub, "BOLT", "P1", "MAIN") == 100
    with hub.store.reading() as read:
        assert [b["qty"] for b in read.balances_as_of(iso(time.time()))
                if b["item_id"] == "BOLT"] == [100], "the ledger replays to the balance the counts set"


def test_a_cycle_count_keeps_what_a_production_report_consumed_after_it_was_taken(make_hub):
    hub = make_hub()
    _bolt_plant(hub, lot=None)
    hub.intake.ingest([*items(("PMP-100", "C62")), order("WO-1", "PMP-100", 10)])
    taken = at()
    outcome = hub.intake.ingest([report("RPT-1", "WO-1", [used("U-1", "BOLT", 8)])])
    assert outcome.accepted == 1, hub.exceptions.list()
    hub.intake.ingest([_cycle_count("CC-1", "BOLT", 118, taken)])
    assert balance(hub, "BOLT", "P1", "MAIN") == 118 - 8
