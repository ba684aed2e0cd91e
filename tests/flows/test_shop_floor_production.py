"""Stories of the shop floor: MES reports against production orders, B2MML as real MES exports
it, backflush from the order's frozen BOM revision, and the order's lifecycle."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from mfgsync.adapters.documents import envelopes_from_file
from mfgsync.formats import b2mml
from tests.support.shop_floor import bom, codes, items, made, movement, order, report, used
from tests.support.state import balance, entity

B2MML = "http://www.mesa.org/xml/B2MML-V0600"
BACKFLUSH = "plants: {P1: {backflush: true}}"


def _performance(order_id: str, *actuals: str, segments: list[list[str]] | None = None, rule: str = "") -> str:
    """A V0600 ProductionPerformance: one response for the order, one segment per list of actuals."""
    segments = segments or [list(actuals)]
    body = "".join(f"<SegmentResponse><ID>S{n}</ID>{''.join(s)}</SegmentResponse>" for n, s in enumerate(segments))
    rule_element = f"<ProductProductionRuleID>{rule}</ProductProductionRuleID>" if rule else ""
    return (f'<ProductionPerformance xmlns="{B2MML}"><ID>PP-{order_id}</ID>'
            f"<HierarchyScope><EquipmentID>P1</EquipmentID></HierarchyScope>"
            f"<ProductionResponse><ID>R-{order_id}</ID><ProductionRequestID>{order_id}</ProductionRequestID>"
            f"{rule_element}{body}</ProductionResponse></ProductionPerformance>")


def _actual(item_id: str, use: str, qty: str, lot: str | None = None, uom: str = "EA") -> str:
    lot_element = f"<MaterialLotID>{lot}</MaterialLotID>" if lot else ""
    return (f"<MaterialActual><MaterialDefinitionID>{item_id}</MaterialDefinitionID>{lot_element}"
            f"<MaterialUse>{use}</MaterialUse><Quantity><QuantityString>{qty}</QuantityString>"
            f"<UnitOfMeasure>{uom}</UnitOfMeasure></Quantity></MaterialActual>")


def _ingest_b2mml(hub, tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return hub.intake.ingest(list(envelopes_from_file(path, "b2mml", None)))


def _plant(hub, stock: int = 100) -> None:
    report_ = hub.intake.ingest([
        *items(("PMP-100", "C62"), ("HSG-10", "C62"), ("SEAL-1", "C62")),
        *items(("STEEL", "C62"), lot_tracked=True),
        movement("R-HSG", "receipt", "HSG-10", stock), movement("R-SEAL", "receipt", "SEAL-1", stock),
        movement("R-STEEL", "receipt", "STEEL", stock, lot_id="H-1"),
        order("WO-1", "PMP-100", 10)])
    assert report_.quarantined == 0, hub.exceptions.list()


def test_a_b2mml_report_against_an_unknown_order_is_quarantined_for_the_planner(make_hub, tmp_path):
    hub = make_hub()
    _plant(hub)
    outcome = _ingest_b2mml(hub, tmp_path, "unknown.xml", _performance("WO-404", _actual("HSG-10", "Consumed", "2")))
    assert outcome.quarantined == 1
    [exception] = hub.exceptions.list()
    assert exception["codes"] == ["PRODUCTION_ORDER_UNKNOWN"] and exception["owner_role"] == "planner"
    assert balance(hub, "HSG-10", "P1", "MAIN") == 100, "nothing of a quarantined report is booked"


def test_a_b2mml_report_with_a_negative_quantity_or_a_lot_tracked_item_without_lot_is_quarantined(make_hub, tmp_path):
    hub = make_hub()
    _plant(hub)
    _ingest_b2mml(hub, tmp_path, "negative.xml", _performance("WO-1", _actual("HSG-10", "Consumed", "-3")))
    _ingest_b2mml(hub, tmp_path, "no-lot.xml", _performance("WO-1", _actual("STEEL", "Consumed", "2")))
    assert sorted(map(tuple, codes(hub))) == [("LOT_REQUIRED",), ("QTY_NOT_POSITIVE",)]
    assert balance(hub, "HSG-10", "P1", "MAIN") == 100 and balance(hub, "STEEL", "P1", "MAIN", "H-1") == 100


def test_a_multi_segment_production_response_books_the_product_and_not_the_intermediate(make_hub, tmp_path):
    """Mixing makes a housing blank that machining uses up; only the pump reaches stock."""
    hub = make_hub()
    _plant(hub)
    text = _performance("WO-1", segments=[
        [_actual("HSG-10", "Consumed", "10"), _actual("BLANK-7", "Produced", "10")],
        [_actual("BLANK-7", "Consumed", "10"), _actual("SEAL-1", "Consumed", "10"),
         _actual("PMP-100", "Produced", "10", lot="L-PMP-1")]], rule="PMP-100 rev A")
    [document] = b2mml.read(text)
    kinds = [(mv.kind, mv.item_id) for mv in document.data.movements]
    assert kinds == [("consumption", "HSG-10"), ("consumption", "SEAL-1"), ("completion", "PMP-100")]
    assert _ingest_b2mml(hub, tmp_path, "two-segments.xml", text).accepted == 1, hub.exceptions.list()
    assert balance(hub, "PMP-100", "P1", "MAIN", "L-PMP-1") == 10
    assert balance(hub, "HSG-10", "P1", "MAIN") == 90


def test_a_multi_segment_request_orders_the_product_its_rule_names_not_the_first_segments_output():
    text = (f'<ProductionSchedule xmlns="{B2MML}"><ID>S-1</ID><HierarchyScope><EquipmentID>P1</EquipmentID>'
            "</HierarchyScope><ProductionRequest><ID>WO-9</ID>"
            "<ProductProductionRuleID>PMP-100 rev B</ProductProductionRuleID>"
            "<SegmentRequirement><ID>1</ID><MaterialProducedRequirement><MaterialDefinitionID>BLANK-7"
            "</MaterialDefinitionID><Quantity><QuantityString>12</QuantityString></Quantity>"
            "</MaterialProducedRequirement></SegmentRequirement>"
            "<SegmentRequirement><ID>2</ID><MaterialProducedRequirement><MaterialDefinitionID>PMP-100"
            "</MaterialDefinitionID><Quantity><QuantityString>12</QuantityString></Quantity>"
            "</MaterialProducedRequirement></SegmentRequirement>"
            "<SegmentRequirement><ID>3</ID><MaterialProducedRequirement><MaterialDefinitionID>PACK-1"
            "</MaterialDefinitionID><Quantity><QuantityString>1</QuantityString></Quantity>"
            "</MaterialProducedRequirement></SegmentRequirement>"
            "</ProductionRequest></ProductionSchedule>")
    [document] = b2mml.read(text)
    assert (document.data.item_id, document.data.qty) == ("PMP-100", Decimal(12))
    without_rule = text.replace("<ProductProductionRuleID>PMP-100 rev B</ProductProductionRuleID>", "")
    assert b2mml.read(without_rule)[0].data.item_id == "PACK-1", "no rule: the last segment's output"


def test_backflush_consumes_the_frozen_revision_not_the_current_one(make_hub):
    """WO-1 was released on revision A (8 bolts, 5% scrap on the seal); revision B (6 bolts, a
    new gasket) was released later. A completion-only report consumes what A says."""
    hub = make_hub(BACKFLUSH)
    report_ = hub.intake.ingest([
        *items(("PMP-100", "C62"), ("BOLT", "C62"), ("SEAL-1", "C62"), ("GASKET", "C62")),
        *(movement(f"R-{c}", "receipt", c, 1000) for c in ("BOLT", "SEAL-1", "GASKET")),
        bom("PMP-100", "A", {"BOLT": 8, "SEAL-1": (1, 5)}, effective_from="2026-01-01"),
        order("WO-1", "PMP-100", 19, start_date="2026-11-01"),
        bom("PMP-100", "B", {"BOLT": 6, "GASKET": 1}, effective_from="2026-11-15"),
        report("RPT-1", "WO-1", [made("C-1", "PMP-100", 19)])])
    assert report_.quarantined == 0, hub.exceptions.list()
    assert entity(hub, "PROD:WO-1")["bom_revision"] == "A", "frozen at release"
    assert balance(hub, "BOLT", "P1", "MAIN") == 1000 - 19 * 8
    assert balance(hub, "SEAL-1", "P1", "MAIN") == 1000 - 20, "19 seals with 5% scrap allowance: 19 / 0.95"
    assert balance(hub, "GASKET", "P1", "MAIN") == 1000, "the current revision's new part is not touched"
    assert entity(hub, "PROD:WO-1")["status"] == "in_process"


def test_a_plant_that_does_not_backflush_books_only_what_mes_reported(make_hub):
    hub = make_hub()
    hub.intake.ingest([*items(("PMP-100", "C62"), ("BOLT", "C62")), movement("R-B", "receipt", "BOLT", 100),
                       bom("PMP-100", "A", {"BOLT": 8}), order("WO-1", "PMP-100", 5),
                       report("RPT-1", "WO-1", [made("C-1", "PMP-100", 5)])])
    assert balance(hub, "BOLT", "P1", "MAIN") == 100 and balance(hub, "PMP-100", "P1", "MAIN") == 5


def test_a_report_against_a_closed_order_is_quarantined_and_the_lifecycle_is_a_literal_graph(make_hub):
    hub = make_hub()
    _plant(hub)
    hub.intake.ingest([order("WO-1", "PMP-100", 10, status="in_process"),
                       order("WO-1", "PMP-100", 10, status="completed"),
                       order("WO-1", "PMP-100", 10, status="closed"),
                       report("RPT-9", "WO-1", [used("U-1", "HSG-10", 1)]),
                       order("WO-1", "PMP-100", 10, status="released")])
    assert sorted(map(tuple, codes(hub))) == [("PRODUCTION_ORDER_CLOSED",), ("PRODUCTION_TRANSITION_INVALID",)]
    assert entity(hub, "PROD:WO-1")["status"] == "closed"


def test_labor_and_machine_hours_are_kept_with_the_report_for_costing(make_hub):
    hub = make_hub()
    _plant(hub)
    hub.intake.ingest([report("RPT-1", "WO-1", [used("U-1", "HSG-10", 1)],
                              resource_actuals=[{"kind": "labor", "resource_id": "OP-7", "hours": 1.5},
                                                {"kind": "machine", "resource_id": "PRESS-2", "hours": 3.25}])])
    kept = entity(hub, "PRODREP:RPT-1")["resource_actuals"]
    assert [(r["kind"], r["resource_id"], Decimal(str(r["hours"]))) for r in kept] == [
        ("labor", "OP-7", Decimal("1.5")), ("machine", "PRESS-2", Decimal("3.25"))]
