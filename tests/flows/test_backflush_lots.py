"""Stories of backflush by lot: a completion-only report consumes the component's lots oldest
receipt first, never held stock, and the lots it consumed are the finished lot's genealogy. The
ERP here is a recording stand-in that takes the stock moves (the real Tryton story is in
tests/e2e)."""

from __future__ import annotations

import json
from decimal import Decimal

from mfgsync.connectors.memory import MemoryConnector
from tests.support import erp_stand_in
from tests.support.messages import envelope
from tests.support.shop_floor import at, bom, items, made, movement, order, report, trace
from tests.support.state import balance

OLDER, NEWER = "2026-11-01T07:00:00Z", "2026-11-10T07:00:00Z"


def _config(plant: str = "{backflush: true}") -> str:
    return (f"systems:\n  {erp_stand_in.ERP_SYSTEM}\n"
            f"subscriptions: {{production.reported: [erp]}}\nplants:\n  P1: {plant}\n")


def _hub(make_hub, monkeypatch, plant: str = "{backflush: true}"):
    erp_stand_in.allow_stand_in(monkeypatch)
    erp = MemoryConnector()
    return make_hub(_config(plant), connectors={"erp": erp}), erp


def _steel_plant(hub, *receipts: dict, lot_tracked: bool = True) -> None:
    """A pump built of 2 steel bars each (revision A), an order for 10, and the steel received."""
    outcome = hub.intake.ingest([
        *items(("PMP-100", "C62")), *items(("STEEL", "C62"), lot_tracked=lot_tracked),
        *receipts, bom("PMP-100", "A", {"STEEL": 2}), order("WO-1", "PMP-100", 10)])
    assert outcome.quarantined == 0, hub.exceptions.list()


def _raised(hub, kind: str) -> list[list[str]]:
    """The reason codes of the open exceptions of one kind (quarantine, alert)."""
    return [e["codes"] for e in hub.exceptions.list() if e["kind"] == kind]


def _steel_moves(hub, erp) -> list[tuple]:
    """The ERP's stock moves of steel: (movement id, lot, location, qty)."""
    hub.worker.run_until_idle()
    moves = [json.loads(d.payload)["movement"] for d in erp.received if d.command == "stock.move"]
    return [(mv["movement_id"], mv["lot_id"], mv["from_location"], Decimal(str(mv["qty"])))
            for mv in moves if mv["item_id"] == "STEEL"]


def test_a_completion_backflushes_the_oldest_lot_first_and_spills_into_the_next(make_hub, monkeypatch):
    """Heat H-B came in on 1 November, H-A on the 10th (and was reported first). Eight pumps
    need 16 bars: all 10 of H-B, then 6 of H-A; the pump lot is traced back to both heats."""
    hub, erp = _hub(make_hub, monkeypatch)
    _steel_plant(hub, movement("R-2", "receipt", "STEEL", 30, lot_id="H-A", occurred_at=NEWER),
                 movement("R-1", "receipt", "STEEL", 10, lot_id="H-B", occurred_at=OLDER))
    outcome = hub.intake.ingest([report("RPT-1", "WO-1", [made("C-1", "PMP-100", 8, "P-1")])])
    assert outcome.accepted == 1, hub.exceptions.list()
    assert balance(hub, "STEEL", "P1", "MAIN", "H-B") == 0 and balance(hub, "STEEL", "P1", "MAIN", "H-A") == 24
    assert _steel_moves(hub, erp) == [("RPT-1-bf-10", "H-B", "MAIN", 10), ("RPT-1-bf-10-2", "H-A", "MAIN", 6)]
    assert trace(hub, "P-1", backward=True) == [(1, "H-A", "STEEL", "WO-1", 6), (1, "H-B", "STEEL", "WO-1", 10)]
    assert trace(hub, "H-B") == [(1, "P-1", "PMP-100", "WO-1", 8)]


