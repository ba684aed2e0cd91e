"""Reading EDIFACT interchanges, and answering broken ones with a CONTRL."""

from decimal import Decimal

import pytest

from mfgsync.formats import edifact
from mfgsync.formats.errors import FormatError
from mfgsync.rules.reasons import CATALOGUE

ORDER = {"po_number": "4500000001", "supplier_id": "NORTHFAST", "currency": "EUR", "lines": [
    {"line_no": 1, "item_id": "NUT-M8", "supplier_item_id": "NF-88", "qty": 10, "uom": "C62", "unit_price": "0.5"}]}


def only_document(text):
    (interchange,) = edifact.read(text)
    (document,) = interchange.documents
    return document


def error_of(text: str) -> FormatError:
    with pytest.raises(FormatError) as caught:
        edifact.read(text)
    assert caught.value.code in CATALOGUE
    return caught.value


def contrl_for(text: str) -> str:
    ((interchange, _),) = edifact.read_interchanges(text, strict=False)
    return edifact.render_contrl(interchange)


def test_without_una_the_iso_defaults_apply_and_released_characters_are_data(fixture_text):
    invoice = only_document(fixture_text("edifact/invoic_no_una_release_price_per_100.edi")).data
    assert invoice.invoice_number == "INV+9002"  # '?+' is a released '+'
    assert invoice.total_amount == Decimal("62.5")  # '.' is the default decimal mark


def test_a_price_per_100_units_becomes_a_per_unit_price(fixture_text):
    line = only_document(fixture_text("edifact/invoic_no_una_release_price_per_100.edi")).data.lines[0]
    assert line.unit_price == Decimal("0.125")
    assert (line.item_id, line.supplier_item_id, line.uom, line.po_line_no) == ("NUT-M8", "NF-88", "C62", 1)


def test_a_released_release_character_before_a_terminator_ends_the_segment(fixture_text):
    text = fixture_text("edifact/invoic_no_una_release_price_per_100.edi")
    (interchange,) = edifact.read(text)  # 'grade 8??' then the terminator: the IMD ends there
    assert interchange.documents[0].data.lines[0].qty == 500


def test_desadv_lines_link_to_order_lines_through_rff_on_not_their_own_numbers(fixture_text):
    asn = only_document(fixture_text("edifact/desadv_line_numbers_differ_from_order.edi")).data
    assert [(l.po_number, l.po_line_no) for l in asn.lines] == [("4500012345", 30), ("4500012345", 10)]
    assert asn.lines[0].qty == Decimal("500.5")  # UNA declares ',' as the decimal mark
    assert asn.lines[0].lot_id == "LOT:A+1" and asn.lines[0].sscc == "00012345600000000017"
    assert (asn.ship_date.isoformat(), asn.carrier) == ("2026-03-01", "UPSN")


def test_several_interchanges_each_with_its_own_una_are_read(fixture_text):
    one = fixture_text("edifact/desadv_line_numbers_differ_from_order.edi")
    two = edifact.render("ORDERS", ORDER, edifact.EnvelopeSettings(service_chars="=*,? ~"))
    results = edifact.read(one + two + one)
    assert [r.documents[0].type for r in results] == ["DESADV", "ORDERS", "DESADV"]
    assert results[1].documents[0].data.lines[0].unit_price == Decimal("0.5")


def test_ordrsp_line_actions_and_a_backorder_quantity_become_line_statuses():
    ack = {"po_number": "4500000001", "ack_id": "OR-1", "ack_type": "accepted_with_changes", "lines": [
        {"line_no": 1, "status": "accepted", "qty": 10, "uom": "C62"},
        {"line_no": 2, "status": "backordered", "qty": 5, "uom": "C62", "promised_date": "2026-05-01"},
        {"line_no": 3, "status": "rejected"}, {"line_no": 4, "status": "changed", "qty": 7, "uom": "C62"}]}
    read = only_document(edifact.render("ORDRSP", ack)).data
    assert [l.status for l in read.lines] == ["accepted", "backordered", "rejected", "changed"]
    assert read.ack_type == "accepted_with_changes" and read.lines[1].promised_date.isoformat() == "2026-05-01"


