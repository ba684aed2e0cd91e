"""Stories of traceability and promising: a supplier's bad lot followed to every finished lot it
reached and back, and available-to-promise that never promises held stock."""

from __future__ import annotations

import json
from datetime import date, timedelta

from mfgsync.app import build_hub
from mfgsync.config import parse_settings
from tests.support.cli import run
from tests.support.messages import envelope
from tests.support.shop_floor import at, bought_seals, items, made, movement, order, report, used


def _hub(tmp_path, config: str = "{}"):
    return build_hub(parse_settings(config), f"sqlite:///{tmp_path}/hub.db")


def _cli(tmp_path, *args: str, expect: int = 0):
    done = run(tmp_path, *args, "--json", expect=expect, MFGSYNC_DATABASE_URL=f"sqlite:///{tmp_path}/hub.db")
    return json.loads(done.stdout) if expect == 0 else done


def _three_level_build(hub) -> None:
    """Steel heat H-1 goes into impeller lot I-1 and housing lot HS-1; the pump lot P-1 is built
    from I-1, HS-1 and seal lot S-9, and P-2 from I-1 alone."""
    outcome = hub.intake.ingest([
        *items(("STEEL", "C62"), ("SEAL", "C62"), ("IMP-200", "C62"), ("HSG-300", "C62"), ("PMP-100", "C62")),
        movement("R-H", "receipt", "STEEL", 100, lot_id="H-1"), movement("R-S", "receipt", "SEAL", 10, lot_id="S-9"),
        order("WO-IMP", "IMP-200", 4), order("WO-HSG", "HSG-300", 2),
        order("WO-PMP", "PMP-100", 2), order("WO-PMP2", "PMP-100", 2),
        report("RPT-IMP", "WO-IMP", [used("U1", "STEEL", 8, "H-1"), made("M1", "IMP-200", 4, "I-1")]),
        report("RPT-HSG", "WO-HSG", [used("U2", "STEEL", 6, "H-1"), made("M2", "HSG-300", 2, "HS-1")]),
        report("RPT-PMP", "WO-PMP", [used("U3", "IMP-200", 2, "I-1"), used("U4", "HSG-300", 2, "HS-1"),
                                     used("U5", "SEAL", 2, "S-9"), made("M3", "PMP-100", 2, "P-1")]),
        report("RPT-PMP2", "WO-PMP2", [used("U6", "IMP-200", 2, "I-1"), made("M4", "PMP-100", 2, "P-2")]),
        movement("SHIP-1", "issue", "PMP-100", 1, lot_id="P-1", customer_order_id="SO-77"),
        movement("SHIP-2", "issue", "PMP-100", 1, lot_id="P-1", customer_order_id="SO-78")])
    assert outcome.quarantined == 0, hub.exceptions.list()


def _rows(document: dict) -> list[tuple]:
    return [(r["depth"], r["lot_id"], r["item_id"], r["order_id"], r["qty"]) for r in document["lots"]]


def test_a_purchased_lot_is_traced_forward_to_every_finished_lot_and_customer_order_it_reached(tmp_path):
    hub = _hub(tmp_path)
    _three_level_build(hub)
    hub.close()
    document = _cli(tmp_path, "trace", "H-1")
    assert (document["lot_id"], document["direction"]) == ("H-1", "forward")
    assert _rows(document) == [(1, "HS-1", "HSG-300", "WO-HSG", 2), (1, "I-1", "IMP-200", "WO-IMP", 4),
                               (2, "P-1", "PMP-100", "WO-PMP", 2), (2, "P-2", "PMP-100", "WO-PMP2", 2),
                               (3, "P-1", "PMP-100", "SO-77", 1), (3, "P-1", "PMP-100", "SO-78", 1)]
    assert {r["uom"] for r in document["lots"]} == {"C62"}


def test_a_finished_lot_is_traced_backward_to_every_lot_it_was_built_from(tmp_path):
    hub = _hub(tmp_path)
    _three_level_build(hub)
    hub.close()
    document = _cli(tmp_path, "trace", "P-1", "--backward")
    assert document["direction"] == "backward"
    assert _rows(document) == [(1, "HS-1", "HSG-300", "WO-PMP", 2), (1, "I-1", "IMP-200", "WO-PMP", 2),
                               (1, "S-9", "SEAL", "WO-PMP", 2),
                               (2, "H-1", "STEEL", "WO-HSG", 6), (2, "H-1", "STEEL", "WO-IMP", 8)]


def test_a_lot_that_went_nowhere_traces_to_nothing_and_a_shipped_lot_to_its_customer_orders(tmp_path):
    hub = _hub(tmp_path)
    _three_level_build(hub)
    hub.close()
    assert _cli(tmp_path, "trace", "P-2")["lots"] == []
    shipped = _cli(tmp_path, "trace", "P-1")["lots"]
    assert [(r["depth"], r["order_id"], r["qty"]) for r in shipped] == [(1, "SO-77", 1), (1, "SO-78", 1)]