def test_a_report_sent_again_consumes_nothing_more(make_hub, monkeypatch):
    hub, erp = _hub(make_hub, monkeypatch)
    _steel_plant(hub, movement("R-1", "receipt", "STEEL", 10, lot_id="H-B", occurred_at=OLDER),
                 movement("R-2", "receipt", "STEEL", 30, lot_id="H-A", occurred_at=NEWER))
    sent = report("RPT-1", "WO-1", [made("C-1", "PMP-100", 8, "P-1")])
    hub.intake.ingest([sent])
    first = _steel_moves(hub, erp)
    again = hub.intake.ingest([sent, {**sent, "id": "mes-resent-RPT-1"}])  # as sent, and under a new message id
    assert again.duplicates == 2 and again.accepted == 0
    assert balance(hub, "STEEL", "P1", "MAIN", "H-B") == 0 and balance(hub, "STEEL", "P1", "MAIN", "H-A") == 24
    assert _steel_moves(hub, erp) == first, "no stock move sent twice"
    assert trace(hub, "P-1", backward=True) == [(1, "H-A", "STEEL", "WO-1", 6), (1, "H-B", "STEEL", "WO-1", 10)]


def test_a_held_lot_is_never_backflushed_even_when_it_is_the_oldest(make_hub, monkeypatch):
    hub, erp = _hub(make_hub, monkeypatch)
    _steel_plant(hub, movement("R-1", "receipt", "STEEL", 10, lot_id="H-B", occurred_at=OLDER),
                 movement("R-2", "receipt", "STEEL", 30, lot_id="H-A", occurred_at=NEWER),
                 envelope("quality.hold", {"hold_id": "QH-1", "item_id": "STEEL", "lot_id": "H-B"}, source="wms", time=at()))
    outcome = hub.intake.ingest([report("RPT-1", "WO-1", [made("C-1", "PMP-100", 8, "P-1")])])
    assert outcome.accepted == 1, hub.exceptions.list()
    assert balance(hub, "STEEL", "P1", "MAIN", "H-B", "quality_hold") == 10
    assert balance(hub, "STEEL", "P1", "MAIN", "H-A") == 14
    assert _steel_moves(hub, erp) == [("RPT-1-bf-10", "H-A", "MAIN", 16)]
    assert trace(hub, "P-1", backward=True) == [(1, "H-A", "STEEL", "WO-1", 16)]


def test_a_report_without_a_location_draws_on_every_location_of_the_plant(make_hub, monkeypatch):
    """Heat H-C, the oldest, lies line-side and in the main store; a lot with no receipt time
    known comes after every lot with one. The genealogy counts H-C once, with all it gave."""
    hub, erp = _hub(make_hub, monkeypatch)
    _steel_plant(hub, movement("R-1", "receipt", "STEEL", 4, lot_id="H-C", to_location="LINE", occurred_at=OLDER),
                 movement("R-2", "receipt", "STEEL", 2, lot_id="H-C", occurred_at=OLDER),
                 movement("R-3", "receipt", "STEEL", 5, lot_id="H-B", occurred_at=NEWER),
                 movement("R-4", "receipt", "STEEL", 50, lot_id="H-A"))
    completion = {"movement_id": "C-1", "kind": "completion", "item_id": "PMP-100", "qty": 6, "uom": "C62",
                  "plant_id": "P1", "lot_id": "P-1"}
    assert hub.intake.ingest([report("RPT-1", "WO-1", [completion])]).accepted == 1, hub.exceptions.list()
    assert _steel_moves(hub, erp) == [("RPT-1-bf-10", "H-C", "LINE", 4), ("RPT-1-bf-10-2", "H-C", "MAIN", 2),
                                      ("RPT-1-bf-10-3", "H-B", "MAIN", 5), ("RPT-1-bf-10-4", "H-A", "MAIN", 1)]
    assert balance(hub, "STEEL", "P1", "LINE", "H-C") == 0 and balance(hub, "STEEL", "P1", "MAIN", "H-A") == 49
    assert trace(hub, "P-1", backward=True) == [(1, "H-A", "STEEL", "WO-1", 1), (1, "H-B", "STEEL", "WO-1", 5),
                                                (1, "H-C", "STEEL", "WO-1", 6)]


