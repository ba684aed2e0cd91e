"""The EDIFACT reader's shortcuts agree with the plain readings they replace.

Each reference below is the earlier implementation, kept here as the oracle: a line's item
numbers (the profile's type lists searched in order for each line), a QTY's unit (the default
unit put in for a blank one, then translated), a DTM's date and a PRI's price read afresh, where a message ends (the first UNT, UNH, UNE or
UNZ, tag by tag). Hypothesis feeds both the same input and compares
the outcome, error reason code and text included; what is remembered is asked twice, the second
answer from memory. Whole messages, sound and faulty, read the same with their lines built as
rows and with every document validated by pydantic.
"""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfgsync.formats import canonical, edifact
from mfgsync.formats.edifact.common import Context, collect_ids, dtm, line_ids, quantity, unit_price
from mfgsync.formats.edifact.envelope import _body_tags
from mfgsync.formats.edifact.syntax import write_segments
from mfgsync.formats.errors import FormatError
from mfgsync.formats.partners import DEFAULT_PROFILE, first_present
from mfgsync.formats.values import ccyymmdd, decimal, uom


def _reference_ids(ids, profile, required):
    supplier = first_present(ids, profile.edifact_supplier_item_types)
    buyer = first_present(ids, profile.edifact_buyer_item_types)
    if buyer is None:
        buyer = first_present(ids, profile.edifact_fallback_item_types)
    if buyer is None and required:
        buyer = supplier
    return buyer, supplier, first_present(ids, profile.edifact_lot_types)


_TYPE = st.sampled_from(["BP", "IN", "SA", "VP", "EN", "SRV", "UP", "IB", "NB", "BX", "ZZ", ""])
_CODE = st.sampled_from(["", "A-1", "B-2", "C"])
_PAIR = st.one_of(st.tuples(_CODE, _TYPE).map(list), _CODE, st.lists(_CODE, max_size=1))
# One context per profile for the whole run, as one per interchange when reading: the plans it
# keeps per set of types serve lines of different numbers alike.
_CONTEXTS = st.sampled_from([
    Context(DEFAULT_PROFILE),
    Context(replace(DEFAULT_PROFILE, edifact_buyer_item_types=("IN", "IN", "SA"), edifact_supplier_item_types=("BP",))),
    Context(replace(DEFAULT_PROFILE, edifact_fallback_item_types=("VP", "UP"), edifact_lot_types=("ZZ", "NB", ""))),
])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(_PAIR, max_size=5), min_size=1, max_size=3), _CONTEXTS, st.booleans())
def test_line_ids_are_chosen_as_from_the_profile_lists_in_order(segments, ctx, required):
    ids: dict[str, str] = {}
    for elements in segments:  # a LIN and its PIAs
        collect_ids(ids, ["PIA", "5", *elements], 2)
    expected = _reference_ids(ids, ctx.profile, required)
    for _ in range(2):  # the second time from the plan the first one made
        assert line_ids(ids, ctx, required) == expected


def _outcome(read, *args):
    try:
        return read(*args)
    except FormatError as error:
        return (error.code, str(error), error.element)


def _padded(segment, count):
    value = segment[1] if len(segment) > 1 else ""
    return ([*value, *[""] * count] if isinstance(value, list) else [value, *[""] * count])[:count]


def _reference_quantity(segment, profile):
    qualifier, text, unit = _padded(segment, 3)
    if not unit.strip():
        if not profile.default_unit:
            raise FormatError("UOM_UNKNOWN", "QTY has no unit", element=1)
        unit = profile.default_unit
    return qualifier, decimal(text.replace(",", "."), "QTY"), uom(unit, profile.edifact_units)


_QUANTITY = st.sampled_from(["", "1", "2,5", "0.50", "x", "-3", "1e3", " 7 "])
_UNIT = st.sampled_from(["", " ", "PCE", "C62", "KGM", "pce", "ZZZ", "XX"])
_UNIT_PROFILES = st.sampled_from([DEFAULT_PROFILE, replace(DEFAULT_PROFILE, default_unit="C62"),
                                  replace(DEFAULT_PROFILE, default_unit="XX", edifact_units={"XX": "KGM"}),
                                  replace(DEFAULT_PROFILE, default_unit="bad")])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["21", "12", ""]) | _QUANTITY | _UNIT, max_size=4), st.booleans(), _UNIT_PROFILES)
