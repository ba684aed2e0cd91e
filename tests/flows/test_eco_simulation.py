"""`eco simulate`: what an engineering change would do to open orders, before anything moves.
One plant, one pump, revision A to B effective 15 December: a seal is replaced by another, bolts
go from 8 to 6 per pump, the cable stays. Judged as of 1 December."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal

from mfgsync import queries
from mfgsync.model import entities as m
from tests.support.messages import bom, envelope, item
from tests.support.state import entity

E = "2026-12-15"


def _po(number: str, component: str, qty: int, need: str, promised: str | None = None, supplier: str = "SUP-A"):
    line = {"line_no": 1, "item_id": component, "qty": qty, "uom": "C62", "need_date": need}
    if promised:
        line["promised_date"] = promised
    return envelope("po.created", {"po_number": number, "supplier_id": supplier, "status": "approved",
                                   "lines": [line]}, source="erp")


def _order(order_id: str, status: str, start: str, qty: int):
    return envelope("production.released", {"order_id": order_id, "item_id": "PMP-100", "qty": qty, "plant_id": "P1",
                                            "bom_revision": "A", "status": status, "start_date": start}, source="erp")


def _receipt(movement_id: str, component: str, qty: int, lot: str | None = None):
    return envelope("inventory.moved", {"movement_id": movement_id, "kind": "receipt", "item_id": component, "qty": qty,
                                        "uom": "C62", "plant_id": "P1", "to_location": "A1", "lot_id": lot},
                    source="wms")


def _rule(supplier: str, priority: int, lead: int, valid_from: str | None = None):
    return envelope("sourcing.updated", {"item_id": "SEAL-B", "supplier_id": supplier, "priority": priority,
                                         "lead_time_days": lead, "valid_from": valid_from}, source="erp")


def plant_before_the_change():
    return [
        *(envelope("item.upserted", item(i)) for i in ("PMP-100", "SEAL-A", "SEAL-B", "BOLT", "CABLE")),
        *(envelope("supplier.upserted", {"supplier_id": s, "name": s}, source="supplier") for s in ("SUP-A", "SUP-B", "SUP-C")),
        envelope("bom.released", bom("PMP-100", "A", {"SEAL-A": 1, "BOLT": 8, "CABLE": 2}, plant_id="P1",
                                     status="released", effective_from="2026-11-01")),
        _order("PRD-1", "released", "2026-12-01", 10), _order("PRD-2", "planned", "2026-12-10", 10),
        _order("PRD-3", "planned", "2026-12-20", 10), _order("PRD-4", "planned", "2027-01-05", 20),
        _po("PO-1", "SEAL-A", 25, "2026-12-05"), _po("PO-2", "SEAL-A", 12, "2026-12-18"),
        _po("PO-3", "SEAL-A", 10, "2027-01-02"), _po("PO-4", "BOLT", 100, "2026-12-20"),
        _po("PO-5", "SEAL-B", 10, "2026-12-18", promised="2026-12-18"),
        _po("PO-6", "SEAL-B", 20, "2026-12-18", promised="2027-01-10"),
        _receipt("MV-1", "SEAL-B", 5),
        envelope("quality.hold", {"hold_id": "H-1", "item_id": "SEAL-B", "lot_id": "L9", "status": "held",
                                  "reason": "leak test"}, source="wms"),
        _receipt("MV-2", "SEAL-B", 50, lot="L9"),
        _rule("SUP-A", 2, 10), _rule("SUP-B", 1, 30), _rule("SUP-C", 0, 1, valid_from="2027-01-01"),
    ]


REVISION_B = bom("PMP-100", "B", {"SEAL-B": 1, "BOLT": 6, "CABLE": 2}, plant_id="P1", status="released",
                 effective_from=E)
ECO = {"eco_id": "ECO-42", "item_id": "PMP-100", "from_revision": "A", "to_revision": "B", "effective_from": E}


def _simulated(hub):
    assert hub.intake.ingest(plant_before_the_change()).quarantined == 0, hub.exceptions.list()
    return queries.eco_impact(hub.store, [m.Bom.model_validate(REVISION_B)], m.EngineeringChange.model_validate(ECO),
                              date(2026, 12, 1))


def test_released_orders_keep_their_revision_and_planned_ones_from_the_effective_date_move(make_hub):
    result = _simulated(make_hub())
    assert [(o["order_id"], o["action"], o["new_revision"]) for o in result["production_orders"]] == [
        ("PRD-1", "keep", "A"), ("PRD-2", "keep", "A"), ("PRD-3", "move", "B"), ("PRD-4", "move", "B")]
    [change] = result["boms"]
    assert (change["from_revision"], change["to_revision"]) == ("A", "B")
    assert {(c["component_id"], c["change"]) for c in change["changes"]} == {
        ("BOLT", "qty_changed"), ("SEAL-A", "removed"), ("SEAL-B", "added")}


def test_a_component_that_falls_away_cancels_and_splits_purchase_lines_latest_need_first(make_hub):
    actions = {(a["po_number"], a["action"], a["new_qty"]) for a in _simulated(make_hub())["purchase_actions"]
               if a["item_id"] == "SEAL-A"}
    # 30 seals fewer for the moving orders: PO-3 (10) and PO-2 (12) go; PO-1, needed before the
    # change, keeps the 20 the orders on revision A still need and gives up 5.
    assert actions == {("PO-3", "cancel", 0), ("PO-2", "cancel", 0), ("PO-1", "split", 20)}


def test_a_reduced_quantity_per_reduces_the_line_where_the_excess_runs_out(make_hub):
    [bolts] = [a for a in _simulated(make_hub())["purchase_actions"] if a["item_id"] == "BOLT"]
    assert (bolts["action"], bolts["open_qty"], bolts["new_qty"]) == ("reduce", 100, 40)


def test_a_new_component_short_by_its_need_date_is_at_risk_with_the_best_valid_supplier(make_hub):
    result = _simulated(make_hub())
    # 30 needed from 20 December: 5 on hand (the 50 on hold do not count) and 10 promised in time.
    assert result["at_risk"] == [{"item_id": "SEAL-B", "plant_id": "P1", "qty": 15, "need_date": "2026-12-20",
                                  "available_date": "2026-12-31", "days_late": 11, "supplier_id": "SUP-B"}]
    expedite = [(a["po_number"], a["action"]) for a in result["purchase_actions"] if a["item_id"] == "SEAL-B"]
    assert expedite == [("PO-6", "expedite")]
    roles = {(s["item_id"], s["role"], s["on_hand"]) for s in result["stock"]}
    assert roles == {("SEAL-A", "phase_out", 0), ("BOLT", "phase_out", 0), ("SEAL-B", "phase_in", 5)}


def test_simulate_from_the_command_line_writes_nothing(tmp_path):
    feed, change = tmp_path / "plant.jsonl", tmp_path / "eco.jsonl"
    feed.write_text("\n".join(json.dumps(e) for e in plant_before_the_change()) + "\n")
    change.write_text(json.dumps(envelope("eco.approved", ECO)) + "\n" +
                      json.dumps(envelope("bom.released", REVISION_B)) + "\n")
    env = {"PATH": "", "HOME": str(tmp_path)}
    cli = [sys.executable, "-m", "mfgsync.cli"]
    subprocess.run(cli + ["ingest", str(feed)], cwd=tmp_path, check=True, capture_output=True, env=env)
    run = subprocess.run(cli + ["eco", "simulate", str(change), "--as-of", "2026-12-01", "--json"], cwd=tmp_path,
                         capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["eco_id"] == "ECO-42" and result["effective_from"] == E and len(result["at_risk"]) == 1
    status = json.loads(subprocess.run(cli + ["get", "bom", "PMP-100", "--plant", "P1", "--json"], cwd=tmp_path,
                                       capture_output=True, text=True, env=env).stdout)
    assert status["revision"] == "A", "simulating applied nothing"


def test_applying_the_eco_routes_each_purchase_action_and_risk_to_who_must_act(make_hub):
    hub = make_hub()
    assert hub.intake.ingest(plant_before_the_change()).quarantined == 0
    hub.intake.ingest([envelope("eco.approved", ECO, correlationid="ECO-42", time="2026-12-01T09:00:00Z"),
                       envelope("bom.released", REVISION_B, correlationid="ECO-42", time="2026-12-01T09:00:10Z")])
    raised = sorted((e["owner_role"], e["codes"][0], e["entity_key"]) for e in hub.exceptions.list(kind="workflow")
                    if e["codes"][0].startswith("ECO_"))  # the plant's shortfalls are the planner's before it
    assert raised == [("planner", "ECO_SUPPLY_AT_RISK", "ITEM:SEAL-B"),
                      ("supply_chain", "ECO_PO_CANCEL", "PO:PO-2"), ("supply_chain", "ECO_PO_CANCEL", "PO:PO-3"),
                      ("supply_chain", "ECO_PO_EXPEDITE", "PO:PO-6"), ("supply_chain", "ECO_PO_REDUCE", "PO:PO-4"),
                      ("supply_chain", "ECO_PO_SPLIT", "PO:PO-1")]
    assert {e["correlation_id"] for e in hub.exceptions.list(kind="workflow") if e["codes"][0].startswith("ECO_")} \
        == {"ECO-42"}


def test_planned_orders_from_the_effective_date_move_to_the_new_revision_and_mes_is_told(make_hub):
    from mfgsync.connectors.memory import MemoryConnector
    mes = MemoryConnector()
    hub = make_hub("systems: {mes: {kind: memory}}\nsubscriptions: {bom.released: [mes]}", connectors={"mes": mes})
    assert hub.intake.ingest(plant_before_the_change()).quarantined == 0
    hub.intake.ingest([envelope("eco.approved", ECO, correlationid="ECO-42", time="2026-12-01T09:00:00Z"),
                       envelope("bom.released", REVISION_B, correlationid="ECO-42", time="2026-12-01T09:00:10Z")])
    revisions = {o: entity(hub, f"PROD:{o}")["bom_revision"] for o in ("PRD-1", "PRD-2", "PRD-3", "PRD-4")}
    assert revisions == {"PRD-1": "A", "PRD-2": "A", "PRD-3": "B", "PRD-4": "B"}
    hub.worker.run_until_idle()
    [notice] = [json.loads(d.payload) for d in mes.received if d.command == "production.orders_moved"]
    assert [(o["order_id"], o["from_revision"], o["to_revision"]) for o in notice["orders"]] == [
        ("PRD-3", "A", "B"), ("PRD-4", "A", "B")]
    assert [d.command for d in mes.received] == ["deliver", "deliver", "production.orders_moved"], \
        "after the ECO and the revision themselves"


def _requisition_planned(hub, component: str, qty: int, due: str) -> str:
    """A requisition the plan of the hub's data proposed and nobody has ordered yet."""
    from decimal import Decimal

    from mfgsync.pipeline.plan_results import keep_plan
    from mfgsync.planning.proposals import RequisitionProposal
    key = f"req:{component}@P1#{due}"
    keep_plan(hub.store, "P1", [RequisitionProposal(key, component, "P1", Decimal(qty), date.fromisoformat(due),
                                                    date.fromisoformat(due), 0, 0)], [], hub.clock, "planner")
    return key


