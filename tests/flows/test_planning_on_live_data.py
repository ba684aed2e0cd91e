"""Planning on what the hub holds: the same engine, fed from the store's current state."""

from __future__ import annotations

import json
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


def _plan_command(*options: str) -> dict:
    from typer.testing import CliRunner

    from mfgsync.cli import build_app

    result = CliRunner().invoke(build_app(), ["plan", "mrp", *options, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _the_plan(output: dict) -> tuple:
    """What a planner acts on, independent of the order items were listed in."""
    orders = sorted(tuple(o.values()) for o in output["planned_orders"])
    exceptions = sorted((e["item_id"], e["kind"], e["period"]) for e in output["exceptions"])
    return orders, output["records"], exceptions


def test_planning_from_the_store_gives_the_plan_of_the_same_data_written_as_an_input_file(
        make_hub, database_url, tmp_path, monkeypatch):
    hub = make_hub()
    hub.intake.ingest([
        envelope("item.upserted", item("PUMP", "Pump", item_type="make")),
        envelope("item.upserted", item("SEAL-A", "Seal A", item_type="buy")),
        envelope("item.upserted", item("SEAL-B", "Seal B", item_type="buy")),
        envelope("item.upserted", {"item_id": "PUMP", "lead_time_days": 7}, source="erp", time="2026-11-22T10:30:00Z"),
        envelope("item.upserted", {"item_id": "SEAL-A", "lead_time_days": 14}, source="erp", time="2026-11-22T10:30:00Z"),
        envelope("item.upserted", {"item_id": "SEAL-B", "lead_time_days": 14}, source="erp", time="2026-11-22T10:30:00Z"),
        # revision A plans weeks 1-2, revision B (two seals of the new kind) from week 3
        envelope("bom.released", {"item_id": "PUMP", "revision": "A", "plant_id": "P1", "effective_from": "2026-11-30",
                                  "effective_to": "2026-12-13", "lines": [_line(10, "SEAL-A", 1)]}),
        envelope("bom.released", {"item_id": "PUMP", "revision": "B", "plant_id": "P1", "effective_from": "2026-12-14",
                                  "lines": [_line(10, "SEAL-B", 2)]}, time="2026-11-22T11:00:00Z"),
        envelope("inventory.moved", {"movement_id": "R1", "kind": "receipt", "item_id": "SEAL-A", "qty": 5,
                                     "uom": "C62", "plant_id": "P1", "to_location": "A1", "lot_id": "L1"}, source="wms"),
        # 100 new seals arrive in a lot already on quality hold: none of them can be planned on
        envelope("quality.hold", {"hold_id": "H1", "item_id": "SEAL-B", "lot_id": "L9", "reason": "burrs"}, source="wms"),
        envelope("inventory.moved", {"movement_id": "R2", "kind": "receipt", "item_id": "SEAL-B", "qty": 100,
                                     "uom": "C62", "plant_id": "P1", "to_location": "A1", "lot_id": "L9"}, source="wms",
                 time="2026-11-22T12:00:00Z"),
        envelope("supplier.upserted", {"supplier_id": "S1", "name": "Seals Inc"}, source="erp"),
        envelope("po.created", {"po_number": "4500000001", "supplier_id": "S1", "status": "sent", "lines": [
            {"line_no": 10, "item_id": "SEAL-B", "qty": 30, "uom": "C62", "need_date": "2026-12-14",
             "promised_date": "2026-12-21"}]}, source="erp", time="2026-11-22T12:30:00Z"),
        envelope("production.released", {"order_id": "MO-1", "item_id": "PUMP", "qty": 4, "plant_id": "P1",
                                         "bom_revision": "A", "status": "released", "start_date": "2026-11-30",
                                         "due_date": "2026-12-07"}, source="erp", time="2026-11-22T13:00:00Z"),
    ])
    assert [e["reasons"] for e in hub.exceptions.list()] == []
    demand = tmp_path / "demand.json"
    demand.write_text(json.dumps([{"item_id": "PUMP", "due_date": "2026-12-08", "qty": 10, "ref": "SO-1"},
                                  {"item_id": "PUMP", "due_date": "2026-12-22", "qty": 10, "ref": "SO-2"}]))
    monkeypatch.setenv("MFGSYNC_DATABASE_URL", database_url)
    from_store = _plan_command("--from-store", "--plant", "P1", "--start", "2026-11-30", "--periods", "6",
                               "--demand", str(demand))

    same_data = tmp_path / "plan.json"
    same_data.write_text(json.dumps({
        "periods": 6,
        "items": [{"item_id": "PUMP", "lead_time": 1}, {"item_id": "SEAL-A", "lead_time": 2, "on_hand": 5},
                  {"item_id": "SEAL-B", "lead_time": 2}],
        "boms": [{"parent": "PUMP", "component": "SEAL-A", "qty_per": 1, "to_period": 2},
                 {"parent": "PUMP", "component": "SEAL-B", "qty_per": 2, "from_period": 3}],
        "scheduled_receipts": [{"item_id": "SEAL-B", "period": 4, "qty": 30}, {"item_id": "PUMP", "period": 2, "qty": 4}],
        # MO-1, released on revision A, has still to take its 4 seals A when it starts in week 1
        "demand": [{"item_id": "PUMP", "period": 2, "qty": 10}, {"item_id": "PUMP", "period": 4, "qty": 10},
                   {"item_id": "SEAL-A", "period": 1, "qty": 4}]}))
    from_file = _plan_command("--input", str(same_data))
    assert _the_plan(from_store) == _the_plan(from_file)
    assert from_store["records"]["SEAL-B"]["projected"][0] == 0, "the held lot is not on hand"
    # 6 pumps short in week 2 are started in week 1 on revision A, 10 in week 4 in week 3 on B;
    # in week 1 the released MO-1 takes its own 4 seals A besides
    assert from_store["records"]["SEAL-A"]["gross"] == [6 + 4, 0, 0, 0, 0, 0]
    assert from_store["records"]["SEAL-B"]["gross"] == [0, 0, 20, 0, 0, 0]
