"""Planning on what the hub holds: the same engine, fed from the store's current state."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mfgsync.planning.calendar import BucketCalendar
from mfgsync.planning.from_store import EndDemand, plan_from_source
from mfgsync.store.planning_source import StorePlanningSource
from tests.support.messages import envelope, item


def _line(n, component, qty, uom="C62"):
    return {"line_no": n, "component_id": component, "qty_per": qty, "uom": uom}


def test_a_revision_effective_mid_horizon_switches_the_component_planned_from_that_week(make_hub):
    hub = make_hub("units: [{from: BX, to: C62, factor: 12, item_id: NUT-M8}]")
    hub.intake.ingest([
        envelope("item.upserted", item("PMP-100", "Pump", item_type="make")),
        envelope("item.upserted", {"item_id": "PMP-100", "lead_time_days": 7}, source="erp",
                 time="2026-11-22T10:30:00Z"),
        envelope("item.upserted", item("SEAL-A", "Seal A", item_type="buy")),
        envelope("item.upserted", item("SEAL-B", "Seal B", item_type="buy")),
        envelope("item.upserted", item("NUT-M8", "Nut", item_type="buy")),
        envelope("bom.released", {"item_id": "PMP-100", "revision": "A", "plant_id": "P1",
                                  "effective_from": "2026-11-30", "effective_to": "2026-12-13",
                                  "lines": [_line(10, "SEAL-A", 1), _line(20, "NUT-M8", 1, "BX")]}),
        envelope("bom.released", {"item_id": "PMP-100", "revision": "B", "plant_id": "P1",
                                  "effective_from": "2026-12-14",
                                  "lines": [_line(10, "SEAL-B", 1), _line(20, "NUT-M8", 1, "BX")]},
                 time="2026-11-22T11:00:00Z"),
        envelope("inventory.moved", {"movement_id": "R1", "kind": "receipt", "item_id": "NUT-M8", "qty": 2,
                                     "uom": "BX", "plant_id": "P1", "to_location": "A1"}, source="wms"),
    ])
    assert [e["reasons"] for e in hub.exceptions.list()] == []
    calendar = BucketCalendar(start=date(2026, 11, 30), bucket_days=7, periods=6)
    demands = [EndDemand("PMP-100", date(2026, 12, 8), Decimal(10)), EndDemand("PMP-100", date(2026, 12, 22), Decimal(10))]
    with hub.store.reading() as read:
        run = plan_from_source(StorePlanningSource(read, hub.settings), calendar, "P1", demands)
    releases = {(o.item_id, o.release_period): o.qty for o in run.plan.planned_orders()}
    assert releases[("PMP-100", 1)] == 10 and releases[("PMP-100", 3)] == 10
    assert releases[("SEAL-A", 1)] == 10 and ("SEAL-A", 3) not in releases, "revision A ends before week 3"
    assert releases[("SEAL-B", 3)] == 10
    nuts = [qty for (item_id, _), qty in releases.items() if item_id == "NUT-M8"]
    assert sum(nuts) == 240 - 24, "a box of 12 per pump, 24 nuts on hand"
