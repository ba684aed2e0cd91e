"""Inventory reconciliation: the ERP's stock (left) against the warehouse's (right), on the hub's
own records. Every difference below is built on purpose, and each must be classified and
explained exactly as it was built; what the hub cannot explain goes to the warehouse.

Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from mfgsync.connectors.memory import MemoryConnector
from mfgsync.reconcile import results
from mfgsync.reconcile.inventory import Side, reconcile
from tests.conftest import FakeClock
from tests.support.messages import envelope, item

CONFIG = """systems:
  erp: {kind: memory}
subscriptions: {inventory.moved: [erp]}
plants: {P1: {negative_stock: reject}}
"""
HEADER = "item_id,plant_id,location_id,lot_id,status,qty,uom\n"
AS_OF = datetime(2026, 11, 30, 18, 0, tzinfo=timezone.utc)


def _movement(movement_id: str, kind: str, item_id: str, qty: str, uom: str = "C62", occurred: str = "2026-11-30T08:00:00Z",
              **where: str) -> dict:
    data = {"movement_id": movement_id, "kind": kind, "item_id": item_id, "qty": qty, "uom": uom, "plant_id": "P1",
            "occurred_at": occurred, **where}
    return envelope("inventory.moved", data, source="wms", message_id=movement_id, time=occurred)


def _plant(hub) -> None:
    """Items, a supplier with an order, and the stock movements the warehouse reported."""
    hub.intake.ingest(
        [envelope("item.upserted", item(i)) for i in ("SEAL", "BOLT", "GASKET", "VLV-200", "PMP-100", "NUT")] +
        [envelope("item.upserted", item("FLUID", base_uom="KGM")),
         envelope("supplier.upserted", {"supplier_id": "NORTHFAST", "name": "Northfast"}, source="erp"),
         envelope("po.created", {"po_number": "4500000001", "supplier_id": "NORTHFAST", "status": "sent",
                                 "lines": [{"line_no": 10, "item_id": "VLV-200", "qty": 40, "uom": "C62"}]},
                  source="erp")])
    hub.intake.ingest([_movement("MV-1", "receipt", "SEAL", "100", to_location="MAIN"),
                       _movement("MV-2", "receipt", "BOLT", "20", to_location="MAIN")])
    hub.worker.run_until_idle()  # the ERP has both receipts
    hub.intake.ingest([
        _movement("MV-3", "consumption", "SEAL", "10", from_location="MAIN"),  # still in the outbox
        _movement("MV-4", "receipt", "BOLT", "5", to_location="MAIN", occurred="2026-11-30T19:30:00Z"),
        _movement("MV-5", "issue", "GASKET", "50", from_location="MAIN"),  # no stock: quarantined
        envelope("asn.received", {"asn_id": "ASN-9", "supplier_id": "NORTHFAST", "lines": [
            {"po_number": "4500000001", "po_line_no": 10, "item_id": "VLV-200", "qty": 40, "uom": "C62",
             "lot_id": "L7"}]}, source="supplier")])


def _snapshots(tmp_path: Path) -> tuple[Path, Path]:
    erp = tmp_path / "erp.csv"
    erp.write_text(HEADER + "\n".join([
        "SEAL,P1,MAIN,,available,100,C62",        # the consumption has not reached the ERP
        "BOLT,P1,MAIN,,available,20,EA",          # the WMS counted after MV-4, the ERP at the as-of time
        "GASKET,P1,MAIN,,available,50,C62",       # the WMS issued 50; the hub quarantined the issue
        "VLV-200,P1,DOCK,L7,in_transit,40,C62",   # the ERP booked the ASN's lot; the WMS has not received it
        "FLUID,P1,TANK,,available,2500,KGM",      # grams written down as kilograms
        "FLUID,P1,DRUM,,available,3,KGM",         # the same fluid, converted correctly on the other side
        "NUT,P1,MAIN,,available,12,C62",          # the WMS holds it on quality hold: nobody told the ERP
    ]) + "\n")
    wms = tmp_path / "wms.csv"
    wms.write_text(HEADER + "\n".join([
        "SEAL,P1,MAIN,,available,90,C62",
        "BOLT,P1,MAIN,,available,25,C62",
        "GASKET,P1,MAIN,,available,0,C62",
        "FLUID,P1,TANK,,available,2.5,KGM",
        "FLUID,P1,DRUM,,available,3000,GRM",
        "NUT,P1,MAIN,,quality_hold,12,C62",
        "PMP-100,P1,MAIN,,available,2,C62",       # in the warehouse, unknown to the ERP
    ]) + "\n")
    return erp, wms


def _by_item(result: dict) -> dict[str, dict]:
    return {v["key"]["item_id"]: v for v in result["variances"]}


def test_every_built_difference_is_classified_and_explained_as_built(make_hub, tmp_path):
    hub = make_hub(CONFIG, connectors={"erp": MemoryConnector()})
    _plant(hub)  # the consumption MV-3 and the late receipt MV-4 are still in the outbox
    with hub.store.reading() as read:
        gasket, = [x for x in read.exceptions(kind="quarantine").rows if x["entity_key"] == "MOV:MV-5"]
    left, right = _snapshots(tmp_path)

    result = reconcile(hub.store, hub.settings, Side(str(left), "erp"), Side(str(right), "wms"), AS_OF)

    assert result["summary"] == {"match": 1, "only_left": 1, "only_right": 1, "qty_mismatch": 4, "status_mismatch": 1}
    found = {name: (v["kind"], v["cause"], v["evidence"]) for name, v in _by_item(result).items()}
    assert found == {
        "SEAL": ("qty_mismatch", "pending_delivery", ["message:wms/MV-3"]),
        "BOLT": ("qty_mismatch", "pending_delivery", ["message:wms/MV-4"]),
        "GASKET": ("qty_mismatch", "quarantined", [f"exception:{gasket['id']}", "message:wms/MV-5"]),
        "VLV-200": ("only_left", "in_transit", ["asn:ASN-9"]),
        "FLUID": ("qty_mismatch", "unit_conversion", []),
        "NUT": ("status_mismatch", "unexplained", []),
        "PMP-100": ("only_right", "unexplained", []),
    }
    fluid = _by_item(result)["FLUID"]
    assert (fluid["key"]["location_id"], fluid["left_qty"], fluid["right_qty"], fluid["uom"]) == (
        "TANK", Decimal(2500), Decimal("2.5"), "KGM")


def test_a_movement_after_the_as_of_time_explains_what_it_changed(make_hub, tmp_path):
    hub = make_hub(CONFIG, connectors={"erp": MemoryConnector()})
    _plant(hub)
    hub.worker.run_until_idle()  # every movement reached the ERP: only the as-of time tells them apart
    left, right = _snapshots(tmp_path)

    with_time = _by_item(reconcile(hub.store, hub.settings, Side(str(left)), Side(str(right)), AS_OF))
    without = _by_item(reconcile(hub.store, hub.settings, Side(str(left)), Side(str(right))))

    assert (with_time["BOLT"]["cause"], with_time["BOLT"]["evidence"]) == ("after_as_of", ["movement:MV-4"])
    assert without["BOLT"]["cause"] == "unexplained", "before any as-of time, MV-4 explains nothing"
    assert with_time["SEAL"]["cause"] == "unexplained", "SEAL's consumption was delivered before the as-of time"


def test_unexplained_variances_become_warehouse_exceptions_once(make_hub, tmp_path):
    hub = make_hub(CONFIG, connectors={"erp": MemoryConnector()})
    _plant(hub)
    hub.worker.run_until_idle()
    left, right = _snapshots(tmp_path)
    result = reconcile(hub.store, hub.settings, Side(str(left)), Side(str(right)), AS_OF)

    first = results.keep(hub.store, "erp-vs-wms", result, hub.clock, "tester")
    again = results.keep(hub.store, "erp-vs-wms", result, lambda: hub.clock() + 60, "tester")

    with hub.store.reading() as read:
        raised = read.exceptions(code="RECON_UNEXPLAINED").rows
        runs = results.history(read, "erp-vs-wms")
    assert sorted(x["entity_key"] for x in raised) == [
        "POS:NUT|P1|MAIN|-", "POS:PMP-100|P1|MAIN|-", "POS:SEAL|P1|MAIN|-"]
    assert {x["owner_role"] for x in raised} == {"warehouse"}
    assert (first["raised"], again["raised"], again["already_open"]) == (3, 0, 3)
    assert [r["summary"] for r in runs] == [result["summary"]] * 2


def test_a_tolerance_lets_an_item_differ_by_that_much(make_hub, tmp_path):
    hub = make_hub(CONFIG + "reconciliation: {tolerances: {SEAL: 10}}\n", connectors={"erp": MemoryConnector()})
    left, right = _snapshots(tmp_path)
    result = reconcile(hub.store, hub.settings, Side(str(left)), Side(str(right)))
    assert "SEAL" not in _by_item(result) and "BOLT" in _by_item(result)


def test_a_dead_lettered_movement_explains_its_variance_with_the_dead_letter(make_hub, tmp_path):
    hub = make_hub(CONFIG, connectors={"erp": MemoryConnector(always_fail=True, permanent=True)})
    hub.intake.ingest([envelope("item.upserted", item("SEAL")), _movement("MV-1", "receipt", "SEAL", "100",
                                                                          to_location="MAIN")])
    hub.worker.run_until_idle()  # the ERP refuses it for good
    with hub.store.reading() as read:
        dead, = read.exceptions(kind="dead_letter").rows
    erp = tmp_path / "erp.csv"
    erp.write_text(HEADER)  # the ERP never booked the receipt
    result = reconcile(hub.store, hub.settings, Side(str(erp), "erp"), Side("hub"))
    assert [(v["kind"], v["cause"], v["evidence"]) for v in result["variances"]] == [
        ("only_right", "dead_letter", [f"exception:{dead['id']}", "message:wms/MV-1"])]


def test_the_hub_side_as_of_a_time_is_the_ledger_as_it_stood_then(make_hub, tmp_path):
    clock = FakeClock(datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc).timestamp())
    hub = make_hub(CONFIG, connectors={"erp": MemoryConnector()}, clock=clock)
    hub.intake.ingest([envelope("item.upserted", item("SEAL")), envelope("item.upserted", item("BOLT")),
                       _movement("MV-1", "receipt", "SEAL", "100", to_location="MAIN")])
    clock.advance(10 * 3600)  # 20:00, after the as-of time
    hub.intake.ingest([_movement("MV-2", "consumption", "SEAL", "10", occurred="2026-11-30T19:00:00Z",
                                 from_location="MAIN"),
                       _movement("MV-3", "receipt", "BOLT", "5", occurred="2026-11-30T19:30:00Z", to_location="MAIN")])
    erp = tmp_path / "erp.csv"
    erp.write_text(HEADER + "SEAL,P1,MAIN,,available,100,C62\n")  # the ERP's stock at 18:00

    then = reconcile(hub.store, hub.settings, Side(str(erp), "erp"), Side("hub"), AS_OF)
    assert then["summary"]["match"] == 1 and then["variances"] == []
    now = reconcile(hub.store, hub.settings, Side(str(erp), "erp"), Side("hub"))
    assert sorted((v["key"]["item_id"], v["kind"]) for v in now["variances"]) == [
        ("BOLT", "only_right"), ("SEAL", "qty_mismatch")]
