"""Reconciliation against a real Tryton, its stock pulled live by product and location: the
ERP agrees with the hub's ledger once every movement has reached it, and a consumption still on
its way explains the difference while it is not there yet."""

from __future__ import annotations

import json

import pytest

from mfgsync.app import build_hub, live_stock
from mfgsync.config import parse_settings
from mfgsync.reconcile.inventory import Side, reconcile
from tests.conftest import FakeClock
from tests.support.cli import run
from tests.support.shop_floor import items, movement

pytestmark = [pytest.mark.tryton, pytest.mark.slow]  # a live Tryton and two command runs: ~20 s each


def _config(tryton) -> str:
    return f"""
systems:
  erp: {{kind: tryton, url: "{tryton.url}", database: {tryton.database}, user: {tryton.user},
         password_env: ERP_PASSWORD, timeout_seconds: 30}}
subscriptions: {{item.upserted: [erp], inventory.moved: [erp]}}
plants: {{P1: {{erp_warehouse: WH}}}}
retry: {{base_seconds: 0, max_seconds: 0}}
"""


def _deliver(hub) -> None:
    for _ in range(4):  # a movement may reach Tryton before its product: it is retried
        hub.worker.run_until_idle()


def test_tryton_pulled_live_agrees_with_the_ledger_but_for_what_has_not_reached_it(tryton, tmp_path, monkeypatch):
    monkeypatch.setenv("ERP_PASSWORD", tryton.password)
    settings = parse_settings(_config(tryton))
    hub = build_hub(settings, f"sqlite:///{tmp_path}/hub.db", clock=FakeClock())
    hub.intake.ingest([*items(("SEAL", "C62"), ("BOLT", "C62"), item_type="buy"),
                       movement("R-1", "receipt", "SEAL", 40), movement("R-2", "receipt", "BOLT", 25),
                       movement("T-1", "transfer", "BOLT", 5, from_location="MAIN", to_location="LINE")])
    _deliver(hub)
    agreed = reconcile(hub.store, settings, Side("system:erp"), Side("hub"), live=live_stock(settings))
    assert agreed["summary"] == {"match": 3, "only_left": 0, "only_right": 0, "qty_mismatch": 0, "status_mismatch": 0}

    hub.intake.ingest([movement("C-1", "consumption", "SEAL", 15, message_id="C-1")])  # in the ledger, not yet in Tryton
    behind = reconcile(hub.store, settings, Side("system:erp"), Side("hub"), live=live_stock(settings))
    assert [(v["key"]["item_id"], v["key"]["location_id"], v["left_qty"], v["right_qty"], v["cause"], v["evidence"])
            for v in behind["variances"]] == [("SEAL", "MAIN", 40, 25, "pending_delivery", ["message:wms/C-1"])]
    hub.close()


def test_the_command_reads_tryton_live_and_a_wrong_password_is_a_clear_error(tryton, tmp_path):
    (tmp_path / "hub.yaml").write_text(_config(tryton))
    (tmp_path / "wms.csv").write_text("item_id,plant_id,location_id,lot_id,status,qty,uom\nSEAL,P1,MAIN,,available,3,EA\n")
    out = run(tmp_path, "reconcile", "--left", "system:erp", "--right", "wms.csv", "--json",
              ERP_PASSWORD=tryton.password)
    assert json.loads(out.stdout)["summary"]["only_right"] == 1, "Tryton holds no SEAL yet"
    refused = run(tmp_path, "reconcile", "--left", "system:erp", "--right", "wms.csv", "--json", expect=2,
                  ERP_PASSWORD="not-the-password")
    assert "SNAPSHOT_UNREADABLE" in refused.stderr and "not-the-password" not in refused.stderr