def test_available_to_promise_never_counts_quality_held_stock_and_raises_the_shortfall_for_the_planner(tmp_path):
    """50 seals available and 30 on hold; a pump order starting in 5 days needs 60; 40 more
    arrive in 10 days. Without the held 30, today's promise is 10 short."""
    today = date.today()
    hub = _hub(tmp_path)
    outcome = hub.intake.ingest([
        *items(("SEAL", "C62"), ("PMP-100", "C62")),
        movement("R-A", "receipt", "SEAL", 50, lot_id="A"), movement("R-B", "receipt", "SEAL", 30, lot_id="B"),
        envelope("quality.hold", {"hold_id": "QH-B", "item_id": "SEAL", "lot_id": "B"}, source="wms", time=at()),
        envelope("supplier.upserted", {"supplier_id": "S1"}, source="erp", time=at()),
        envelope("po.created", {"po_number": "PO-1", "supplier_id": "S1", "status": "approved", "lines": [
            {"line_no": 1, "item_id": "SEAL", "qty": 40, "uom": "C62",
             "promised_date": (today + timedelta(days=10)).isoformat()}]}, source="erp", time=at()),
        envelope("bom.released", {"item_id": "PMP-100", "revision": "A", "lines": [
            {"line_no": 10, "component_id": "SEAL", "qty_per": 2, "uom": "C62"}]}, time=at()),
        order("WO-1", "PMP-100", 30, start_date=(today + timedelta(days=5)).isoformat(),
              due_date=(today + timedelta(days=6)).isoformat())])
    assert outcome.quarantined == 0, hub.exceptions.list()
    hub.close()
    document = _cli(tmp_path, "atp", "SEAL", "--plant", "P1", "--raise")
    assert (document["item_id"], document["plant_id"], document["uom"]) == ("SEAL", "P1", "C62")
    periods = [(p["date"], p["on_hand"], p["receipts"], p["demand"], p["atp"], p["cumulative_atp"])
               for p in document["periods"]]
    day = lambda n: (today + timedelta(days=n)).isoformat()  # noqa: E731
    assert periods == [(day(0), 50, 0, 0, -10, -10), (day(5), 50, 0, 60, 0, -10), (day(10), -10, 40, 0, 40, 30)]
    exceptions = json.loads(run(tmp_path, "exceptions", "list", "--json",
                                MFGSYNC_DATABASE_URL=f"sqlite:///{tmp_path}/hub.db").stdout)
    short = [e for e in exceptions["exceptions"] if e["codes"] == ["ATP_SHORT"]]
    assert [(e["owner_role"], e["entity_key"]) for e in short] == [("planner", "atp:SEAL@P1")], \
        "the hub raised it when the order committed the seals; judging it again adds none"
    _cli(tmp_path, "atp", "SEAL", "--plant", "P1", "--raise")
    again = json.loads(run(tmp_path, "exceptions", "list", "--json",
                           MFGSYNC_DATABASE_URL=f"sqlite:///{tmp_path}/hub.db").stdout)
    assert len([e for e in again["exceptions"] if e["codes"] == ["ATP_SHORT"]]) == 1, "raised once while open"


def test_atp_of_an_unknown_item_is_an_error(tmp_path):
    _hub(tmp_path).close()
    done = _cli(tmp_path, "atp", "NOPE", "--plant", "P1", expect=2)
    assert "NOT_FOUND" in done.stderr


def test_a_production_order_promises_only_what_it_has_still_to_make(tmp_path):
    today = date.today()
    hub = _hub(tmp_path)
    hub.intake.ingest([*items(("PMP-100", "C62")),
                       order("WO-1", "PMP-100", 30, due_date=(today + timedelta(days=6)).isoformat()),
                       report("RPT-1", "WO-1", [made("M-1", "PMP-100", 12, "P-1")])])
    hub.close()
    periods = _cli(tmp_path, "atp", "PMP-100", "--plant", "P1")["periods"]
    assert [(p["on_hand"], p["receipts"], p["cumulative_atp"]) for p in periods] == [(12, 0, 12), (12, 18, 30)]


def test_a_bought_item_whose_net_requirement_turns_positive_is_ordered_once_from_the_plan(tmp_path):
    """Safety stock of 50 seals with 10 on hand: MRP nets 40 to order now; the supplier sells
    boxes of at least 100. Planning again the same day orders nothing more."""
    hub = _hub(tmp_path)
    outcome = hub.intake.ingest(bought_seals(10))
    assert outcome.quarantined == 0, hub.exceptions.list()
    hub.close()
    (tmp_path / "hub.yaml").write_text("replenishment: {auto_approve_up_to: 100}\n")
    first = _cli(tmp_path, "replenish", "--plant", "P1")
    [requisition] = first["requisitions"]
    assert (requisition["item_id"], requisition["qty"], requisition["supplier_id"]) == ("SEAL", 100, "S1")
    assert requisition["trigger"].startswith("MRP net requirement")
    po = json.loads(run(tmp_path, "get", "po", requisition["po_number"], "--json",
                        MFGSYNC_DATABASE_URL=f"sqlite:///{tmp_path}/hub.db").stdout)
    assert po["status"] == "approved" and po["lines"][0]["qty"] == 100
    assert _cli(tmp_path, "replenish", "--plant", "P1")["requisitions"] == []
