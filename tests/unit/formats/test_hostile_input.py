"""Any input ends in canonical documents or a FormatError with a catalogued reason code:
never an unhandled exception, never a hang."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfgsync.formats import FORMATS, FormatError, decode, edifact, parse_any, x12
from mfgsync.rules.reasons import CATALOGUE

from .conftest import read_fixture

VALID = [read_fixture(name) for name in (
    "x12/asn_856_nested_hl_00401.edi", "x12/po_850_pipe_caret_two_sets.edi",
    "x12/invoice_810_crlf_implied_decimals_00501.edi", "x12/po_ack_855_newline_terminated.edi",
    "edifact/invoic_no_una_release_price_per_100.edi", "edifact/desadv_line_numbers_differ_from_order.edi",
    "b2mml/sync_production_performance_v0600.xml", "plm/pump_bom.csv")]
SYNTAX = "*~|^>:+'?.,\r\n UNAISAIEAGSGESTSEUNBUNZUNHUNT0123456789<>/&;"
PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parses_or_fails_cleanly(text: str, fmt: str = "auto") -> None:
    try:
        parse_any(text, fmt)
    except FormatError as error:
        assert error.code in CATALOGUE, error.code
        assert str(error)


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(VALID))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "replace", "truncate", "duplicate"]))
        if action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
        elif action == "insert":
            text = text[:at] + draw(st.text(alphabet=SYNTAX, min_size=1, max_size=8)) + text[at:]
        elif action == "replace" and at < len(text):
            text = text[:at] + draw(st.sampled_from(SYNTAX)) + text[at + 1:]
        elif action == "truncate":
            text = text[:at]
        else:
            end = min(len(text), at + draw(st.integers(1, 200)))
            text = text[:end] + text[at:end] + text[end:]
    return text


@PROFILE
@given(st.binary(max_size=2000))
def test_any_byte_string_parses_or_fails_with_a_reason_code(data):
    parses_or_fails_cleanly(decode(data))


@PROFILE
@given(st.text(alphabet=SYNTAX, max_size=400), st.sampled_from(("auto",) + FORMATS))
def test_any_delimiter_soup_parses_or_fails_with_a_reason_code(text, fmt):
    parses_or_fails_cleanly(text, fmt)
    parses_or_fails_cleanly("ISA" + text)
    parses_or_fails_cleanly("UNA:+.? '" + text)


@PROFILE
@given(mutated())
def test_any_mutation_of_a_valid_document_parses_or_fails_with_a_reason_code(text):
    parses_or_fails_cleanly(text)


@PROFILE
@given(mutated())
def test_acknowledging_a_mutated_interchange_never_fails_uncleanly(text):
    """A TA1, 997 or CONTRL can be generated for whatever the envelope layer accepted."""
    try:
        if text.lstrip("\ufeff \r\n").startswith("ISA"):
            for interchange, _ in x12.read_interchanges(text, strict=False):
                x12.render_ta1(interchange)
                x12.render_997(interchange)
        else:
            for interchange, _ in edifact.read_interchanges(text, strict=False):
                edifact.render_contrl(interchange)
    except FormatError as error:
        assert error.code in CATALOGUE


@pytest.mark.timeout(20)
def test_pathological_sizes_stay_linear():
    """Deep repetition neither recurses without bound nor slows to a crawl."""
    parses_or_fails_cleanly("ISA*" + "*" * 200_000)
    parses_or_fails_cleanly("UNB+" + "?" * 200_001 + "'")
    parses_or_fails_cleanly("<a>" * 50_000, "b2mml")
    parses_or_fails_cleanly("level,item_id,revision,qty_per,uom\n" + "0,A,1,1,EA\n" * 20_000)


def test_an_xml_declaration_naming_an_unknown_encoding_is_a_clear_error():
    with pytest.raises(FormatError) as error:
        parse_any('<?xml version="1.0" encoding="TF-8"?><a/>', "b2mml")
    assert error.value.code == "XML_MALFORMED"
