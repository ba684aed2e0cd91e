"""Reading a partner's interchanges under its envelope policy, and the hub's own documents to a
partner: what the partner's translator would see, faults reported where they belong, and any
text at all — malformed, truncated, oversized, hostile — read or refused with a reason code,
never a crash."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfgsync import formats
from mfgsync.formats import FormatError, edifact, x12
from mfgsync.formats.partner_documents import Addressing, render_order, render_replies
from mfgsync.formats.partners import DEFAULT_PROFILE
from mfgsync.formats.receipt import receive
from mfgsync.model.entities import PurchaseOrder
from mfgsync.rules.reasons import CATALOGUE

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "edi"
ACK = {"po_number": "4500000001", "ack_id": "A1", "ack_type": "accepted_with_changes",
       "lines": [{"line_no": 10, "status": "changed", "qty": 80, "uom": "C62", "promised_date": "2026-12-24"}]}
PO = PurchaseOrder.model_validate({"po_number": "4500000001", "supplier_id": "NORTHFAST", "status": "approved",
                                   "lines": [{"line_no": 10, "item_id": "SEAL", "qty": 100, "uom": "C62",
                                              "unit_price": "1.25", "need_date": "2026-12-20"}]})


def _x12_855(number: int = 55) -> str:
    return x12.render("855", ACK, x12.EnvelopeSettings(sender="NORTHFAST", receiver="ACME", control_number=number))


def _ordrsp(reference: str = "77") -> str:
    return edifact.render("ORDRSP", ACK, edifact.EnvelopeSettings(sender="RHEIN", recipient="ACME",
                                                                  reference=reference))


def test_a_sound_interchange_is_read_and_owed_a_997_accepting_it():
    [received] = receive(_x12_855(), "x12", DEFAULT_PROFILE, lenient=False)
    assert received.summary["status"] == "accepted" and received.summary["warnings"] == []
    assert [d.type for d in received.documents] == ["855"]
    [reply] = received.summary["replies"]
    assert reply["type"] == "997" and reply["body"]["status"] == "A" and reply["body"]["group_control_number"] == "55"


def test_a_set_whose_se_count_is_wrong_is_read_when_lenient_and_acknowledged_with_errors_noted():
    text = _x12_855().replace("SE*6*0001", "SE*9*0001")
    [strict] = receive(text, "x12", DEFAULT_PROFILE, lenient=False)
    [lenient] = receive(text, "x12", DEFAULT_PROFILE, lenient=True)
    assert strict.documents == [] and strict.summary["replies"][0]["body"]["sets"][0]["status"] == "R"
    assert [d.type for d in lenient.documents] == ["855"]
    body = lenient.summary["replies"][0]["body"]
    assert (body["sets"][0]["status"], body["sets"][0]["errors"], body["status"]) == ("E", ["4"], "E")


def test_an_unz_reference_unlike_its_unb_is_rejected_strictly_and_acknowledged_with_its_code_leniently():
    text = _ordrsp().replace("UNZ+1+77", "UNZ+1+78")
    [strict] = receive(text, "edifact", DEFAULT_PROFILE, lenient=False)
    [lenient] = receive(text, "edifact", DEFAULT_PROFILE, lenient=True)
    assert strict.summary["status"] == "rejected" and strict.documents == []
    assert strict.summary["replies"][0]["body"]["action"] == "4"
    assert lenient.summary["status"] == "accepted_with_warnings" and [d.type for d in lenient.documents] == ["ORDRSP"]
    assert (lenient.summary["replies"][0]["body"]["action"], lenient.summary["replies"][0]["body"]["error"]) == (
        "7", "28")


def test_a_997_a_partner_sends_is_read_as_the_answer_to_the_hubs_interchange_and_not_answered():
    sent = render_order(PO, "order", Addressing("x12", "ACME", "NORTHFAST", 12, date(2026, 12, 1), time(9, 0)),
                        DEFAULT_PROFILE).text
    answer = x12.render_997(x12.read_interchanges(sent)[0][0], x12.EnvelopeSettings(control_number=3))
    [received] = receive(answer, "x12", DEFAULT_PROFILE, lenient=False)
    [ack] = received.summary["functional_acks"]
    assert (ack["type"], ack["group_control_number"], ack["status"]) == ("997", "12", "A")
    assert received.summary["replies"] == [], "a 997 is not acknowledged in turn"


def test_the_hubs_order_change_and_cancellation_parse_back_as_their_partner_reads_them():
    to = Addressing("edifact", "ACME", "RHEIN", 4, date(2026, 12, 1), time(9, 0))
    order = render_order(PO, "order", to, DEFAULT_PROFILE)
    assert order.sets == [("ORDERS", "1")]
    [document] = formats.parse_edi(order.text)["interchanges"][0]["documents"]
    assert document["data"]["lines"][0]["qty"] == 100
    for purpose, code in (("change", "4"), ("cancel", "1")):
        assert f"BGM+220+4500000001+{code}'" in render_order(PO, purpose, to, DEFAULT_PROFILE).text
    change = render_order(PO, "change", Addressing("x12", "ACME", "NORTHFAST", 5, date(2026, 12, 1), time(9, 0),
                                                   version="005010"), DEFAULT_PROFILE)
    assert change.sets == [("860", "0001")] and "GS*PC*ACME*NORTHFAST" in change.text


def test_a_ta1_is_rendered_before_the_groups_it_travels_with():
    [received] = receive(_x12_855().replace("*0*P*>", "*1*P*>"), "x12", DEFAULT_PROFILE, lenient=False)
    assert [r["type"] for r in received.summary["replies"]] == ["TA1", "997"]
    text = render_replies(received.summary["replies"], Addressing("x12", "ACME", "NORTHFAST", 8, date(2026, 12, 1),
                                                                  time(9, 0)), DEFAULT_PROFILE).text
    lines = text.splitlines()
    assert lines[1].startswith("TA1*000000055*") and lines[1].endswith("*A*000~") and lines[2].startswith("GS*FA")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared EDI corpus is not here")
@pytest.mark.parametrize("lenient", [False, True])
def test_every_corpus_file_is_read_or_refused_with_a_reason_code(lenient):
    read = 0
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix.lower() in
                       (".edi", ".x12", ".edifact", ".txt", ".dat", ".850", ".855", ".856", ".810", ".997")):
        text = formats.decode(path.read_bytes())
        try:
            fmt = formats.detect(text)
            if fmt in ("x12", "edifact"):
                read += len(receive(text, fmt, DEFAULT_PROFILE, lenient))
        except FormatError as exc:
            assert exc.code in CATALOGUE, (path, exc.code)
    assert read > 20


def _mutations(text: str):
    return st.one_of(
        st.integers(0, len(text)).map(lambda cut: text[:cut]),
        st.tuples(st.integers(0, len(text) - 1), st.characters()).map(lambda p: text[:p[0]] + p[1] + text[p[0] + 1:]),
        st.tuples(st.integers(0, len(text)), st.text(max_size=40)).map(lambda p: text[:p[0]] + p[1] + text[p[0]:]),
        st.just(text * 3), st.just(text.replace("~", "~\r\n")), st.just("\ufeff" + text),
        st.integers(1, 50).map(lambda n: text.replace("ISA*", "ISA*" * n, 1)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.booleans())
def test_any_damage_to_an_interchange_is_read_or_refused_with_a_reason_code(data, lenient):
    fmt = data.draw(st.sampled_from(["x12", "edifact"]))
    text = data.draw(_mutations(_x12_855() if fmt == "x12" else _ordrsp()))
    try:
        for received in receive(text, fmt, DEFAULT_PROFILE, lenient):
            assert received.summary["status"] in ("accepted", "accepted_with_warnings", "partially_accepted", "rejected")
            assert all(e.split(":")[0] in CATALOGUE for e in received.summary["errors"])
            assert all(w.split(":")[0] in CATALOGUE for w in received.summary["warnings"])
    except FormatError as exc:
        assert exc.code in CATALOGUE


def test_an_oversized_file_is_refused_with_its_code(monkeypatch):
    monkeypatch.setattr("mfgsync.formats.errors.MAX_INPUT_CHARS", 10_000)
    with pytest.raises(FormatError) as refused:
        receive(_x12_855() * 40, "x12", DEFAULT_PROFILE, lenient=True)
    assert refused.value.code == "EDI_INPUT_TOO_LARGE"
