"""Reading X12 interchanges into canonical documents."""

from decimal import Decimal

import pytest

from mfgsync.formats import x12
from mfgsync.formats.errors import FormatError


def only_document(text):
    (interchange,) = x12.read(text)
    (document,) = interchange.documents
    return document


def test_an_856_with_nested_hl_loops_yields_one_line_per_item_with_its_order_pack_and_lot(fixture_text):
    asn = only_document(fixture_text("x12/asn_856_nested_hl_00401.edi")).data
    assert asn.asn_id == "ASN-7781" and asn.supplier_id == "NORTHFAST"
    assert [(l.po_number, l.po_line_no, l.item_id, l.qty) for l in asn.lines] == [
        ("4500012345", 1, "NUT-M8", 500), ("4500012345", 2, "BOLT-M8X40", 250), ("4500012399", 4, "WASHER-8", 1000)]
    # items under the pack carry its SSCC; the item directly under an order has none
    assert [l.sscc for l in asn.lines] == ["00012345600000000017", "00012345600000000017", None]
    assert [l.lot_id for l in asn.lines] == ["LOTU-2026-U1", "UU-77", None]


def test_in_00401_isa11_u_is_a_standards_id_and_never_splits_lots_or_part_numbers(fixture_text):
    asn = only_document(fixture_text("x12/asn_856_nested_hl_00401.edi")).data
    assert asn.lines[0].lot_id == "LOTU-2026-U1"
    assert asn.lines[0].supplier_item_id == "NF-88-U"


def test_non_default_delimiters_and_two_sets_in_one_group_are_read(fixture_text):
    (interchange,) = x12.read(fixture_text("x12/po_850_pipe_caret_two_sets.edi"))
    assert interchange.control_number == "000000102"
    assert [d.control_number for d in interchange.documents] == ["0001", "0002"]
    first, second = (d.data for d in interchange.documents)
    assert first.po_number == "4500012345" and second.po_number == "4500012346"
    assert second.lines[0].uom == "KGM"


def test_a_price_per_hundred_becomes_a_unit_price_and_buyer_part_is_item_id(fixture_text):
    (interchange,) = x12.read(fixture_text("x12/po_850_pipe_caret_two_sets.edi"))
    line = interchange.documents[0].data.lines[0]
    assert line.unit_price == Decimal("0.125")
    assert (line.item_id, line.supplier_item_id, line.uom) == ("NUT-M8", "NF-88", "C62")
    assert line.need_date.isoformat() == "2026-03-15"


def test_crlf_separated_005010_invoice_reads_tds_and_sac_as_implied_decimals(fixture_text):
    invoice = only_document(fixture_text("x12/invoice_810_crlf_implied_decimals_00501.edi")).data
    assert invoice.total_amount == Decimal("155.00")
    assert invoice.charges_amount == Decimal("15.00") - Decimal("3.50")
    assert invoice.po_number == "4500012345" and invoice.currency == "EUR"


def test_newline_terminated_855_maps_ack_codes_to_line_statuses(fixture_text):
    ack = only_document(fixture_text("x12/po_ack_855_newline_terminated.edi")).data
    assert ack.ack_type == "accepted_with_changes" and ack.ack_id == "SO-555"
    assert [l.status for l in ack.lines] == ["accepted", "backordered", "rejected", "changed"]
    assert ack.lines[3].qty == 60


def test_empty_elements_keep_their_positions():
    text = x12.render("850", {"po_number": "P1", "supplier_id": "S", "lines": [
        {"line_no": 1, "item_id": "A", "qty": 1, "uom": "EA"}]})
    assert "PO1*1*1*EA***BP*A~" in text
    assert only_document(text).data.lines[0].item_id == "A"


def test_several_interchanges_in_one_file_are_each_read(fixture_text):
    one = fixture_text("x12/asn_856_nested_hl_00401.edi")
    two = fixture_text("x12/po_ack_855_newline_terminated.edi")
    results = x12.read(one + "\r\n" + two)
    assert [r.documents[0].type for r in results] == ["856", "855"]