def test_a_wrong_unt_count_is_an_error_and_a_contrl_rejects_the_message_with_code_29():
    text = edifact.render("ORDERS", ORDER).replace("UNT+12+1'", "UNT+11+1'")
    assert error_of(text).code == "EDIFACT_UNT_COUNT_MISMATCH"
    answer = contrl_for(text)
    assert "UCI+1+SENDER+RECIPIENT+4'" in answer and "UCM+1+ORDERS:D:96A:UN+4+29'" in answer


def test_mismatched_interchange_references_are_an_error_and_a_contrl_rejects_the_interchange_with_code_28():
    text = edifact.render("ORDERS", ORDER).replace("UNZ+1+1'", "UNZ+1+2'")
    assert error_of(text).code == "EDIFACT_REFERENCE_MISMATCH"
    answer = contrl_for(text)
    assert "UCI+1+SENDER+RECIPIENT+4+28+UNZ'" in answer and "UCM+" not in answer  # rejected whole


def test_a_wrong_message_count_in_the_unz_rejects_the_interchange_with_code_29():
    text = edifact.render("ORDERS", ORDER).replace("UNZ+1+1'", "UNZ+2+1'")
    assert error_of(text).code == "EDIFACT_COUNT_MISMATCH"
    assert "UCI+1+SENDER+RECIPIENT+4+29+UNZ'" in contrl_for(text)


def test_an_interchange_cut_off_before_its_unz_is_rejected_as_missing_it_code_13():
    text = edifact.render("ORDERS", ORDER)
    ((interchange, result),) = edifact.read_interchanges(text[: text.index("UNZ")], strict=False)
    assert result.documents == []  # nothing of a broken interchange is taken
    assert "UCI+1+SENDER+RECIPIENT+4+13+UNZ'" in edifact.render_contrl(interchange)


def test_a_contrl_rejecting_an_interchange_reads_back_with_its_error_and_segment():
    answer = contrl_for(edifact.render("ORDERS", ORDER).replace("UNZ+1+1'", "UNZ+1+2'"))
    contrl = only_document(answer).data
    assert (contrl["action"], contrl["error"], contrl["segment"], contrl["messages"]) == ("4", "28", "UNZ", [])


def test_a_file_cut_short_is_truncated():
    text = edifact.render("ORDERS", ORDER)
    assert error_of(text[: text.index("UNZ")]).code == "EDI_TRUNCATED"
    assert error_of(text[: text.index("UNT") + 5]).code == "EDI_TRUNCATED"


def test_an_out_of_order_segment_is_named_and_the_contrl_points_at_it():
    text = edifact.render("ORDERS", ORDER).replace("UNS+S'\n", "").replace("CNT+2:1'", "CNT+2:1'\nUNS+S'")
    error = error_of(text)
    assert (error.code, error.tag) == ("EDI_SEGMENT_OUT_OF_ORDER", "CNT")
    assert "UCS+10+15'" in contrl_for(text)


def test_a_sound_interchange_is_acknowledged_with_action_7():
    answer = contrl_for(edifact.render("ORDERS", ORDER))
    assert "UCI+1+SENDER+RECIPIENT+7'" in answer
    contrl = only_document(answer).data
    assert contrl["action"] == "7" and contrl["messages"][0]["action"] == "7"


def test_several_una_in_one_file_do_not_trip_the_syntax_layer(fixture_text):
    text = fixture_text("edifact/desadv_line_numbers_differ_from_order.edi")
    assert len(edifact.read(text * 3)) == 3


def test_una_advice_that_itself_starts_with_una_is_refused_as_a_bad_una():
    # its delimiters are U, N, A and ':' ... (pydifact would drop the second UNA and find three)
    assert error_of("UNAUNA:+,UNB+UNOC:3+S+R+260301:1200+1,UNZ+0+1,").code == "EDIFACT_BAD_UNA"
