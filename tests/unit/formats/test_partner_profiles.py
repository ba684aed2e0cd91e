"""Partner qualifiers and code lists are configuration: a profile override changes the mapping."""

import pytest

from mfgsync.formats import x12
from mfgsync.formats.errors import FormatError
from mfgsync.formats.partners import DEFAULT_PROFILE

PO = ("ISA*00*          *00*          *ZZ*ACME           *ZZ*NORTHFAST      *260301*0930*U*00401*000000009*0*P*>~"
      "GS*PO*ACME*NORTHFAST*20260301*0930*9*X*004010~ST*850*0001~BEG*00*SA*PO-9**20260301~"
      "PO1*1*4*BG*10*HP*PN*NUT-M8*VN*NF-88~CTT*1~SE*5*0001~GE*1*9~IEA*1*000000009~")


def test_a_partner_sending_its_buyer_part_as_pn_and_bags_as_bg_is_read_through_its_profile():
    profile = DEFAULT_PROFILE.with_overrides({"x12_buyer_item_qualifiers": ["PN"], "x12_units": {"BG": "BG"}})
    line = x12.read(PO, profile)[0].documents[0].data.lines[0]
    assert (line.item_id, line.supplier_item_id, line.uom, str(line.unit_price)) == ("NUT-M8", "NF-88", "BG", "0.1")


def test_without_the_profile_the_supplier_number_stands_in_only_because_item_id_is_required():
    line = x12.read(PO.replace("*BG*", "*EA*"))[0].documents[0].data.lines[0]
    assert (line.item_id, line.supplier_item_id) == ("NF-88", "NF-88")


def test_an_unknown_profile_key_is_refused():
    with pytest.raises(ValueError):
        DEFAULT_PROFILE.with_overrides({"x12_buyer_qualifiers": ["PN"]})


def test_a_status_code_outside_the_partner_code_list_is_an_unknown_code():
    ack = x12.render("855", {"po_number": "P", "ack_id": "A", "ack_type": "accepted",
                             "lines": [{"line_no": 1, "status": "accepted"}]})
    with pytest.raises(FormatError) as caught:
        x12.read(ack.replace("ACK*IA", "ACK*ZZ"))
    assert caught.value.code == "EDI_UNKNOWN_CODE" and caught.value.tag == "ACK"