def test_an_open_requisition_of_a_component_that_falls_away_is_taken_off_before_the_purchase_lines(make_hub):
    hub = make_hub()
    assert hub.intake.ingest(plant_before_the_change()).quarantined == 0
    req = _requisition_planned(hub, "SEAL-A", 8, "2027-01-10")
    result = queries.eco_impact(hub.store, [m.Bom.model_validate(REVISION_B)], m.EngineeringChange.model_validate(ECO),
                                date(2026, 12, 1))
    actions = {(a["po_number"] or a["requisition_id"], a["action"], a["new_qty"]) for a in result["purchase_actions"]
               if a["item_id"] == "SEAL-A"}
    # The 30 seals fewer: the requisition, due latest, goes first (8), then PO-3 (10) and PO-2 (12);
    # PO-1 is left with exactly what the orders on revision A still need.
    assert actions == {(req, "cancel", 0), ("PO-3", "cancel", 0), ("PO-2", "cancel", 0), ("PO-1", "keep", 25)}
    [seal_a] = [s for s in result["stock"] if s["item_id"] == "SEAL-A"]
    assert seal_a["on_order"] == 25 + 12 + 10 + 8


def test_applying_the_eco_sends_the_requisition_action_to_supply_chain_against_the_requisition(make_hub):
    hub = make_hub()
    assert hub.intake.ingest(plant_before_the_change()).quarantined == 0
    req = _requisition_planned(hub, "BOLT", 30, "2027-01-08")
    hub.intake.ingest([envelope("eco.approved", ECO, correlationid="ECO-42", time="2026-12-01T09:00:00Z"),
                       envelope("bom.released", REVISION_B, correlationid="ECO-42", time="2026-12-01T09:00:10Z")])
    bolts = sorted((e["codes"][0], e["entity_key"]) for e in hub.exceptions.list(kind="workflow")
                   if "BOLT" in e["reasons"][0]["message"] and e["codes"][0].startswith("ECO_"))
    # 60 bolts fewer: the requisition (30) is cancelled, PO-4 reduced from 100 to 70.
    assert bolts == [("ECO_PO_REDUCE", "PO:PO-4"), ("ECO_REQUISITION_CANCEL", req)]