def _short_of_steel(hub) -> None:
    """16 bars needed, 12 in two lots."""
    _steel_plant(hub, movement("R-1", "receipt", "STEEL", 5, lot_id="H-B", occurred_at=OLDER),
                 movement("R-2", "receipt", "STEEL", 7, lot_id="H-A", occurred_at=NEWER))


def test_lot_tracked_steel_short_of_every_lot_waits_where_negative_stock_is_rejected(make_hub, monkeypatch):
    hub, _ = _hub(make_hub, monkeypatch)
    _short_of_steel(hub)
    assert hub.intake.ingest([report("RPT-1", "WO-1", [made("C-1", "PMP-100", 8, "P-1")])]).quarantined == 1
    assert _raised(hub, "quarantine") == [["STOCK_NEGATIVE"]]
    assert balance(hub, "STEEL", "P1", "MAIN", "H-B") == 5 and balance(hub, "STEEL", "P1", "MAIN", "H-A") == 7


def test_lot_tracked_steel_short_of_every_lot_takes_the_rest_from_the_newest_where_negative_stock_alerts(
        make_hub, monkeypatch):
    hub, erp = _hub(make_hub, monkeypatch, "{backflush: true, negative_stock: alert}")
    _short_of_steel(hub)
    assert hub.intake.ingest([report("RPT-1", "WO-1", [made("C-1", "PMP-100", 8, "P-1")])]).accepted == 1
    assert _steel_moves(hub, erp) == [("RPT-1-bf-10", "H-B", "MAIN", 5), ("RPT-1-bf-10-2", "H-A", "MAIN", 11)]
    assert balance(hub, "STEEL", "P1", "MAIN", "H-B") == 0 and balance(hub, "STEEL", "P1", "MAIN", "H-A") == -4
    assert _raised(hub, "quarantine") == [] and _raised(hub, "alert") == [["STOCK_NEGATIVE"]]
    assert trace(hub, "P-1", backward=True) == [(1, "H-A", "STEEL", "WO-1", 11), (1, "H-B", "STEEL", "WO-1", 5)]


def test_a_lot_tracked_component_with_no_lot_to_draw_on_is_lot_required(make_hub, monkeypatch):
    hub, _ = _hub(make_hub, monkeypatch, "{backflush: true, negative_stock: alert}")
    _steel_plant(hub)
    assert hub.intake.ingest([report("RPT-1", "WO-1", [made("C-1", "PMP-100", 8, "P-1")])]).quarantined == 1
    assert _raised(hub, "quarantine") == [["LOT_REQUIRED"]]
    assert balance(hub, "PMP-100", "P1", "MAIN", "P-1") is None, "nothing of the report is booked"


def test_an_item_without_lot_tracking_draws_its_lots_and_books_the_rest_without_a_lot(make_hub, monkeypatch):
    hub, erp = _hub(make_hub, monkeypatch, "{backflush: true, negative_stock: alert}")
    _steel_plant(hub, movement("R-1", "receipt", "STEEL", 10, lot_id="H-B", occurred_at=OLDER),
                 movement("R-2", "receipt", "STEEL", 3), lot_tracked=False)
    assert hub.intake.ingest([report("RPT-1", "WO-1", [made("C-1", "PMP-100", 8, "P-1")])]).accepted == 1
    assert _steel_moves(hub, erp) == [("RPT-1-bf-10", "H-B", "MAIN", 10), ("RPT-1-bf-10-2", None, "MAIN", 6)]
    assert balance(hub, "STEEL", "P1", "MAIN", "H-B") == 0 and balance(hub, "STEEL", "P1", "MAIN") == -3
    assert trace(hub, "P-1", backward=True) == [(1, "H-B", "STEEL", "WO-1", 10)]