def _856(*body):
    head = ["ISA*00*          *00*          *ZZ*ACMEMFG        *ZZ*NORTHFAST      *260301*0930*U*00401*000000101*0*P*>",
            "GS*SH*NORTHFAST*ACMEMFG*20260301*0930*101*X*004010", "ST*856*0001", "BSN*00*ASN-1*20260301*0930"]
    tail = [f"SE*{len(body) + 3}*0001", "GE*1*101", "IEA*1*000000101"]
    return "~\n".join([*head, *body, *tail]) + "~\n"


def test_an_856_item_takes_its_order_lot_and_sscc_from_the_nearest_level_above_that_has_them():
    asn = only_document(_856(
        "HL*1**S", "N1*SF*NORTHFAST*92*NORTHFAST",
        "HL*2*1*O", "PRF*PO-A",
        "HL*3*2*P", "REF*LT*PACK-LOT", "MAN*GM*SSCC-PACK",
        "HL*4*3*I", "LIN*1*BP*ITEM-4", "SN1**1*EA", "MAN*GM*SSCC-OWN",  # its own SSCC wins over the pack's
        "HL*5*3*I", "LIN*2*BP*ITEM-5*LT*OWN-LOT", "SN1**1*EA",  # its own lot wins over the pack's
        "HL*6*1*O", "PRF*PO-B", "REF*LT*ORDER-LOT",
        "HL*7*6*P",
        "HL*8*7*I", "LIN*3*BP*ITEM-8", "SN1**1*EA",  # through a pack that has neither, to its order
        "HL*9*2*I", "LIN*4*BP*ITEM-9", "SN1**1*EA",  # back under the first order, after the second
        "CTT*9")).data
    assert [(l.item_id, l.po_number, l.lot_id, l.sscc) for l in asn.lines] == [
        ("ITEM-4", "PO-A", "PACK-LOT", "SSCC-OWN"), ("ITEM-5", "PO-A", "OWN-LOT", "SSCC-PACK"),
        ("ITEM-8", "PO-B", "ORDER-LOT", None), ("ITEM-9", "PO-A", None, None)]


def test_an_856_line_number_that_is_a_digit_but_not_a_number_is_no_line_number():
    asn = only_document(_856("HL*1**S", "HL*2*1*O", "PRF*PO-A", "HL*3*2*I", "LIN*²*BP*ITEM-4", "SN1**1*EA",
                             "CTT*1")).data
    assert [(l.item_id, l.po_line_no) for l in asn.lines] == [("ITEM-4", None)]


def test_856_line_numbers_read_alike_however_often_a_file_repeats_their_texts():
    """A line number's text is read once per file and remembered: its repeats, padded, in a later
    set or a later interchange, read as the first did, and a text that is no number stays none."""
    body = ("HL*1**S", "HL*2*1*O", "PRF*PO-A", "HL*3*2*I", "LIN* 7 *BP*ITEM-1", "SN1**1*EA",
            "HL*4*2*I", "LIN*7*BP*ITEM-2", "SN1**1*EA", "HL*5*2*I", "LIN*²*BP*ITEM-3", "SN1**1*EA",
            "HL*6*2*I", "LIN**BP*ITEM-4", "SN1**1*EA", "HL*7*2*I", "LIN*007*BP*ITEM-5", "SN1**1*EA", "CTT*5")
    text = _856(*body)
    results = x12.read(text + text)
    assert len(results) == 2
    for result in results:
        assert [l.po_line_no for l in result.documents[0].data.lines] == [7, 7, None, None, 7]


def test_an_856_line_number_of_endless_digits_is_refused_with_a_reason_code_not_a_crash():
    with pytest.raises(FormatError) as refused:
        x12.read(_856("HL*1**S", "HL*2*1*O", "PRF*PO-A", "HL*3*2*I", f"LIN*{'1' * 5000}*BP*ITEM-4", "SN1**1*EA",
                      "CTT*1"))
    assert refused.value.code == "INVALID_FIELD" and "po_line_no" in str(refused.value)
