"""Workflows speak in effects: an applied event may emit commands under business keys, raise
exceptions for a role and schedule effects for later; the pipeline persists them with the event
and delivers or fires them once. These stories run on the memory store, as a workflow's unit
tests would, and on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mfgsync import queries
from mfgsync.app import build_hub
from mfgsync.config import parse_settings
from mfgsync.connectors.memory import MemoryConnector
from mfgsync.envelope import EventType
from mfgsync.model import keys
from mfgsync.store import open_store
from mfgsync.workflows.effects import Emit, Raise, ScheduleAt
from mfgsync.workflows.routes import ROUTES
from tests.conftest import FakeClock
from tests.support.messages import bom, envelope, item

CONFIG = "systems: {erp: {kind: memory}}"
EFFECTIVE = datetime(2026, 12, 15, tzinfo=timezone.utc)


def switch_default_bom_on_its_effective_date(event, state):
    """A toy engineering-change workflow: publish the revision now, make it the default later."""
    b = event.entity
    key = f"erp:bom:{b.item_id}@{b.plant_id or '*'}#{b.revision}"
    stream = keys.bom(b.item_id, b.plant_id)
    return [Emit("erp", "bom.publish", key, {"item_id": b.item_id, "revision": b.revision}, stream),
            Raise("BOM_REVIEW", "engineering", f"review revision {b.revision} of {b.item_id}", stream),
            ScheduleAt(EFFECTIVE, Emit("erp", "bom.make_default", f"{key}:default",
                                       {"item_id": b.item_id, "revision": b.revision}, stream))]


ROUTES_WITH_SWITCH = {**ROUTES, EventType.bom_released: (*ROUTES[EventType.bom_released],
                                                         switch_default_bom_on_its_effective_date)}


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/hub.db"
    return request.getfixturevalue("postgres_url")


def _hub(store, clock):
    erp = MemoryConnector()
    return build_hub(parse_settings(CONFIG), store=store, clock=clock, connectors={"erp": erp},
                     routes=ROUTES_WITH_SWITCH), erp


def test_a_release_emits_raises_and_schedules_and_the_schedule_fires_once_after_a_restart(store_url):
    store = open_store(store_url)
    clock = FakeClock(datetime(2026, 12, 1, tzinfo=timezone.utc).timestamp())
    hub, erp = _hub(store, clock)
    hub.intake.ingest([envelope("item.upserted", item("PMP-100")), envelope("item.upserted", item("BOLT")),
                       envelope("bom.released", bom("PMP-100", "B", {"BOLT": 4}), correlationid="ECO-42"),
                       # the same release re-sent under another id: the same effect, caused twice
                       envelope("bom.released", bom("PMP-100", "B", {"BOLT": 4}), correlationid="ECO-42",
                                time="2026-11-22T10:05:00Z")])
    hub.worker.run_until_idle()
    assert [(d.command, d.effect_key) for d in erp.received] == [("bom.publish", "erp:bom:PMP-100@*#B")], \
        "one effect caused twice is delivered once, before its date nothing is due"
    reviews = hub.exceptions.list(kind="workflow")
    assert [(r["owner_role"], r["codes"], r["correlation_id"]) for r in reviews] == \
        [("engineering", ["BOM_REVIEW"], "ECO-42")] * 2, "each release raises its review, for engineering"

    restarted, erp_after = _hub(store, clock)  # a new process on the same store: the schedule is kept
    clock.now = EFFECTIVE.timestamp() + 1
    restarted.worker.run_until_idle()
    restarted.worker.run_until_idle()
    assert [d.command for d in erp_after.received] == ["bom.make_default"], "fired once when due"
    kinds = [node["kind"] for node in queries.lineage(store, "ECO-42")["nodes"]]
    assert {"message", "effect", "delivery", "exception", "schedule"} <= set(kinds)
    store.close()


def test_an_erp_planning_update_older_than_the_last_engineering_change_is_still_applied(store_url):
    store = open_store(store_url)
    hub, _ = _hub(store, FakeClock())
    hub.intake.ingest([envelope("item.upserted", item("PMP-100", "Pump rev C"), time="2026-11-22T10:00:01Z")])
    report = hub.intake.ingest([envelope("item.upserted", {"item_id": "PMP-100", "lead_time_days": 12},
                                         source="erp", time="2026-11-22T10:00:00Z")])
    stale = hub.intake.ingest([envelope("item.upserted", item("PMP-100", "Pump rev B"), time="2026-11-22T09:00:00Z")])
    with store.reading() as read:
        state = read.entity(keys.item("PMP-100"))
    assert report.accepted == 1 and state["lead_time_days"] == 12, "ERP owns planning: not stale against PLM"
    assert stale.stale == 1 and state["description"] == "Pump rev C", "within one domain, order still holds"
    store.close()
