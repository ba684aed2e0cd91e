"""Stories of purchasing documents between the buyer's ERP and its suppliers."""

from decimal import Decimal

from rules_builders import codes, plant_state, po

from mfgsync.envelope import EventType
from mfgsync.model.entities import (
    Invoice, InvoiceLine, PoAcknowledgement, PoAcknowledgementLine, PurchaseOrderLine, ShipNotice, ShipNoticeLine,
    SourcingRule, Supplier,
)
from mfgsync.rules.reasons import CATALOGUE
from mfgsync.rules.validation import validate

E = EventType


def with_order(status="sent"):
    state = plant_state()
    state.put(po(status=status))
    return state


def test_a_new_order_to_a_known_supplier_for_known_items_is_accepted():
    assert validate(E.po_created, po(), plant_state()) == []


def test_an_order_to_an_unknown_supplier_is_rejected_for_supply_chain():
    findings = validate(E.po_created, po(supplier_id="NOBODY"), plant_state())
    assert codes(findings) == ["SUPPLIER_UNKNOWN"]
    assert CATALOGUE["SUPPLIER_UNKNOWN"].role == "supply_chain"


def test_an_order_line_for_an_unknown_item_or_in_a_foreign_unit_is_rejected():
    lines = [PurchaseOrderLine(line_no=10, item_id="GHOST", qty=Decimal(1), uom="C62"),
             PurchaseOrderLine(line_no=20, item_id="OIL-5", qty=Decimal(1), uom="C62")]
    findings = validate(E.po_created, po(lines=lines), plant_state())
    assert codes(findings) == ["ITEM_UNKNOWN", "UOM_NO_CONVERSION"]
    assert [f.field for f in findings] == ["lines[0].item_id", "lines[1].uom"]


def test_a_status_change_along_the_graph_is_accepted():
    assert validate(E.po_changed, po(status="acknowledged"), with_order("sent")) == []


def test_a_status_change_outside_the_graph_is_rejected_naming_both_states():
    findings = validate(E.po_changed, po(status="draft"), with_order("received"))
    assert codes(findings) == ["PO_TRANSITION_INVALID"]
    assert "from received to draft" in findings[0].message


def test_a_change_to_an_order_the_hub_does_not_hold_is_rejected():
    assert codes(validate(E.po_changed, po(), plant_state())) == ["PO_UNKNOWN"]


def test_creating_an_order_that_exists_is_read_as_a_change_of_it():
    assert validate(E.po_created, po(status="sent"), with_order("sent")) == []
    assert codes(validate(E.po_created, po(status="draft"), with_order("shipped"))) == ["PO_TRANSITION_INVALID"]


def test_creating_an_order_whose_number_another_supplier_holds_is_a_collision():
    state = with_order()
    state.put(Supplier(supplier_id="SOUTHBOLT"))
    assert codes(validate(E.po_created, po(supplier_id="SOUTHBOLT"), state)) == ["PO_ALREADY_EXISTS"]


def ack(*lines, po_number="4500000001"):
    return PoAcknowledgement(po_number=po_number, ack_id="ACK-1", ack_type="accepted", lines=list(lines))


def test_an_acknowledgement_of_a_known_order_line_is_accepted():
    assert validate(E.po_acknowledged, ack(PoAcknowledgementLine(line_no=10, status="accepted")), with_order()) == []


def test_an_acknowledgement_of_an_unknown_order_or_line_is_rejected():
    assert codes(validate(E.po_acknowledged, ack(po_number="999"), with_order())) == ["PO_UNKNOWN"]
    findings = validate(E.po_acknowledged, ack(PoAcknowledgementLine(line_no=99, status="accepted")), with_order())
    assert codes(findings) == ["PO_LINE_UNKNOWN"] and findings[0].field == "lines[0].line_no"


def asn(*lines, supplier_id="NORTHFAST"):
    return ShipNotice(asn_id="ASN-1", supplier_id=supplier_id, lines=list(lines))


def asn_line(po_number="4500000001", po_line_no=10, item_id="BOLT-9", uom="C62"):
    return ShipNoticeLine(po_number=po_number, po_line_no=po_line_no, item_id=item_id, qty=Decimal(5), uom=uom)


def test_a_ship_notice_against_a_known_order_is_accepted():
    assert validate(E.asn_received, asn(asn_line()), with_order()) == []


def test_a_ship_notice_against_an_unknown_order_names_it_once():
    findings = validate(E.asn_received, asn(asn_line(po_number="999"), asn_line(po_number="999")), with_order())
    assert codes(findings) == ["PO_UNKNOWN"]


def test_a_ship_notice_from_another_supplier_or_an_unknown_one_is_rejected():
    state = with_order()
    state.put(Supplier(supplier_id="SOUTHBOLT"))
    assert codes(validate(E.asn_received, asn(asn_line(), supplier_id="SOUTHBOLT"), state)) == ["PO_SUPPLIER_MISMATCH"]
    assert "SUPPLIER_UNKNOWN" in codes(validate(E.asn_received, asn(asn_line(), supplier_id="NOBODY"), state))


def test_a_ship_notice_line_for_an_unknown_item_or_unit_is_rejected():
    findings = validate(E.asn_received, asn(asn_line(item_id="GHOST"), asn_line(uom="KGM")), with_order())
    assert codes(findings) == ["ITEM_UNKNOWN", "UOM_NO_CONVERSION"]


def test_an_invoice_for_an_unknown_order_is_rejected():
    invoice = Invoice(invoice_number="INV-1", supplier_id="NORTHFAST", po_number="999",
                      lines=[InvoiceLine(item_id="BOLT-9", qty=Decimal(5), uom="C62", unit_price=Decimal("0.1"))])
    assert codes(validate(E.invoice_received, invoice, with_order())) == ["PO_UNKNOWN"]


def test_an_invoice_line_takes_its_item_from_the_order_line_it_bills():
    invoice = Invoice(invoice_number="INV-1", supplier_id="NORTHFAST", po_number="4500000001",
                      lines=[InvoiceLine(po_line_no=10, qty=Decimal(5), uom="KGM", unit_price=Decimal(1))])
    assert codes(validate(E.invoice_received, invoice, with_order())) == ["UOM_NO_CONVERSION"]


def test_a_sourcing_rule_needs_a_known_item_and_supplier():
    rule = SourcingRule(item_id="GHOST", supplier_id="NOBODY")
    assert codes(validate(E.sourcing_updated, rule, plant_state())) == ["ITEM_UNKNOWN", "SUPPLIER_UNKNOWN"]
