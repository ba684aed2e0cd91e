"""Scheduled reconciliations: each runs when its last kept run is as old as its interval, its
results and history are kept, and the trend per plant grows run after run — also inside `serve`."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from mfgsync.api.server import background_work, create_app
from mfgsync.reconcile import results, schedule
from tests.conftest import FakeClock
from tests.support.messages import envelope, item

HEADER = "item_id,plant_id,location_id,lot_id,status,qty,uom\n"


def _hub(make_hub, tmp_path, clock=None, every: float = 3600):
    wms = tmp_path / "wms.csv"
    wms.write_text(HEADER + "SEAL,P1,MAIN,,available,7,C62\nBOLT,P2,MAIN,,available,4,C62\n")
    config = (f"reconciliation:\n  schedule:\n    - {{name: hub-vs-wms, left: hub, right: '{wms}', "
              f"right_system: wms, every_seconds: {every}}}\n")
    hub = make_hub(config, clock=clock or FakeClock())
    hub.intake.ingest([envelope("item.upserted", item("SEAL")),
                       envelope("inventory.moved", {"movement_id": "R-1", "kind": "receipt", "item_id": "SEAL",
                                                    "qty": 10, "uom": "C62", "plant_id": "P1",
                                                    "to_location": "MAIN"}, source="wms")])
    return hub, wms


def test_a_scheduled_reconciliation_runs_when_due_and_its_trend_grows(make_hub, tmp_path):
    clock = FakeClock()
    hub, wms = _hub(make_hub, tmp_path, clock)

    assert len(schedule.run_due(hub)) == 1, "never ran: due at once"
    clock.advance(600)
    assert schedule.run_due(hub) == [], "ran ten minutes ago"
    wms.write_text(HEADER + "SEAL,P1,MAIN,,available,10,C62\n")  # counted again: P1 agrees, P2's bolts are gone
    clock.advance(3000)
    assert len(schedule.run_due(hub)) == 1

    with hub.store.reading() as read:
        runs = results.history(read, "hub-vs-wms")
        trend = results.trend(read, "hub-vs-wms")
    assert [r["summary"]["qty_mismatch"] for r in runs] == [1, 0]
    assert [(p["variances"], p["qty"]) for p in trend["P1"]] == [(1, 3), (0, 0)]
    assert [(p["variances"], p["qty"]) for p in trend["P2"]] == [(1, 4)], "P2 had nothing to compare the second time"


def test_serve_runs_the_schedule_in_the_background(make_hub, tmp_path):
    hub, _ = _hub(make_hub, tmp_path, clock=time.time)
    with TestClient(create_app(hub, background_work(hub, live_traffic=False))):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with hub.store.reading() as read:
                if results.history(read, "hub-vs-wms"):
                    break
            time.sleep(0.1)
    with hub.store.reading() as read:
        assert len(results.history(read, "hub-vs-wms")) == 1
        assert [x["entity_key"] for x in read.exceptions(code="RECON_UNEXPLAINED").rows] == [
            "POS:BOLT|P2|MAIN|-", "POS:SEAL|P1|MAIN|-"]
