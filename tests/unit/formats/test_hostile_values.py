"""A hostile value in one element of a partner file (X12, EDIFACT, B2MML, PLM CSV) ends in a coded
FormatError or in documents whose envelopes the decoder judges with a code: never a hang or crash."""

from __future__ import annotations

import json
import time
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfgsync.adapters.decode import decode
from mfgsync.adapters.documents import envelopes_from_file
from mfgsync.formats import FormatError, parse_any
from mfgsync.rules.reasons import CATALOGUE
from tests.support.hostile import IDENTIFIER_TEXTS, NUMBER_TEXTS

from .conftest import read_fixture

X12 = read_fixture("x12/po_850_pipe_caret_two_sets.edi")
EDIFACT = read_fixture("edifact/invoic_no_una_release_price_per_100.edi")
B2MML = read_fixture("b2mml/sync_production_performance_v0600.xml")
PLM_CSV = read_fixture("plm/pump_bom.csv")

# Each format with where a quantity and an identifier stand, as (text, quantity as sent, id as sent).
SLOTS = {
    "x12": (X12, "|500|EA|", "|{}|EA|", "BP|NUT-M8|", "BP|{}|"),
    "edifact": (EDIFACT, "QTY+47:500:PCE'", "QTY+47:{}:PCE'", "LIN+1++NUT-M8:BP'", "LIN+1++{}:BP'"),
    "b2mml": (B2MML, "<b:QuantityString>12<", "<b:QuantityString>{}<",
              "<b:MaterialDefinitionID>HSG-10<", "<b:MaterialDefinitionID>{}<"),
    "plm-csv": (PLM_CSV, "2,BOLT-M8,,Bolt,6,PCE", "2,BOLT-M8,,Bolt,{},PCE", "2,BOLT-M8,", "2,{},"),
}


def with_value(fmt: str, slot: str, value: str) -> str:
    text, qty_was, qty_at, id_was, id_at = SLOTS[fmt]
    was, at = (qty_was, qty_at) if slot == "quantity" else (id_was, id_at)
    assert was in text
    return text.replace(was, at.format(escape(value) if fmt == "b2mml" else value), 1)


def judged(fmt: str, text: str, tmp_path: Path) -> list[set[str]]:
    """The codes of each message the file becomes (one set per message; empty when it is sound)."""
    started = time.perf_counter()
    try:
        parse_any(text, fmt)
    except FormatError as error:
        assert error.code in CATALOGUE, error.code
    path = tmp_path / f"file.{fmt}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    outcomes = []
    for message in envelopes_from_file(path, fmt, None):
        decoded = message if not isinstance(message, dict) else decode(json.dumps(message, default=str), 1 << 22)
        assert {f.code for f in decoded.findings} <= set(CATALOGUE)
        if decoded.ok:
            decoded.entity.model_dump_json()
        outcomes.append({f.code for f in decoded.findings})
    assert time.perf_counter() - started < 5, "one hostile value never hangs a reader"
    return outcomes


@pytest.mark.parametrize("fmt", SLOTS)
@pytest.mark.parametrize("number", ["1e999999999", "1E-999999999", "1e5000"])
def test_a_quantity_with_an_enormous_or_tiny_exponent_is_refused_while_the_file_is_read(fmt, number, tmp_path):
    with pytest.raises(FormatError) as caught:
        parse_any(with_value(fmt, "quantity", number), fmt)
    assert caught.value.code == "NUMBER_OUT_OF_RANGE"
    assert judged(fmt, with_value(fmt, "quantity", number), tmp_path) == [{"NUMBER_OUT_OF_RANGE"}]


@pytest.mark.parametrize("fmt", SLOTS)
def test_an_identifier_with_a_key_separator_or_nul_is_quarantined_not_stored(fmt, tmp_path):
    for value in ("NUT@P1", "NUT\x01M8"):
        outcomes = judged(fmt, with_value(fmt, "identifier", value), tmp_path)
        assert any(codes for codes in outcomes), f"{value!r} in {fmt} was accepted"


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "2300-01-01T00:00:00Z"])
def test_a_b2mml_time_whose_utc_conversion_overflows_is_a_coded_error_not_a_crash(when):
    text = B2MML.replace("<b:ActualEndTime>2026-03-01T09:30:00Z<", f"<b:ActualEndTime>{when}<")
    with pytest.raises(FormatError) as caught:
        parse_any(text, "b2mml")
    assert caught.value.code == "TIMESTAMP_OUT_OF_RANGE"


@settings(max_examples=120, deadline=None)
@given(fmt=st.sampled_from(sorted(SLOTS)), slot=st.sampled_from(["quantity", "identifier"]),
       value=NUMBER_TEXTS | IDENTIFIER_TEXTS)
def test_any_hostile_value_in_a_partner_file_is_judged_with_a_code(tmp_path_factory, fmt, slot, value):
    judged(fmt, with_value(fmt, slot, value), tmp_path_factory.mktemp(fmt))