def test_a_quantity_reads_as_the_plain_reading_reads_it(components, composite, profile):
    segment = ["QTY", components] if composite else ["QTY", *components[:1]]
    expected = _outcome(_reference_quantity, segment, profile)
    ctx = Context(profile)
    for _ in range(2):  # the second time the unit and the quantity from memory
        assert _outcome(quantity, segment, ctx) == expected


def _reference_dtm(segment, wanted):
    qualifier, value, fmt = _padded(segment, 3)
    if not value or qualifier not in wanted:
        return qualifier, None
    if fmt and fmt not in ("102", "203", "204", "101", "201"):
        raise FormatError("EDI_INVALID_DATE", f"DTM format {fmt!r} is not a calendar date format", element=1)
    return qualifier, ccyymmdd(value, f"DTM+{qualifier}")


def _reference_price(segment):
    _, price, _, _, basis = _padded(segment, 5)
    if not price:
        return None
    value = decimal(price.replace(",", "."), "PRI price")
    if basis:
        per = decimal(basis.replace(",", "."), "PRI unit price basis")
        if per <= 0:
            raise FormatError("EDI_INVALID_NUMBER", f"PRI unit price basis {basis!r} is not positive", element=1)
        value = value / per
    return value


_DTM_PART = st.sampled_from(["", "2", "11", "137", "20260301", "260301", "202603011200", "20261340", "x",
                             "102", "203", "718"])
_PRI_PART = st.sampled_from(["", "AAA", "1", "2,50", "0", "-1", "x", "100"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_DTM_PART, max_size=4), st.booleans(), st.sampled_from([("2", "11"), ("137",)]))
def test_a_date_reads_as_the_plain_reading_reads_it(components, composite, wanted):
    segment = ["DTM", components] if composite else ["DTM", *components[:1]]
    expected = _outcome(_reference_dtm, segment, wanted)
    for _ in range(2):  # the second time from memory
        assert _outcome(dtm, segment, wanted) == expected


@settings(max_examples=400, deadline=None)
@given(st.lists(_PRI_PART, max_size=6), st.booleans())
def test_a_price_reads_as_the_plain_reading_reads_it(components, composite):
    segment = ["PRI", components] if composite else ["PRI", *components[:1]]
    expected = _outcome(_reference_price, segment)
    for _ in range(2):  # the second time from memory
        assert _outcome(unit_price, segment, Context()) == expected


_TAGS = st.sampled_from(["UNT", "UNH", "UNE", "UNZ", "UNG", "LIN", "QTY", "BGM"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_TAGS, max_size=30), st.integers(0, 31))
def test_a_message_ends_at_the_first_envelope_segment_after_its_unh(tags, begin):
    end = begin
    while end < len(tags) and tags[end] not in ("UNT", "UNH", "UNE", "UNZ"):
        end += 1
    assert _body_tags(tags, begin) == tags[begin:end]