def test_a_requisition_withdrawn_by_a_later_plan_is_no_longer_open_supply(make_hub):
    from mfgsync.pipeline.plan_results import keep_plan
    hub = make_hub()
    assert hub.intake.ingest(plant_before_the_change()).quarantined == 0
    _requisition_planned(hub, "SEAL-A", 8, "2027-01-10")
    keep_plan(hub.store, "P1", [], [], hub.clock, "planner")  # re-planned: nothing needed any more
    result = queries.eco_impact(hub.store, [m.Bom.model_validate(REVISION_B)], m.EngineeringChange.model_validate(ECO),
                                date(2026, 12, 1))
    assert not any("requisition_id" in a for a in result["purchase_actions"])


def test_a_requisition_replenishment_raised_and_no_order_took_up_is_open_supply_too(make_hub):
    hub = make_hub()
    assert hub.intake.ingest(plant_before_the_change()).quarantined == 0
    hub.intake.ingest([envelope("item.upserted", {"item_id": "SEAL-A", "reorder_point": 100, "lot_rule": "lot_for_lot"},
                                source="erp"),
                       _receipt("MV-7", "SEAL-A", 20)])  # below its reorder point: replenishment asks for more
    with hub.store.reading() as read:
        [raised] = read.entities_of_type("purchase_requisition")
    result = queries.eco_impact(hub.store, [m.Bom.model_validate(REVISION_B)], m.EngineeringChange.model_validate(ECO),
                                date(2026, 12, 1))
    [action] = [a for a in result["purchase_actions"] if "requisition_id" in a]
    assert action["requisition_id"] == f"PREQ:{raised['requisition_id']}"
    assert action["open_qty"] == Decimal(raised["qty"]) and action["item_id"] == "SEAL-A"
    [seal_a] = [s for s in result["stock"] if s["item_id"] == "SEAL-A"]
    assert seal_a["on_order"] == 25 + 12 + 10 + Decimal(raised["qty"])
