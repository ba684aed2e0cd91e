"""The demo pump plant as a story: its first day through the pipeline, again, and its live traffic."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

import mfgsync.demo
from mfgsync.app import build_hub
from mfgsync.demo import demo_settings, feed_live_traffic, live_messages, plant_jsonl, plant_messages

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc).timestamp()
# The mistakes the live traffic makes, one every second cycle, in turn.
LIVE_REASONS = {"STOCK_NEGATIVE", "ITEM_UNKNOWN", "UOM_NO_CONVERSION", "NOT_SYSTEM_OF_RECORD"}


@pytest.fixture
def hub(tmp_path):
    hub = build_hub(demo_settings(tmp_path), f"sqlite:///{tmp_path}/hub.db")
    yield hub
    hub.close()


def recorded(tmp_path: Path) -> list[dict]:
    return [json.loads(line) for line in (tmp_path / "demo" / "recording.jsonl").read_text().splitlines()]


from tests.support.state import arrivals, entity  # noqa: E402


def test_the_demo_day_fed_twice_is_all_duplicates_the_second_time_and_recorded_once(hub, tmp_path):
    first = hub.intake.ingest(plant_messages())
    hub.worker.run_until_idle()
    once = recorded(tmp_path)

    second = hub.intake.ingest(plant_messages())
    hub.worker.run_until_idle()

    assert first.accepted > 0
    assert second.duplicates == second.total == len(plant_messages())
    assert recorded(tmp_path) == once
    assert len({r["key"] for r in once}) == len(once)
    envelope_ids = [(r["envelope"]["source"], r["envelope"]["id"]) for r in once]
    assert len(set(envelope_ids)) == len(envelope_ids)


def test_nuts_received_in_boxes_are_counted_in_pieces(hub):
    hub.intake.ingest(plant_messages())
    with hub.store.reading() as read:
        [nuts] = [b for b in read.balances("NUT-M8") if b["location_id"] == "MAIN" and b["status"] == "available"]
    used = 6 * 10 + 8 * 8  # ten housings and eight pumps
    assert (nuts["qty"], nuts["uom"]) == (60 * 12 - used, "C62")


def test_the_pump_bom_has_two_released_revisions_the_second_from_the_eco_date(hub):
    hub.intake.ingest(plant_messages())
    revision_b = entity(hub, "BOMREV:PMP-100@P1#B")
    assert entity(hub, "BOMREV:PMP-100@P1#A") is not None
    assert revision_b["effective_from"] == "2026-12-01"
    assert {line["component_id"] for line in revision_b["lines"]} >= {"IMP-200", "HSG-300"}


def test_every_demo_message_is_stamped_in_utc():
    times = [m["time"] for m in plant_messages() if isinstance(m, dict)]
    assert times and all(t.endswith("Z") for t in times)


def test_the_shipped_demo_file_is_the_demo_plant_line_for_line():
    shipped = Path(mfgsync.demo.__file__).with_name("pump_plant.jsonl").read_text(encoding="utf-8")
    assert shipped == plant_jsonl(), "regenerate it: python -m mfgsync.demo src/mfgsync/demo/pump_plant.jsonl"


def test_live_traffic_quarantines_only_its_deliberate_mistakes(hub):
    hub.intake.ingest(plant_messages())
    # A cycle is 16 messages (restock 5, production 6, an order's 5), with an ECO's 2 every
    # third cycle and a mistake every second: eight cycles are 136.
    eight_cycles = list(live_messages(lambda: NOW, limit=136))
    report = hub.intake.ingest(eight_cycles)
    assert report.by_reason == Counter({code: 1 for code in LIVE_REASONS})
    assert report.accepted == len(eight_cycles) - len(LIVE_REASONS)
    assert entity(hub, "BOMREV:PMP-100@P1#D") is not None  # two engineering changes released


def test_the_first_day_releases_a_pump_family_of_about_sixty_items_in_two_plants(hub):
    hub.intake.ingest(plant_messages())
    with hub.store.reading() as read:
        items = read.entities_of_type("item")
    assert 55 <= len(items) <= 65
    assert entity(hub, "BOMREV:PMP-150@P2#A") is not None and entity(hub, "BOMREV:MOT-150@P1#A") is not None
    motor = entity(hub, "BOMREV:MOT-150@P1#A")["lines"][0]["component_id"]
    assert entity(hub, f"ITEM:{motor}")["item_type"] == "buy", "pump, motor assembly, bought part: three levels"


def test_each_of_the_five_suppliers_is_ordered_from_on_its_channel_and_delivers(hub, tmp_path):
    hub.intake.ingest(plant_messages())
    hub.worker.run_until_idle()
    orders = [entity(hub, f"PO:45000000{n:02d}") for n in range(1, 6)]
    assert {o["supplier_id"] for o in orders} == {"NORTHFAST", "BEARWELL", "SEALTEC", "ELMOTEC", "STEELCO"}
    assert {o["status"] for o in orders} == {"received"}
    sent = sorted(p.name for p in (tmp_path / "demo" / "edi").rglob("*.edi"))
    assert sent == ["bearwell-000000001-order.edi", "elmotec-000000001-order.edi",
                    "northfast-000000001-order.edi", "sealtec-000000001-order.edi"], "X12 and EDIFACT out"
    assert hub.exceptions.list(kind="workflow") == [], "acknowledged and shipped in time: nothing overdue"


def test_live_traffic_orders_from_each_supplier_in_turn(hub):
    hub.intake.ingest(plant_messages())
    report = hub.intake.ingest(live_messages(lambda: NOW, limit=136))
    hub.worker.run_until_idle()
    with hub.store.reading() as read:
        live = [o for o in read.entities_of_type("purchase_order") if o["po_number"].startswith("PO-")]
    assert len(live) == 8 and {o["status"] for o in live} == {"received"}
    assert len({o["supplier_id"] for o in live}) == 5 and report.quarantined == 4


def test_a_restarted_demo_sends_new_live_messages_not_duplicates(hub):
    hub.intake.ingest(plant_messages())
    hub.intake.ingest(live_messages(lambda: NOW, limit=40))
    restarted = hub.intake.ingest(live_messages(lambda: NOW + 60, limit=40))
    assert restarted.duplicates == 0
    assert restarted.accepted > 0


def test_live_traffic_stops_at_its_limit(hub):
    stop = threading.Event()
    feed_live_traffic(hub.intake, stop, lambda: NOW, interval=0, limit=5)
    assert arrivals(hub) == 5


def test_live_traffic_stops_with_the_server(hub):
    stop = threading.Event()
    feeder = threading.Thread(target=feed_live_traffic, args=(hub.intake, stop, lambda: NOW), kwargs={"interval": 30})
    feeder.start()
    stop.set()
    feeder.join(timeout=2)
    assert not feeder.is_alive()
