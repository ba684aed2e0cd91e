"""Broken X12: each fault is a clear error with its reason code, and a 997 that rejects it."""

import pytest

from mfgsync.formats import x12
from mfgsync.formats.errors import FormatError
from mfgsync.formats.x12.envelope import EnvelopeSettings
from mfgsync.rules.reasons import CATALOGUE

PO = {"po_number": "4500000001", "supplier_id": "NORTHFAST", "lines": [
    {"line_no": 1, "item_id": "NUT-M8", "qty": 10, "uom": "C62", "unit_price": "0.5"},
    {"line_no": 2, "item_id": "BOLT-M8", "qty": 20, "uom": "C62"}]}


def good_850() -> str:
    return x12.render("850", PO, EnvelopeSettings(sender="ACME", receiver="NORTHFAST", control_number=7))


def error_of(text: str) -> FormatError:
    with pytest.raises(FormatError) as caught:
        x12.read(text)
    assert caught.value.code in CATALOGUE
    return caught.value


def ack_997(text: str) -> str:
    ((interchange, _),) = x12.read_interchanges(text, strict=False)
    return x12.render_997(interchange)


def test_a_wrong_se_count_is_an_error_naming_the_se_and_a_997_rejects_the_set_with_code_4():
    text = good_850().replace("SE*7*0001", "SE*8*0001")
    error = error_of(text)
    assert (error.code, error.tag) == ("X12_SE_COUNT_MISMATCH", "SE")
    ack = ack_997(text)
    assert "AK2*850*0001~" in ack and "AK5*R*4~" in ack and "AK9*R*1*1*0~" in ack


@pytest.mark.parametrize("count", ["¹", "7²"])
def test_an_se_or_ge_count_of_digits_int_cannot_read_is_a_count_mismatch_not_a_crash(count):
    """A superscript is a digit but no decimal int() reads: a mismatch, as any non-digit."""
    se = error_of(good_850().replace("SE*7*0001", f"SE*{count}*0001"))
    assert (se.code, se.tag) == ("X12_SE_COUNT_MISMATCH", "SE")
    ge = error_of(good_850().replace("GE*1*7", f"GE*{count}*7"))
    assert (ge.code, ge.tag) == ("X12_SET_COUNT_MISMATCH", "GE")


def test_a_count_of_more_digits_than_int_reads_is_refused_with_its_reason_code_not_a_crash():
    """int() refuses a text of over 4,300 digits with a ValueError; such a count is simply wrong."""
    endless = "7" * 5000
    se = error_of(good_850().replace("SE*7*0001", f"SE*{endless}*0001"))
    assert (se.code, se.tag) == ("X12_SE_COUNT_MISMATCH", "SE") and len(str(se)) < 300
    ge = error_of(good_850().replace("GE*1*7", f"GE*{endless}*7"))
    assert (ge.code, ge.tag) == ("X12_SET_COUNT_MISMATCH", "GE")
    iea = error_of(good_850().replace("IEA*1*000000007", f"IEA*{endless}*000000007"))
    assert (iea.code, iea.tag) == ("X12_BAD_COUNT", "IEA") and len(str(iea)) < 300


def test_mismatched_set_control_numbers_are_rejected_with_code_3():
    text = good_850().replace("SE*7*0001", "SE*7*0002")
    assert error_of(text).code == "X12_CONTROL_NUMBER_MISMATCH"
    assert "AK5*R*3~" in ack_997(text)


def test_mismatched_group_control_numbers_reject_the_group_with_code_4():
    text = good_850().replace("GE*1*7~", "GE*1*8~")
    assert error_of(text).code == "X12_CONTROL_NUMBER_MISMATCH"
    assert "AK9*R*1*1*1*4~" in ack_997(text)


def test_mismatched_interchange_control_numbers_are_an_interchange_error():
    text = good_850().replace("IEA*1*000000007", "IEA*1*000000008")
    assert error_of(text).code == "X12_CONTROL_NUMBER_MISMATCH"


def test_a_truncated_file_is_reported_as_truncated():
    text = good_850()
    assert error_of(text[: text.index("GE*")]).code == "EDI_TRUNCATED"
    assert error_of(text[:50]).code == "EDI_TRUNCATED"


def test_an_out_of_order_segment_names_the_segment_and_its_position_and_gets_ak3_code_7():
    text = good_850().replace("CTT*2~\n", "CTT*2~\nCUR*BY*EUR~\n").replace("SE*7*", "SE*8*")
    error = error_of(text)
    assert (error.code, error.tag, error.segment) == ("EDI_SEGMENT_OUT_OF_ORDER", "CUR", 9)
    assert "AK3*CUR*7**7~" in ack_997(text)