# Lines of the messages below, sound and faulty (a bad number, date or unit, a missing order
# reference, a line without a quantity, prices per a basis quantity).
_ORDER_LINES = st.sampled_from([
    [["LIN", "1", "", ["A-1", "BP"]], ["PIA", "5", ["S-1", "SA"]], ["QTY", ["21", "10", "PCE"]],
     ["DTM", ["2", "20260301", "102"]], ["PRI", ["AAA", "2.50"]]],
    [["LIN", "x", "", ["S-2", "SA"]], ["QTY", ["21", "2,5"]], ["PRI", ["AAA", "10", "", "", "100"]]],
    [["LIN", "3", "", ["B", "EN"]], ["QTY", ["1", "0", "PCE"]], ["PRI", ["AAA", ""]], ["PRI", ["AAA", "1"]]],
    [["LIN", "4", "", ["C", "BP"]], ["QTY", ["21", "x", "PCE"]]],
    [["LIN", "5", "", ["D", "BP"]], ["QTY", ["21", "1", "ZZZ"]], ["DTM", ["2", "20261340", "102"]]],
    [["LIN", "6"], ["QTY", ["21", "1", "PCE"]]],
])
_NOTICE_LINES = st.sampled_from([
    [["CPS", "2", "1"], ["PAC", "1"], ["PCI", "33E"], ["GIN", "BJ", "0001"]],
    [["LIN", "1", "", ["A-1", "BP"]], ["PIA", "1", ["L-1", "NB"]], ["QTY", ["12", "10", "PCE"]],
     ["GIN", "BX", "LOT-1"], ["RFF", ["ON", "PO-1", "1"]]],
    [["LIN", "2", "", ["A-2", "BP"]], ["QTY", ["12", "0", "PCE"]], ["QTY", ["12", "3", "PCE"]]],
    [["LIN", "3", "", ["A-3", "SA"]], ["QTY", ["12", "4"]], ["RFF", ["ON", "PO-2", "x"]]],
    [["LIN", "4", "", ["A-4", "BP"]], ["QTY", ["12", "1,5", "PCE"]]],
])
_INVOICE_LINES = st.sampled_from([
    [["LIN", "1", "", ["A-1", "BP"]], ["QTY", ["47", "10", "PCE"]], ["PRI", ["AAA", "2.50"]],
     ["RFF", ["ON", "PO-1", "1"]]],
    [["LIN", "2", "", ["S-1", "SA"]], ["QTY", ["47", "2", "PCE"]], ["PRI", ["AAA", "1", "", "", "0"]]],
    [["LIN", "3", "", ["A-3", "BP"]], ["QTY", ["46", "2", "PCE"]]],
    [["LIN", "4", "", ["A-4", "BP"]], ["QTY", ["47", "-2", "PCE"]], ["PRI", ["AAA", "3"]]],
])


def _message(kind, reference, body):
    return [["UNH", reference, [kind, "D", "96A", "UN"]], *body, ["UNT", str(len(body) + 2), reference]]


@st.composite
def _interchanges(draw):
    order = [["BGM", "220", "PO-1", "9"], ["DTM", ["137", "20260301", "102"]], ["NAD", "SU", ["S", "", "92"]],
             *[s for line in draw(st.lists(_ORDER_LINES, max_size=4)) for s in line], ["UNS", "S"]]
    notice = [["BGM", "351", "ASN-1", "9"], ["DTM", ["11", "20260302", "102"]],
              *draw(st.sampled_from([[], [["RFF", ["ON", "PO-9"]]]])), ["CPS", "1"],
              *[s for line in draw(st.lists(_NOTICE_LINES, max_size=4)) for s in line]]
    invoice = [["BGM", "380", "INV-1", "9"], ["DTM", ["137", "20260305", "102"]], ["RFF", ["ON", "PO-1"]],
               *[s for line in draw(st.lists(_INVOICE_LINES, max_size=3)) for s in line], ["UNS", "S"],
               ["MOA", ["77", "25"]]]
    messages = [_message("ORDERS", "1", order), _message("DESADV", "2", notice), _message("INVOIC", "3", invoice)]
    segments = [["UNB", ["UNOC", "3"], ["A", "ZZ"], ["B", "ZZ"], ["260301", "0000"], "1"],
                *[s for message in messages for s in message], ["UNZ", "3", "1"]]
    return write_segments(segments)


def _read(text):
    try:
        found = edifact.read_interchanges(text, strict=False)
    except FormatError as error:
        return (error.code, str(error), error.segment, error.tag)
    return [([(m.reference, [(e.code, str(e), e.segment, e.tag) for e in m.errors]) for m in interchange.messages],
             [(d.type, d.data, d.data.model_fields_set, [line.model_fields_set for line in d.data.lines])
              for d in result.documents]) for interchange, result in found]


@settings(max_examples=150, deadline=None)
@given(_interchanges())
def test_messages_read_alike_with_lines_built_as_rows_and_with_pydantic_building_every_document(text):
    quick = _read(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(canonical, "quick_build", lambda model, data: None)
        patch.setattr(canonical, "quick_build_rows", lambda model, names, rows: None)
        assert _read(text) == quick
