"""Stories of MRP-driven replenishment that follows the shop floor: a plant whose stock moved is
planned again on the hub's data at the end of the window, once however many movements it held,
and a bought item whose net requirement turned positive is ordered once."""

from __future__ import annotations

import json

from tests.conftest import FakeClock
from tests.support.shop_floor import bought_seals, items, movement

WINDOW = 300
CONFIG = f"replenishment: {{auto_approve_up_to: 100, plan_after_movements_seconds: {WINDOW}}}"
T0 = 1_800_000_000 + 10  # ten seconds into a window


def _seal_plant(make_hub):
    clock = FakeClock(T0)
    hub = make_hub(CONFIG, clock=clock)
    outcome = hub.intake.ingest(bought_seals(60))
    assert outcome.quarantined == 0, hub.exceptions.list()
    return hub, clock


def _requisitions(hub) -> list[dict]:
    with hub.store.reading() as read:
        return read.entities_of_type("purchase_requisition")


def _plans_run(hub) -> list[dict]:
    with hub.store.reading() as read:
        return [json.loads(row[5]) for row in read.audit_rows() if row[3] == "replenishment.planned"]


def test_a_consumption_below_safety_stock_is_ordered_once_when_the_window_closes(make_hub):
    hub, clock = _seal_plant(make_hub)
    hub.intake.ingest([movement("C-1", "consumption", "SEAL", 15), movement("C-2", "consumption", "SEAL", 5)])
    hub.worker.run_until_idle()
    assert _requisitions(hub) == [] and _plans_run(hub) == [], "the window is still open"

    clock.advance(WINDOW)
    hub.worker.run_until_idle()
    [requisition] = _requisitions(hub)
    assert (requisition["item_id"], requisition["plant_id"], requisition["qty"], requisition["supplier_id"]) == \
        ("SEAL", "P1", 100, "S1"), "40 left of a safety stock of 50: the supplier's minimum of 100"
    assert requisition["trigger"].startswith("MRP net requirement")
    assert _plans_run(hub) == [{"planned_now": 1, "requisitions": 1}], "one plan for the two consumptions"


def test_each_window_with_movements_plans_once_and_orders_nothing_the_plan_already_covers(make_hub):
    hub, clock = _seal_plant(make_hub)
    hub.intake.ingest([movement("C-1", "consumption", "SEAL", 20)])
    clock.advance(WINDOW)
    hub.worker.run_until_idle()
    hub.intake.ingest([movement("C-2", "consumption", "SEAL", 5)])
    hub.intake.ingest([movement("C-2", "consumption", "SEAL", 5)])  # the same consumption received twice
    clock.advance(WINDOW)
    hub.worker.run_until_idle()
    assert len(_requisitions(hub)) == 1, "the approved order of 100 covers the next 5"
    assert [run["requisitions"] for run in _plans_run(hub)] == [1, 0]
    clock.advance(3 * WINDOW)
    hub.worker.run_until_idle()
    assert len(_plans_run(hub)) == 2, "no movement, no plan"


def test_without_the_setting_only_a_person_plans(make_hub):
    clock = FakeClock(T0)
    hub = make_hub("replenishment: {auto_approve_up_to: 100}", clock=clock)
    hub.intake.ingest([*items(("SEAL", "C62"), item_type="buy", safety_stock=50),
                       movement("R-1", "receipt", "SEAL", 10)])
    clock.advance(2 * WINDOW)
    hub.worker.run_until_idle()
    assert _plans_run(hub) == [] and _requisitions(hub) == []
    assert hub.exceptions.list(kind="dead_letter") == [], "nothing was scheduled for a planner that is not there"
