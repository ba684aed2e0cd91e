"""The warehouse's and the shop floor's movements reach a real Tryton as stock moves, once each,
so Tryton's quantity per product and location follows the hub's ledger — read back from Tryton.
Quality holds move the held stock into the warehouse's quarantine location, out of what Tryton
counts as its storage, and back on release or out to scrap on rejection."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from mfgsync.app import build_hub
from mfgsync.config import parse_settings
from mfgsync.connectors.base import Delivery
from mfgsync.connectors.tryton_stock import stock_balances
from tests.conftest import FakeClock
from tests.support.messages import envelope
from tests.support.shop_floor import at, items, made, movement, order, report, used
from tests.support.state import balance

pytestmark = pytest.mark.tryton


def _hub(tryton, tmp_path, monkeypatch, plant: str = "erp_warehouse: WH"):
    monkeypatch.setenv("ERP_PASSWORD", tryton.password)
    config = f"""
systems:
  erp: {{kind: tryton, url: "{tryton.url}", database: {tryton.database}, user: {tryton.user},
         password_env: ERP_PASSWORD, timeout_seconds: 30}}
subscriptions: {{item.upserted: [erp], inventory.moved: [erp], production.reported: [erp],
                 quality.hold: [erp], quality.released: [erp]}}
plants: {{P1: {{{plant}}}}}
retry: {{base_seconds: 0, max_seconds: 0}}
"""
    return build_hub(parse_settings(config), f"sqlite:///{tmp_path}/hub.db", clock=FakeClock())


def _in_tryton(tryton, status: str = "available", quarantine: str | None = None) -> dict[tuple[str, str], Decimal]:
    """(item, location) -> quantity of that status, as Tryton reports its warehouse WH
    (reconciliation's reading)."""
    return {(r["item_id"], r["location_id"]): Decimal(r["qty"]).normalize()
            for r in stock_balances(tryton.session(), {"P1": "WH"}, {"P1": quarantine}) if r["status"] == status}


def _deliver(hub) -> None:
    for _ in range(4):  # a movement may reach Tryton before its product: it is retried
        hub.worker.run_until_idle()


def test_receipts_consumption_transfers_adjustments_and_scrap_land_in_tryton_as_in_the_ledger(tryton, tmp_path,
                                                                                                 monkeypatch):
    hub = _hub(tryton, tmp_path, monkeypatch)
    outcome = hub.intake.ingest([
        *items(("BOLT", "C62"), ("PMP-100", "C62"), item_type="buy"),
        movement("R-1", "receipt", "BOLT", 100), movement("C-1", "consumption", "BOLT", 30),
        movement("T-1", "transfer", "BOLT", 20, from_location="MAIN", to_location="LINE"),
        movement("A-1", "adjustment", "BOLT", -5, to_location="LINE"), movement("S-1", "scrap", "BOLT", 2),
        order("WO-1", "PMP-100", 4),
        report("RPT-1", "WO-1", [used("U-1", "BOLT", 8), made("M-1", "PMP-100", 4)])])
    assert outcome.quarantined == 0, hub.exceptions.list()
    _deliver(hub)
    assert [(e['codes'], e['reasons']) for e in hub.exceptions.list()] == []
    held = _in_tryton(tryton)
    for location in ("MAIN", "LINE"):
        assert held[("BOLT", location)] == balance(hub, "BOLT", "P1", location)
    assert held[("BOLT", "MAIN")] == 100 - 30 - 20 - 2 - 8
    assert held[("BOLT", "LINE")] == 15
    assert held[("PMP-100", "MAIN")] == 4, "a completion comes out of production"
    hub.close()


def test_a_movement_delivered_again_after_a_lost_answer_moves_stock_once(tryton, tmp_path, monkeypatch):
    hub = _hub(tryton, tmp_path, monkeypatch)
    hub.intake.ingest([*items(("NUT", "C62"), item_type="buy"), movement("R-9", "receipt", "NUT", 12)])
    _deliver(hub)
    session = tryton.session()
    moves_before = session.model("stock.move", "search_count", [])
    payload = {"movement": {"movement_id": "R-9", "kind": "receipt", "item_id": "NUT", "qty": 12, "uom": "C62",
                            "plant_id": "P1", "to_location": "MAIN"}, "qty": "12", "uom": "C62", "code": "NUT",
               "warehouse": "WH"}
    hub.connectors["erp"].deliver(Delivery("erp-again", "erp", "inventory.moved", "INV:NUT@P1",
                                           json.dumps(payload), "erp:stock:R-9", "stock.move"))
    assert session.model("stock.move", "search_count", []) == moves_before
    assert _in_tryton(tryton)[("NUT", "MAIN")] == 12
    hub.close()


def _hold(hold_id: str, item_id: str, lot_id: str, status: str = "held") -> dict:
    event_type = "quality.hold" if status == "held" else "quality.released"
    return envelope(event_type, {"hold_id": hold_id, "item_id": item_id, "lot_id": lot_id, "status": status},
                    source="wms", time=at())


def _in_quarantine(tryton, code: str, item_id: str) -> Decimal:
    """What Tryton holds of the product in warehouse WH's quarantine location (by its code), the
    locations under it included."""
    session = tryton.session()
    warehouse, = session.model("stock.location", "search", [["type", "=", "warehouse"], ["code", "=", "WH"]],
                               0, 1, None)
    location, = session.model("stock.location", "search", [["code", "=", code], ["parent", "=", warehouse]], 0, 1,
                              None)
    product, = session.model("product.product", "search_read", [["code", "=", item_id]], 0, 1, None, ["quantity"],
                             context={"locations": [location], "with_childs": True})
    return Decimal(str(product["quantity"])).normalize()


def _recording(hub, monkeypatch) -> list[Delivery]:
    """Every delivery the ERP connector carries out, as it was handed over."""
    connector, seen = hub.connectors["erp"], []
    carry_out = connector.deliver

    def deliver(delivery: Delivery) -> None:
        seen.append(delivery)
        carry_out(delivery)
    monkeypatch.setattr(connector, "deliver", deliver)
    return seen


def test_a_held_lot_leaves_tryton_storage_for_quarantine_and_its_release_brings_it_back_once(tryton, tmp_path,
                                                                                            monkeypatch):
    hub = _hub(tryton, tmp_path, monkeypatch)
    seen = _recording(hub, monkeypatch)
    hub.intake.ingest([*items(("SEAL", "C62"), item_type="buy"),
                       movement("R-S1", "receipt", "SEAL", 40, lot_id="S-1"),
                       movement("R-S2", "receipt", "SEAL", 60, lot_id="S-2")])
    _deliver(hub)
    assert _in_tryton(tryton)[("SEAL", "MAIN")] == 100

    hub.intake.ingest([_hold("QH-1", "SEAL", "S-1")])
    _deliver(hub)
    assert [(e['codes'], e['reasons']) for e in hub.exceptions.list()] == []
    assert _in_tryton(tryton)[("SEAL", "MAIN")] == 60, "held stock is no longer in Tryton's storage"
    assert _in_quarantine(tryton, "QUARANTINE", "SEAL") == 40 == balance(hub, "SEAL", "P1", "MAIN", "S-1",
                                                                         "quality_hold")
    assert _in_tryton(tryton, "quality_hold")[("SEAL", "MAIN")] == 40, "reconciliation reads it as held at MAIN"
    held, = [d for d in seen if d.command == "stock.hold"]
    assert held.entity_key == "INV:SEAL@P1", "a hold's move keeps its order with the item's movements"

    session = tryton.session()
    moves_before = session.model("stock.move", "search_count", [])
    hub.connectors["erp"].deliver(held)  # delivered again, as after a lost answer
    hub.intake.ingest([_hold("QH-1", "SEAL", "S-1")])  # the same hold said again
    _deliver(hub)
    assert session.model("stock.move", "search_count", []) == moves_before, "nothing moves twice"
    assert _in_quarantine(tryton, "QUARANTINE", "SEAL") == 40

    hub.intake.ingest([_hold("QH-1", "SEAL", "S-1", "released")])
    _deliver(hub)
    assert _in_tryton(tryton)[("SEAL", "MAIN")] == 100, "the release puts it back where it was"
    assert _in_quarantine(tryton, "QUARANTINE", "SEAL") == 0
    assert [(e['codes'], e['reasons']) for e in hub.exceptions.list()] == []
    hub.close()


def test_stock_arriving_on_a_held_lot_waits_in_quarantine_and_a_rejection_scraps_all_of_it(tryton, tmp_path,
                                                                                          monkeypatch):
    hub = _hub(tryton, tmp_path, monkeypatch, plant="erp_warehouse: WH, erp_quarantine: QC")
    hub.intake.ingest([*items(("GASKET", "C62"), item_type="buy"),
                       movement("R-G1", "receipt", "GASKET", 30, lot_id="G-1"),
                       movement("R-G2", "receipt", "GASKET", 5, lot_id="G-2"),
                       _hold("QH-G", "GASKET", "G-1"),
                       movement("R-G3", "receipt", "GASKET", 20, lot_id="G-1")])
    _deliver(hub)
    assert balance(hub, "GASKET", "P1", "MAIN", "G-1", "quality_hold") == 50
    assert _in_tryton(tryton)[("GASKET", "MAIN")] == 5, "only the lot not on hold counts as Tryton's storage"
    assert _in_quarantine(tryton, "QC", "GASKET") == 50, "the plant's quarantine location, by its code"
    assert _in_tryton(tryton, "quality_hold", quarantine="QC")[("GASKET", "MAIN")] == 50

    hub.intake.ingest([_hold("QH-G", "GASKET", "G-1", "rejected")])
    _deliver(hub)
    assert [(e['codes'], e['reasons']) for e in hub.exceptions.list()] == []
    assert _in_quarantine(tryton, "QC", "GASKET") == 0, "rejected stock leaves as scrap"
    assert _in_tryton(tryton)[("GASKET", "MAIN")] == 5
    hub.close()
