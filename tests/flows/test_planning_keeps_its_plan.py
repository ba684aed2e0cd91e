"""Planning from the store keeps its plan there: planned orders as requisition proposals the
replenishment workflow can act on, MRP messages as planner exceptions; planning again replaces
the plant's proposals and raises nothing twice."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from mfgsync.cli import build_app
from tests.support.messages import envelope, item


def _pump_plant(hub) -> None:
    """A pump of one seal, made in a week; 40 seals on order, promised for week 5."""
    hub.intake.ingest([
        envelope("item.upserted", item("PUMP", "Pump", item_type="make")),
        envelope("item.upserted", item("SEAL", "Seal", item_type="buy")),
        envelope("item.upserted", {"item_id": "PUMP", "lead_time_days": 7}, source="erp", time="2026-11-22T10:30:00Z"),
        envelope("bom.released", {"item_id": "PUMP", "revision": "A", "plant_id": "P1", "effective_from": "2026-11-30",
                                  "lines": [{"line_no": 10, "component_id": "SEAL", "qty_per": 1, "uom": "C62"}]}),
        envelope("supplier.upserted", {"supplier_id": "S1", "name": "Seals Inc"}, source="erp"),
        envelope("po.created", {"po_number": "4500000001", "supplier_id": "S1", "status": "sent", "lines": [
            {"line_no": 10, "item_id": "SEAL", "qty": 40, "uom": "C62", "need_date": "2026-12-28",
             "promised_date": "2026-12-28"}]}, source="erp", time="2026-11-22T12:30:00Z"),
    ])
    assert [e["reasons"] for e in hub.exceptions.list()] == []


def _plan(tmp_path, *demands: dict) -> None:
    demand = tmp_path / "demand.json"
    demand.write_text(json.dumps(list(demands)))
    result = CliRunner().invoke(build_app(), ["plan", "mrp", "--from-store", "--plant", "P1", "--start", "2026-11-30",
                                              "--periods", "6", "--demand", str(demand), "--json"])
    assert result.exit_code == 0, result.stderr
    json.loads(result.stdout)


def _requisitions(hub) -> dict[str, tuple]:
    with hub.store.reading() as read:
        return {r["key"]: (r["qty"], r["status"]) for r in read.entities_of_type("requisition")}


def _planner_queue(hub) -> list[tuple]:
    return sorted((x["codes"], x["entity_key"]) for x in hub.exceptions.list(role="planner"))


SO_1 = {"item_id": "PUMP", "due_date": "2026-11-30", "qty": 10, "ref": "SO-1"}
SO_2 = {"item_id": "PUMP", "due_date": "2026-12-14", "qty": 5, "ref": "SO-2"}


def test_planning_from_the_store_keeps_requisition_proposals_and_planner_exceptions_once(
        make_hub, database_url, tmp_path, monkeypatch):
    hub = make_hub()
    _pump_plant(hub)
    monkeypatch.setenv("MFGSYNC_DATABASE_URL", database_url)
    _plan(tmp_path, SO_1, SO_2)
    proposals = {"req:PUMP@P1#2026-11-30": ("10", "proposed"), "req:PUMP@P1#2026-12-14": ("5", "proposed"),
                 "req:SEAL@P1#2026-11-30": ("10", "proposed"), "req:SEAL@P1#2026-12-07": ("5", "proposed")}
    # the pumps due in week 1 should have started the week before; the seals on order come too late
    queue = [(["MRP_EXPEDITE"], "mrp:expedite:SEAL@P1#2026-12-28/PO 4500000001/10"),
             (["MRP_PAST_DUE"], "mrp:past_due:PUMP@P1#2026-11-30")]
    assert (_requisitions(hub), _planner_queue(hub)) == (proposals, queue)

    _plan(tmp_path, SO_1, SO_2)
    assert (_requisitions(hub), _planner_queue(hub)) == (proposals, queue), "the same plan is kept once"


def test_planning_again_withdraws_the_proposals_no_longer_planned(make_hub, database_url, tmp_path, monkeypatch):
    hub = make_hub()
    _pump_plant(hub)
    monkeypatch.setenv("MFGSYNC_DATABASE_URL", database_url)
    _plan(tmp_path, SO_1, SO_2)
    _plan(tmp_path, {**SO_1, "qty": 12})  # SO-2 was cancelled, SO-1 grew
    assert _requisitions(hub) == {"req:PUMP@P1#2026-11-30": ("12", "proposed"),
                                  "req:PUMP@P1#2026-12-14": ("5", "withdrawn"),
                                  "req:SEAL@P1#2026-11-30": ("12", "proposed"),
                                  "req:SEAL@P1#2026-12-07": ("5", "withdrawn")}


def test_planning_again_resolves_the_planner_exceptions_the_new_plan_no_longer_raises(
        make_hub, database_url, tmp_path, monkeypatch):
    hub = make_hub()
    _pump_plant(hub)
    monkeypatch.setenv("MFGSYNC_DATABASE_URL", database_url)
    _plan(tmp_path, SO_1, SO_2)
    assert [code for code, _ in _planner_queue(hub)] == [["MRP_EXPEDITE"], ["MRP_PAST_DUE"]]
    # the customer moved the order to week 6: the pumps start in week 5, when the seals on order come
    _plan(tmp_path, {**SO_2, "due_date": "2027-01-04"})
    assert _planner_queue(hub) == [], "nothing the new plan does not raise is left open"
    closed = {x["entity_key"]: (x["status"], x["resolved_by"]) for x in hub.exceptions.list(status="all", role="planner")}
    assert closed == {"mrp:expedite:SEAL@P1#2026-12-28/PO 4500000001/10": ("resolved", "planner"),
                      "mrp:past_due:PUMP@P1#2026-11-30": ("resolved", "planner")}
    _plan(tmp_path, SO_1, SO_2)
    assert [code for code, _ in _planner_queue(hub)] == [["MRP_EXPEDITE"], ["MRP_PAST_DUE"]], \
        "raised again once the plan raises them again"
