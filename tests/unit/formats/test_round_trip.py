"""Render -> parse -> render is stable for every document type and version."""

from datetime import date

import pytest

from mfgsync.formats import b2mml, edifact, plm_csv, x12
from mfgsync.formats.x12.envelope import EnvelopeSettings
from mfgsync.formats.x12.syntax import Delimiters
from mfgsync.model.entities import Bom, ProductionOrder, ProductionReport

ORDER = {"po_number": "4500012345", "supplier_id": "NORTHFAST", "order_date": "2026-03-01", "currency": "EUR",
         "lines": [{"line_no": 1, "item_id": "NUT-M8", "supplier_item_id": "NF-88", "qty": "500", "uom": "C62",
                    "unit_price": "0.125", "need_date": "2026-03-15"},
                   {"line_no": 2, "item_id": "GREASE", "qty": "2.5", "uom": "KGM"}]}
ACK = {"po_number": "4500012345", "ack_id": "SO-1", "ack_type": "accepted_with_changes", "lines": [
    {"line_no": 1, "status": "accepted", "qty": 500, "uom": "C62", "unit_price": "0.125"},
    {"line_no": 2, "status": "backordered", "qty": 2.5, "uom": "KGM", "promised_date": "2026-04-01"},
    {"line_no": 3, "status": "rejected"}]}
ASN = {"asn_id": "ASN-1", "supplier_id": "NORTHFAST", "ship_date": "2026-03-02", "expected_arrival": "2026-03-04",
       "carrier": "UPSN", "tracking_number": "1Z999", "lines": [
           {"po_number": "4500012345", "po_line_no": 1, "item_id": "NUT-M8", "supplier_item_id": "NF-88",
            "qty": 500, "uom": "C62", "lot_id": "LOTU-1", "sscc": "000123456000000017"},
           {"po_number": "4500012399", "po_line_no": 7, "item_id": "GREASE", "qty": 2.5, "uom": "KGM"}]}
INVOICE = {"invoice_number": "INV-1", "supplier_id": "NORTHFAST", "po_number": "4500012345",
           "invoice_date": "2026-03-05", "currency": "EUR", "total_amount": "62.50", "charges_amount": "-3.5",
           "lines": [{"po_line_no": 1, "item_id": "NUT-M8", "supplier_item_id": "NF-88", "qty": 500, "uom": "C62",
                      "unit_price": "0.125"}]}
ACK_997 = {"functional_id": "PO", "group_control_number": "7", "status": "P", "sets_included": "2",
           "sets_received": "2", "sets_accepted": "1", "group_errors": [], "sets": [
               {"set_id": "850", "control_number": "0001", "status": "A", "errors": [], "segment_errors": []},
               {"set_id": "850", "control_number": "0002", "status": "R", "errors": ["5"],
                "segment_errors": [{"tag": "PO1", "position": "4", "code": "8"}]}]}
CONTRL = {"interchange_reference": "IC1", "sender": "ACME", "recipient": "NORTHFAST", "action": "4", "error": "",
          "messages": [{"reference": "1", "type": "ORDERS", "action": "4", "error": "29", "segment_errors": []}]}

X12_CASES = [("850", ORDER), ("855", ACK), ("856", ASN), ("810", INVOICE), ("997", ACK_997)]
EDIFACT_CASES = [("ORDERS", ORDER), ("ORDRSP", ACK), ("DESADV", ASN), ("INVOIC", INVOICE), ("CONTRL", CONTRL)]


def _data(text, read):
    (interchange,) = read(text)
    (document,) = interchange.documents
    return document.data


@pytest.mark.parametrize("version", ["004010", "005010"])
@pytest.mark.parametrize("set_id,document", X12_CASES, ids=[c[0] for c in X12_CASES])
def test_x12_round_trip_is_stable(set_id, document, version):
    settings = EnvelopeSettings(sender="NORTHFAST", receiver="ACME", version=version, on=date(2026, 3, 1))
    first = x12.render(set_id, document, settings)
    assert x12.render(set_id, _data(first, x12.read), settings) == first


def test_x12_round_trip_keeps_non_default_delimiters():
    settings = EnvelopeSettings(delimiters=Delimiters("|", ">", "^"))
    first = x12.render("856", ASN, settings)
    assert first.startswith("ISA|00|") and "HL|1||S^" in first
    assert x12.render("856", _data(first, x12.read), settings) == first


@pytest.mark.parametrize("kind,document", EDIFACT_CASES, ids=[c[0] for c in EDIFACT_CASES])
@pytest.mark.parametrize("service_chars", [":+.? '", ":+,? '"])
def test_edifact_round_trip_is_stable(kind, document, service_chars):
    settings = edifact.EnvelopeSettings(service_chars=service_chars, on=date(2026, 3, 1))
    first = edifact.render(kind, document, settings)
    assert edifact.render(kind, _data(first, edifact.read), settings) == first


def test_a_parsed_document_keeps_the_canonical_values():
    parsed = _data(x12.render("850", ORDER), x12.read)
    again = _data(edifact.render("ORDERS", parsed), edifact.read)
    assert again.model_dump() == parsed.model_dump()


REPORT = ProductionReport.model_validate({
    "report_id": "R1", "order_id": "WO-1", "plant_id": "P1", "reported_at": "2026-03-01T10:00:00Z",
    "movements": [
        {"movement_id": "m1", "kind": "consumption", "item_id": "NUT-M8", "qty": 10, "uom": "C62", "plant_id": "P1",
         "lot_id": "L1", "production_order_id": "WO-1", "occurred_at": "2026-03-01T09:00:00Z"},
        {"movement_id": "m2", "kind": "scrap", "item_id": "PMP-100", "qty": 1, "uom": "C62", "plant_id": "P1",
         "production_order_id": "WO-1", "reason": "leak test failed"},
        {"movement_id": "m3", "kind": "completion", "item_id": "PMP-100", "qty": 9, "uom": "C62", "plant_id": "P1",
         "production_order_id": "WO-1"}],
    "resource_actuals": [{"kind": "labor", "resource_id": "OP-7", "hours": 1.5},
                         {"kind": "machine", "resource_id": "CNC-1", "hours": 2}]})
ORDERS = [ProductionOrder(order_id="WO-1", item_id="PMP-100", qty=10, plant_id="P1", bom_revision="C",
                          status="released", start_date=date(2026, 3, 1), due_date=date(2026, 3, 5)),
          ProductionOrder(order_id="WO-2", item_id="PMP-200", qty=4, plant_id="P1", status="in_process")]


@pytest.mark.parametrize("version", ["V0600", "V0700"])
def test_b2mml_round_trips_are_stable(version):
    first = b2mml.render_performance(REPORT, version)
    (document,) = b2mml.read(first)
    assert b2mml.render_performance(document.data, version) == first
    schedule = b2mml.render_schedule(ORDERS, "S1", version)
    orders = [d.data for d in b2mml.read(schedule)]
    assert b2mml.render_schedule(orders, "S1", version) == schedule
    assert [o.status for o in orders] == ["released", "in_process"]


def test_plm_csv_round_trip_is_stable(fixture_text):
    boms = plm_csv.read(fixture_text("plm/pump_bom.csv"))
    first = plm_csv.write(boms)
    assert plm_csv.write(plm_csv.read(first)) == first
    assert [b.model_dump() for b in plm_csv.read(first)] == [Bom.model_validate(b.model_dump()).model_dump()
                                                              for b in boms]
