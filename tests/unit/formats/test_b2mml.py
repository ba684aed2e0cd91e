"""B2MML: MES performance into production reports, schedules out; hostile XML refused."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import os

import pytest

from mfgsync.formats import b2mml
from mfgsync.formats.errors import FormatError
from mfgsync.model.entities import ProductionOrder

from .test_round_trip import REPORT

# MESA's schemas live beside the checkout (../shared/schemas/b2mml), or where MFGSYNC_B2MML_SCHEMAS says.
SCHEMAS = Path(os.environ.get("MFGSYNC_B2MML_SCHEMAS",
                              Path(__file__).resolve().parents[4] / "shared" / "schemas" / "b2mml"))
SCHEMA_FILES = {("V0600", "performance"): "V0600/B2MML-V0600-ProductionPerformance.xsd",
                ("V0600", "schedule"): "V0600/B2MML-V0600-ProductionSchedule.xsd",
                ("V0700", "performance"): "V0700/B2MML-OperationsPerformance.xsd",
                ("V0700", "schedule"): "V0700/B2MML-OperationsSchedule.xsd"}


def test_a_wrapped_v0600_performance_becomes_a_report_with_consumption_completion_scrap_and_hours(fixture_text):
    (document,) = b2mml.read(fixture_text("b2mml/sync_production_performance_v0600.xml"))
    report = document.data
    assert (report.report_id, report.order_id, report.plant_id) == ("RESP-WO-1001", "WO-1001", "P1")
    assert report.reported_at.isoformat() == "2026-03-01T10:00:00+00:00"
    assert [(m.kind, m.item_id, m.qty, m.lot_id) for m in report.movements] == [
        ("consumption", "HSG-10", 12, "L-HSG-77"), ("completion", "PMP-100", 10, "L-PMP-1"),
        ("scrap", "PMP-100", 2, None)]
    assert report.movements[2].reason == "porosity in casting"
    assert [(r.kind, r.resource_id, r.hours) for r in report.resource_actuals] == [
        ("labor", "OP-7", Decimal("1.5")), ("machine", "PRESS-2", Decimal("3.5"))]
    assert all(m.production_order_id == "WO-1001" and m.uom == "C62" for m in report.movements)


def test_elements_outside_the_b2mml_namespaces_are_not_matched(fixture_text):
    text = fixture_text("b2mml/sync_production_performance_v0600.xml").replace(
        "http://www.mesa.org/xml/B2MML-V0600", "http://example.com/not-b2mml")
    with pytest.raises(FormatError) as caught:
        b2mml.read(text)
    assert caught.value.code == "B2MML_UNSUPPORTED_DOCUMENT"


@pytest.mark.parametrize("payload", [
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    '<ProductionPerformance xmlns="http://www.mesa.org/xml/B2MML-V0600"><ID>&b;</ID></ProductionPerformance>',
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<ProductionPerformance xmlns="http://www.mesa.org/xml/B2MML-V0600"><ID>&x;</ID></ProductionPerformance>',
    '<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://example.com/evil.dtd"><r/>',
], ids=["entity expansion", "external entity", "external dtd"])
def test_hostile_xml_is_refused(payload):
    with pytest.raises(FormatError) as caught:
        b2mml.read(payload)
    assert caught.value.code == "XML_HOSTILE"


def test_malformed_xml_is_a_clear_error():
    with pytest.raises(FormatError) as caught:
        b2mml.read("<ProductionPerformance><ID>1</ProductionPerformance>")
    assert caught.value.code == "XML_MALFORMED"


def test_a_performance_without_a_request_id_names_the_missing_element(fixture_text):
    text = fixture_text("b2mml/sync_production_performance_v0600.xml").replace(
        "<b:ProductionRequestID>WO-1001</b:ProductionRequestID>", "")
    with pytest.raises(FormatError) as caught:
        b2mml.read(text)
    assert caught.value.code == "B2MML_MISSING_ELEMENT" and "ProductionRequestID" in caught.value.message


def _schema(version, kind):
    lxml = pytest.importorskip("lxml.etree", reason="schema validation needs lxml")
    path = SCHEMAS / SCHEMA_FILES[(version, kind)]
    if not path.is_file():
        pytest.skip(f"B2MML schemas not present at {SCHEMAS}")
    return lxml, lxml.XMLSchema(lxml.parse(str(path)))


@pytest.mark.parametrize("version", ["V0600", "V0700"])
def test_rendered_documents_validate_against_the_mesa_schemas(version):
    orders = [ProductionOrder(order_id="WO-1", item_id="PMP-100", qty=10, plant_id="P1", bom_revision="C",
                              status="released", start_date=date(2026, 3, 1), due_date=date(2026, 3, 5))]
    for kind, text in (("performance", b2mml.render_performance(REPORT, version)),
                       ("schedule", b2mml.render_schedule(orders, "S-1", version))):
        lxml, schema = _schema(version, kind)
        assert schema.validate(lxml.fromstring(text.encode())), schema.error_log


def test_the_hand_written_fixture_is_valid_v0600(fixture_text):
    lxml, schema = _schema("V0600", "performance")
    text = fixture_text("b2mml/sync_production_performance_v0600.xml")
    document = lxml.fromstring(text.encode()).find(".//{http://www.mesa.org/xml/B2MML-V0600}ProductionPerformance")
    assert schema.validate(document), schema.error_log
