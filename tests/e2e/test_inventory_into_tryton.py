"""The warehouse's and the shop floor's movements reach a real Tryton as stock moves, once each,
so Tryton's quantity per product and location follows the hub's ledger — read back from Tryton."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from mfgsync.app import build_hub
from mfgsync.config import parse_settings
from mfgsync.connectors.base import Delivery
from mfgsync.connectors.tryton_stock import stock_balances
from tests.conftest import FakeClock
from tests.support.shop_floor import items, made, movement, order, report, used
from tests.support.state import balance

pytestmark = pytest.mark.tryton


def _hub(tryton, tmp_path, monkeypatch):
    monkeypatch.setenv("ERP_PASSWORD", tryton.password)
    config = f"""
systems:
  erp: {{kind: tryton, url: "{tryton.url}", database: {tryton.database}, user: {tryton.user},
         password_env: ERP_PASSWORD, timeout_seconds: 30}}
subscriptions: {{item.upserted: [erp], inventory.moved: [erp], production.reported: [erp]}}
plants: {{P1: {{erp_warehouse: WH}}}}
retry: {{base_seconds: 0, max_seconds: 0}}
"""
    return build_hub(parse_settings(config), f"sqlite:///{tmp_path}/hub.db", clock=FakeClock())


def _in_tryton(tryton) -> dict[tuple[str, str], Decimal]:
    """(item, location) -> quantity, as Tryton reports its warehouse WH (reconciliation's reading)."""
    return {(r["item_id"], r["location_id"]): Decimal(r["qty"]).normalize()
            for r in stock_balances(tryton.session(), {"P1": "WH"})}


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
