"""Stories of available-to-promise watched by the hub itself: the planner hears once when what an
order has committed can no longer be promised, and the exception closes when supply covers it
again — after movements, production reports, quality holds and supplier acknowledgements."""

from __future__ import annotations

from datetime import date, timedelta

from tests.support.messages import envelope
from tests.support.shop_floor import at, items, movement, order, report, used

START = (date.today() + timedelta(days=5)).isoformat()


def _pump_order(hub, seals: int = 60, lot: str | None = None) -> None:
    """A pump order starting in 5 days needs 60 seals (2 per pump); `seals` are in stock."""
    outcome = hub.intake.ingest([
        *items(("SEAL", "C62"), ("PMP-100", "C62")),
        envelope("bom.released", {"item_id": "PMP-100", "revision": "A", "lines": [
            {"line_no": 10, "component_id": "SEAL", "qty_per": 2, "uom": "C62"}]}, time=at()),
        movement("R-1", "receipt", "SEAL", seals, lot_id=lot),
        order("WO-1", "PMP-100", 30, start_date=START, due_date=START)])
    assert outcome.quarantined == 0, hub.exceptions.list()


def _short(hub, status: str = "open") -> list[tuple[str, str]]:
    return [(row["owner_role"], row["entity_key"]) for row in hub.exceptions.list(status=status, code="ATP_SHORT")]


def test_a_consumption_that_leaves_less_than_an_order_committed_raises_one_shortfall_for_the_planner(make_hub):
    hub = make_hub()
    _pump_order(hub)
    assert _short(hub) == [], "60 in stock covers the 60 the order committed"
    hub.intake.ingest([movement("SCRAP-1", "scrap", "SEAL", 10)])
    assert _short(hub) == [("planner", "atp:SEAL@P1")]
    [raised] = hub.exceptions.list(code="ATP_SHORT")
    assert "cumulative ATP -10 C62" in raised["reasons"][0]["message"]
    hub.intake.ingest([movement("SCRAP-2", "scrap", "SEAL", 5), movement("SCRAP-2", "scrap", "SEAL", 5)])
    assert _short(hub) == [("planner", "atp:SEAL@P1")], "still short: raised once while it stays so"


def test_a_receipt_that_covers_the_committed_demand_again_resolves_the_shortfall(make_hub):
    hub = make_hub()
    _pump_order(hub, seals=50)
    assert _short(hub) == [("planner", "atp:SEAL@P1")], "the release committed 60 against 50"
    hub.intake.ingest([movement("R-2", "receipt", "SEAL", 10)])
    assert _short(hub) == []
    assert _short(hub, "resolved") == [("planner", "atp:SEAL@P1")]
    hub.intake.ingest([movement("SCRAP-1", "scrap", "SEAL", 1)])
    assert _short(hub) == [("planner", "atp:SEAL@P1")], "short again: a new exception"


def test_what_an_order_consumed_of_its_components_is_no_longer_demand(make_hub):
    """The order takes 20 of its 60 seals: stock falls to 40, and so does what it still needs."""
    hub = make_hub()
    _pump_order(hub)
    outcome = hub.intake.ingest([report("RPT-1", "WO-1", [used("U-1", "SEAL", 20)])])
    assert outcome.quarantined == 0, hub.exceptions.list()
    assert _short(hub) == []
    hub.intake.ingest([movement("SCRAP-1", "scrap", "SEAL", 1)])
    assert _short(hub) == [("planner", "atp:SEAL@P1")]


def test_a_quality_hold_on_the_committed_stock_raises_the_shortfall_and_its_release_resolves_it(make_hub):
    hub = make_hub()
    _pump_order(hub, lot="L-7")
    hub.intake.ingest([envelope("quality.hold", {"hold_id": "QH-1", "item_id": "SEAL", "lot_id": "L-7"},
                                source="wms", time=at())])
    assert _short(hub) == [("planner", "atp:SEAL@P1")]
    hub.intake.ingest([envelope("quality.released", {"hold_id": "QH-1", "item_id": "SEAL", "lot_id": "L-7",
                                                     "status": "released"}, source="wms", time=at())])
    assert _short(hub) == [] and _short(hub, "resolved") == [("planner", "atp:SEAL@P1")]


def test_a_supplier_rejecting_the_line_the_order_counted_on_makes_it_short(make_hub):
    """40 seals in stock and 20 on a purchase order promised before the start: enough, until the
    supplier rejects the line."""
    hub = make_hub()
    promised = (date.today() + timedelta(days=2)).isoformat()
    _pump_order(hub, seals=40)
    assert _short(hub) == [("planner", "atp:SEAL@P1")], "60 committed against 40"
    outcome = hub.intake.ingest([
        envelope("supplier.upserted", {"supplier_id": "S1"}, source="erp", time=at()),
        envelope("po.created", {"po_number": "PO-1", "supplier_id": "S1", "status": "approved", "lines": [
            {"line_no": 1, "item_id": "SEAL", "qty": 20, "uom": "C62", "promised_date": promised}]},
                 source="erp", time=at())])
    assert outcome.quarantined == 0, hub.exceptions.list()
    assert _short(hub) == [], "the purchase order covers it"
    outcome = hub.intake.ingest([envelope("po.acknowledged", {
        "po_number": "PO-1", "ack_id": "ACK-1", "ack_type": "rejected",
        "lines": [{"line_no": 1, "status": "rejected", "qty": 0, "uom": "C62"}]}, source="supplier", time=at())])
    assert outcome.quarantined == 0, hub.exceptions.list()
    assert ("planner", "atp:SEAL@P1") in _short(hub)


def test_an_item_no_order_needs_is_never_short_of_committed_demand(make_hub):
    hub = make_hub()
    hub.intake.ingest([*items(("SEAL", "C62")), movement("R-1", "receipt", "SEAL", 5),
                       movement("SCRAP-1", "scrap", "SEAL", 5)])
    assert _short(hub) == []


def test_a_bom_another_process_released_counts_for_the_next_judgement(make_hub, database_url):
    """A hub that judged the seals before any BOM used them sees, at its next movement, the pump
    BOM and order another writer of the same store brought in since."""
    watching = make_hub()
    watching.intake.ingest([*items(("SEAL", "C62")), movement("R-0", "receipt", "SEAL", 121),
                            movement("SCRAP-0", "scrap", "SEAL", 1)])
    other = make_hub(url=database_url)
    other.intake.ingest([
        *items(("PMP-100", "C62")),
        envelope("bom.released", {"item_id": "PMP-100", "revision": "A", "lines": [
            {"line_no": 10, "component_id": "SEAL", "qty_per": 4, "uom": "C62"}]}, time=at()),
        order("WO-9", "PMP-100", 30, start_date=START, due_date=START)])
    assert _short(watching) == [], "the 120 left cover the 120 the order committed"
    watching.intake.ingest([movement("SCRAP-1", "scrap", "SEAL", 1)])
    assert _short(watching) == [("planner", "atp:SEAL@P1")], "119 left for 120"

