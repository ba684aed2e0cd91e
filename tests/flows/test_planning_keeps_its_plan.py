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


def _plan(tmp_path, *demands: dict, periods: int = 6) -> None:
    demand = tmp_path / "demand.json"
    demand.write_text(json.dumps(list(demands)))
    result = CliRunner().invoke(build_app(), ["plan", "mrp", "--from-store", "--plant", "P1", "--start", "2026-11-30",
                                              "--periods", str(periods), "--demand", str(demand), "--json"])
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


def _pump_orders_and_seals_due_in_week_3(hub) -> None:
    """The pump plant with two pump orders started but due after the horizon (both use the
    seal), and 30 more seals on order, promised for week 3."""
    _pump_plant(hub)
    hub.intake.ingest([
        *(envelope("production.released", {"order_id": order, "item_id": "PUMP", "qty": 10, "plant_id": "P1",
                                           "status": "released", "start_date": start, "due_date": due},
                   source="erp", time="2026-11-23T08:00:00Z")
          for order, start, due in (("WO-1", "2026-12-02", "2027-02-01"), ("WO-2", "2026-12-09", "2027-02-08"))),
        envelope("po.created", {"po_number": "4500000002", "supplier_id": "S1", "status": "sent", "lines": [
            {"line_no": 10, "item_id": "SEAL", "qty": 30, "uom": "C62", "need_date": "2026-12-14",
             "promised_date": "2026-12-14"}]}, source="erp", time="2026-11-23T09:00:00Z"),
    ])


def _acknowledged(hub, qty: int, promised: str, code: str) -> str:
    """The supplier's acknowledgement of the 30 seals of week 3: the planner's message it raises."""
    hub.intake.ingest([envelope("po.acknowledged", {
        "po_number": "4500000002", "ack_id": "ACK-1", "ack_type": "accepted_with_changes",
        "lines": [{"line_no": 10, "status": "changed", "qty": qty, "uom": "C62", "promised_date": promised}]},
        source="supplier", time="2026-11-24T08:00:00Z")])
    [raised] = [x for x in hub.exceptions.list(role="planner") if x["codes"] == [code]]
    assert raised["entity_key"] == "PO:4500000002#10"
    return raised["reasons"][0]["message"]


def _seals_promised_a_week_later(hub) -> str:
    return _acknowledged(hub, 30, "2026-12-21", "PO_PROMISED_LATE")


def _line_pegging(hub) -> dict[tuple, list[tuple]]:
    with hub.store.reading() as read:
        return {(p["plant_id"], p["status"]): [(o["kind"], o["order"], o["need_date"], o["qty"]) for o in p["orders"]]
                for p in read.entities_of_ref("plan_pegging", "4500000002")}


SO_3 = {"item_id": "PUMP", "due_date": "2026-12-21", "qty": 10, "ref": "SO-3"}  # pumps started in week 3
SO_4 = {"item_id": "PUMP", "due_date": "2027-01-04", "qty": 5, "ref": "SO-4"}  # pumps started in week 5


def test_a_late_promise_names_the_orders_the_kept_plan_pegs_to_the_line_and_only_those_it_makes_late(
        make_hub, database_url, tmp_path, monkeypatch):
    hub = make_hub()
    _pump_orders_and_seals_due_in_week_3(hub)
    monkeypatch.setenv("MFGSYNC_DATABASE_URL", database_url)
    _plan(tmp_path, SO_3, SO_4)
    # the 30 seals of week 3 serve both planned pump orders, first in first out; the rest is excess
    assert _line_pegging(hub) == {("P1", "current"): [("planned_order", "req:PUMP@P1#2026-12-21", "2026-12-14", 10),
                                           ("planned_order", "req:PUMP@P1#2027-01-04", "2026-12-28", 5)]}

    message = _seals_promised_a_week_later(hub)
    assert "orders the plan of P1 pegs to it whose material is late: " \
           "planned order req:PUMP@P1#2026-12-21 (10 C62, needed 2026-12-14)" in message
    assert "2027-01-04" not in message, "the pumps started after the new promise still get their seals in time"
    assert "WO-1" not in message and "WO-2" not in message, "orders the plan does not peg to the line are not named"


def test_without_a_kept_plan_a_late_promise_names_every_open_order_using_the_item(make_hub, tmp_path):
    hub = make_hub()
    _pump_orders_and_seals_due_in_week_3(hub)
    assert "production orders whose material is late: WO-1, WO-2" in _seals_promised_a_week_later(hub)


def test_a_reduced_quantity_names_what_the_shortfall_takes_beyond_the_plans_stock_latest_need_first(
        make_hub, database_url, tmp_path, monkeypatch):
    hub = make_hub()
    _pump_orders_and_seals_due_in_week_3(hub)
    monkeypatch.setenv("MFGSYNC_DATABASE_URL", database_url)
    _plan(tmp_path, SO_3, SO_4)  # 10 and 5 of the 30 seals pegged to the pump orders, 15 excess
    message = _acknowledged(hub, 12, "2026-12-14", "PO_QTY_REDUCED")  # 18 short: 15 of stock, then 3
    assert message.endswith("whose material is late: planned order req:PUMP@P1#2027-01-04 (3 C62, needed 2026-12-28)")


def test_planning_again_replaces_the_pegging_and_withdraws_a_line_it_no_longer_plans_with(
        make_hub, database_url, tmp_path, monkeypatch):
    hub = make_hub()
    _pump_orders_and_seals_due_in_week_3(hub)
    monkeypatch.setenv("MFGSYNC_DATABASE_URL", database_url)
    _plan(tmp_path, SO_3, SO_4)
    _plan(tmp_path, SO_4)  # SO-3 was cancelled
    assert _line_pegging(hub) == {("P1", "current"): [("planned_order", "req:PUMP@P1#2027-01-04", "2026-12-28", 5)]}
    _plan(tmp_path, SO_4, periods=2)  # a plan of two weeks does not reach the seals of week 3
    assert _line_pegging(hub) == {("P1", "withdrawn"): []}
    assert "production orders whose material is late: WO-1, WO-2" in _seals_promised_a_week_later(hub), \
        "a withdrawn pegging names the orders using the item"