def test_a_missing_mandatory_segment_is_named():
    text = good_850().replace("BEG*00*SA*4500000001**20000101~\n", "").replace("SE*7*", "SE*6*")
    error = error_of(text)
    assert (error.code, error.tag) == ("EDI_MANDATORY_SEGMENT_MISSING", "BEG")


def test_a_bad_quantity_is_a_data_error_with_ak4():
    text = good_850().replace("PO1*1*10*", "PO1*1*1O*")
    error = error_of(text)
    assert (error.code, error.tag) == ("EDI_INVALID_NUMBER", "PO1")
    ack = ack_997(text)
    assert "AK3*PO1*4**8~" in ack and "AK5*R*5~" in ack


def test_a_997_accepts_a_sound_group_and_partially_accepts_a_mixed_one(fixture_text):
    assert "AK5*A~" in ack_997(good_850()) and "AK9*A*1*1*1~" in ack_997(good_850())
    mixed = fixture_text("x12/po_850_pipe_caret_two_sets.edi").replace("PO1|1|10|KG", "PO1|1|10|ZZZ")
    ack = ack_997(mixed)
    assert "AK9*P*2*2*1~" in ack and "AK5*R*5~" in ack


def test_a_997_is_addressed_back_to_the_sender():
    ack = ack_997(good_850())
    (result,) = x12.read(ack)
    assert (result.sender, result.receiver) == ("NORTHFAST", "ACME")
    assert result.documents[0].data["status"] == "A"


def test_data_holding_a_delimiter_cannot_be_rendered():
    order = dict(PO, po_number="45*01")
    with pytest.raises(FormatError) as caught:
        x12.render("850", order)
    assert caught.value.code == "X12_DELIMITER_IN_DATA"


def test_an_item_level_with_no_order_above_it_is_an_error():
    text = x12.render("856", {"asn_id": "A1", "supplier_id": "S", "lines": [
        {"po_number": "P1", "item_id": "X", "qty": 1, "uom": "C62"}]})
    text = text.replace("HL*2*1*O~\nPRF*P1~\n", "").replace("HL*3*2*I", "HL*3*1*I").replace("SE*11*", "SE*9*")
    assert error_of(text).code == "X12_HL_NO_ORDER"


def ta1(text: str) -> str:
    ((interchange, result),) = x12.read_interchanges(text, strict=False)
    assert interchange.errors and not result.documents  # a broken envelope rejects the whole interchange
    return x12.render_ta1(interchange)


def test_mismatched_interchange_control_numbers_are_rejected_by_a_ta1_with_note_001():
    reply = ta1(good_850().replace("IEA*1*000000007", "IEA*1*000000008"))
    assert "TA1*000000007*000101*0000*R*001~" in reply  # the header's control number, date and time
    assert reply.startswith("ISA*00*") and "*ZZ*NORTHFAST      *ZZ*ACME           *" in reply  # back to the sender
    assert "GS*" not in reply and reply.rstrip().endswith("IEA*0*000000001~")


def test_a_wrong_group_count_in_the_iea_is_rejected_with_note_021():
    text = good_850().replace("IEA*1*000000007", "IEA*2*000000007")
    assert error_of(text).code == "X12_GROUP_COUNT_MISMATCH"
    assert "*R*021~" in ta1(text)


def test_an_interchange_cut_off_before_its_iea_is_rejected_with_note_023():
    text = good_850()
    assert "*R*023~" in ta1(text[: text.index("IEA*")])


def test_a_stray_segment_between_groups_is_an_invalid_control_structure_022():
    assert "*R*022~" in ta1(good_850().replace("GE*1*7~", "GE*1*7~\nZZZ*1~"))


def test_a_sound_interchange_whose_sender_asks_for_a_ta1_gets_one_accepting_it():
    text = good_850().replace("*000000007*0*P*", "*000000007*1*P*")
    ((interchange, result),) = x12.read_interchanges(text, strict=False)
    assert interchange.acknowledgement_requested and len(result.documents) == 1
    assert "TA1*000000007*000101*0000*A*000~" in x12.render_ta1(interchange)


def test_a_ta1_reply_reads_back_as_a_sound_interchange_of_no_groups():
    reply = ta1(good_850().replace("IEA*1*000000007", "IEA*1*000000008"))
    ((interchange, result),) = x12.read_interchanges(reply)
    assert (interchange.sender, interchange.receiver, interchange.groups, result.documents) == ("NORTHFAST", "ACME", [], [])
