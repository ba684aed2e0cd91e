"""The faster reading paths decide exactly as the straightforward ones they replaced.

Each reference below is the earlier implementation, kept here as the oracle: segment-table
matching (a recursive scan of candidate entries), item IDs (a dict of qualifier pairs, then
the profile's lists in order), where an X12 set ends (the first envelope segment after it) and
where an interchange's trailer is (a regular expression), and each interchange of a file read
alone (with nothing remembered from the interchanges before it). Hypothesis feeds both the same input and compares the outcome,
error reason code and position included. Segment tables remember the tag sequences that fitted,
so each sequence is checked twice: the second answer must be the first.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from mfgsync.formats.errors import FormatError
from mfgsync.formats.partners import DEFAULT_PROFILE, first_present
from mfgsync.formats.values import decimal
from mfgsync.formats.segment_table import MANY, _compiled, _Compiled, _tags_of, m, o, validate
from mfgsync.formats.x12.common import Context, line_ids
from mfgsync.formats.x12 import EnvelopeSettings, read_interchanges
from mfgsync.formats.x12.envelope import _Tags, wrap
from mfgsync.formats.x12.syntax import Delimiters, _trailer_tag_end, split_any_layout, split_segments, write_segments
from mfgsync.formats.x12.tables import TABLES


def _reference_skipped(level, start, stop, tags, pos, first):
    for index in level.mandatory:
        if start <= index < stop:
            trigger = level.entries[index].trigger
            if pos < len(tags) and trigger in tags[pos:]:
                raise FormatError("EDI_SEGMENT_OUT_OF_ORDER", "", segment=first + pos, tag=tags[pos])
            raise FormatError("EDI_MANDATORY_SEGMENT_MISSING", "", segment=first + pos, tag=trigger)


def _reference_match(level, tags, pos, first):
    current, count = 0, 0
    while pos < len(tags):
        candidates = [i for i, entry in enumerate(level.entries) if entry.trigger == tags[pos]]
        index = next((i for i in candidates if i >= current), None)
        if index is None:
            break
        if index == current:
            count += 1
        else:
            _reference_skipped(level, current + (count > 0), index, tags, pos, first)
            current, count = index, 1
        entry = level.entries[index]
        if count > entry.max:
            raise FormatError("EDI_SEGMENT_REPEAT_EXCEEDED", "", segment=first + pos, tag=tags[pos])
        pos = _reference_match(level.children[index], tags, pos + 1, first) if index in level.children else pos + 1
    _reference_skipped(level, current + (count > 0), len(level.entries), tags, pos, first)
    return pos


def _reference_validate(table, tags, first):
    end = _reference_match(_compiled(table).root, tags, 0, first)
    if end < len(tags):
        code = "EDI_SEGMENT_OUT_OF_ORDER" if tags[end] in _tags_of(table) else "EDI_UNKNOWN_SEGMENT"
        raise FormatError(code, "", segment=first + end, tag=tags[end])


def _outcome(check, table, tags):
    try:
        check(table, tags, 3)
    except FormatError as exc:
        return exc.code, exc.segment, exc.tag
    return None


# Tag sequences built from the table's own opening segments and loops, with a few strays, so
# both sound messages and every kind of structural fault come up.
_SET = st.sampled_from(sorted(TABLES))


@st.composite
def _set_and_tags(draw):
    set_id = draw(_SET)
    known = sorted(_tags_of(TABLES[set_id]))
    common = {"850": ["BEG", "CUR", "N1", "PO1", "DTM", "CTT", "REF"],
              "855": ["BAK", "PO1", "ACK", "DTM", "CTT"],
              "856": ["BSN", "DTM", "HL", "PRF", "LIN", "SN1", "MAN", "REF", "CTT"],
              "810": ["BIG", "CUR", "N1", "IT1", "TDS", "SAC", "CTT"],
              "997": ["AK1", "AK2", "AK3", "AK4", "AK5", "AK9"]}[set_id]
    tag = st.one_of(st.sampled_from(common), st.sampled_from(common), st.sampled_from(known),
                    st.sampled_from(["ZZZ", "ST", "N9"]))
    return set_id, draw(st.lists(tag, max_size=40))


@settings(max_examples=400)
@given(_set_and_tags())
def test_segment_table_matching_decides_as_the_recursive_scan(case):
    set_id, tags = case
    table = TABLES[set_id]
    expected = _outcome(_reference_validate, table, tags)
    assert _outcome(validate, table, tags) == expected
    assert _outcome(validate, table, tags) == expected


def test_segment_table_matching_agrees_on_a_sound_order_and_a_repeat_limit():
    order = ["BEG", "CUR", "N1", *["PO1", "DTM"] * 3, "CTT"]
    assert _outcome(validate, TABLES["850"], order) is None
    too_many = ["BEG", *["CUR"] * 2, "PO1"]
    assert _outcome(validate, TABLES["850"], too_many) == ("EDI_SEGMENT_REPEAT_EXCEEDED", 5, "CUR")


def test_a_sequence_that_fitted_is_remembered_and_one_that_failed_is_found_afresh_each_time():
    table = (m("AAA"), o("BBB", 2), m("CCC"))
    sound, faulty = ["AAA", "BBB", "CCC"], ["AAA", "BBB", "BBB", "BBB", "CCC"]
    validate(table, sound)
    assert tuple(sound) in _compiled(table).valid
    for first in (1, 7):
        with pytest.raises(FormatError) as raised:
            validate(table, faulty, first)
        assert (raised.value.code, raised.value.segment) == ("EDI_SEGMENT_REPEAT_EXCEEDED", first + 3)
    assert tuple(faulty) not in _compiled(table).valid


def test_remembered_sequences_stop_at_a_fixed_number_of_tags(monkeypatch):
    monkeypatch.setattr(_Compiled, "TAGS_KEPT", 10)
    table = (m("AAA"), o("BBB", MANY), m("CCC"))
    for count in range(8):
        validate(table, ["AAA", *["BBB"] * count, "CCC"])  # 2, 3, 4, ... tags: 2 + 3 + 4 fit in 10
    assert sorted(len(tags) for tags in _compiled(table).valid) == [2, 3, 4]
    validate(table, ["AAA", *["BBB"] * 9, "CCC"])  # still checked in full
    with pytest.raises(FormatError):
        validate(table, ["AAA", "BBB"])


def _reference_ids(segment, start, profile, required):
    pairs = {}
    for position in range(start, len(segment) - 1, 2):
        qualifier, value = segment[position].strip(), segment[position + 1].strip()
        if qualifier and value and qualifier not in pairs:
            pairs[qualifier] = value
    supplier = first_present(pairs, profile.x12_supplier_item_qualifiers)
    buyer = first_present(pairs, profile.x12_buyer_item_qualifiers)
    if buyer is None:
        buyer = first_present(pairs, profile.x12_fallback_item_qualifiers)
    if buyer is None and required:
        buyer = supplier
    return buyer, supplier, first_present(pairs, profile.x12_lot_qualifiers)


_QUALIFIER = st.sampled_from(["BP", "IN", "CB", "VP", "VN", "SA", "UP", "EN", "LT", "B8", "ZZ", "", " BP"])
_VALUE = st.sampled_from(["", " ", "A-1", " B-2 ", "C"])
# One context per profile for the whole run, as one per interchange when reading: the plans it
# keeps per qualifier pattern serve segments of different values and lengths alike.
_CONTEXTS = st.sampled_from([
    Context(DEFAULT_PROFILE),
    Context(replace(DEFAULT_PROFILE, x12_buyer_item_qualifiers=("IN", "IN", "BP"),
                    x12_supplier_item_qualifiers=("BP",))),
    Context(replace(DEFAULT_PROFILE, x12_fallback_item_qualifiers=("VP", "UP"), x12_lot_qualifiers=("VN", "LT", ""))),
])


@settings(max_examples=400)
@given(st.lists(st.one_of(_QUALIFIER, _VALUE), max_size=12), st.integers(1, 6), _CONTEXTS, st.booleans())
def test_item_ids_are_chosen_as_from_the_pairs_dict(elements, start, ctx, required):
    segment = ["PO1", *elements]
    expected = _reference_ids(segment, start, ctx.profile, required)
    for _ in range(2):  # the second time from the plan the first one made
        assert line_ids(segment, start, ctx, required) == expected


_SET_TAGS = st.sampled_from(["SE", "ST", "GE", "GS", "IEA", "PO1", "DTM", "HL", "SN1"])


@settings(max_examples=400)
@given(st.lists(_SET_TAGS, max_size=30), st.lists(st.integers(0, 31), max_size=8))
def test_a_set_ends_at_the_first_envelope_segment_after_it(tags, begins):
    """Asked in the order a reader asks (each set after the one before) or in any order: the
    first SE, ST, GE, GS or IEA from where the set begins, or the end of the interchange."""
    found = _Tags([[tag] for tag in tags])
    for begin in sorted(begins) + begins:
        expected = next((i for i in range(begin, len(tags)) if tags[i] in ("SE", "ST", "GE", "GS", "IEA")), len(tags))
        assert found.set_end(begin) == expected


_TRAILER_PIECES = st.sampled_from(["IEA", "I", "EA", "*", "|", "~", "\n", "\r", "\r\n", "x", "1"])


@settings(max_examples=600)
@given(st.lists(_TRAILER_PIECES, max_size=40).map("".join), st.integers(0, 50),
       st.sampled_from([Delimiters("*", ">", "~"), Delimiters("|", ">", "\n"), Delimiters("*", ">", "\r")]))
def test_an_interchange_trailer_is_found_where_the_pattern_finds_it(text, start, delimiters):
    """The first IEA opening a segment: its terminator at or after `start`, line breaks between."""
    pattern = re.compile(re.escape(delimiters.segment) + r"[\r\n]*IEA" + re.escape(delimiters.element))
    found = pattern.search(text, start)
    assert _trailer_tag_end(text, start, delimiters) == (found.end() if found else -1)


# Lines of the sets below, sound and faulty: a file read at once reads each interchange with what
# the interchanges before it left in memory (values read, unit codes, price bases, ID plans).
_ORDER_LINES = st.sampled_from([
    ["PO1", "1", "10", "EA", "2.50", "PE", "BP", "A-1", "VP", "S-1"], ["PO1", "", "10", "CA", "2.5", "HP", "VP", "S-2"],
    ["PO1", "2", "0", "EA", "1", "PE", "IN", "B"], ["PO1", "x", "10", "EA"], ["PO1", "3", "1.0", "ZZZ", "1", "PE", "BP", "C"],
    ["PO1", "4", "7", "", "", "", "UP", "U-1", "LT", "L"], ["DTM", "002", "20260301"], ["DTM", "067", "2026"],
])
_NOTICE_LINES = st.sampled_from([
    [["HL", "3", "2", "I"], ["LIN", "1", "BP", "A-1", "LT", "L-1"], ["SN1", "", "10", "EA"]],
    [["HL", "4", "2", "I"], ["LIN", "", "VP", "S-1"], ["SN1", "", "2.50", "CA"]],
    [["HL", "5", "2", "I"], ["LIN", "2", "BP", "B"], ["SN1", "", "x", "EA"]],
])
_INVOICE_LINES = st.sampled_from([
    ["IT1", "1", "10", "EA", "2.50", "PE", "BP", "A-1"], ["IT1", "", "2.50", "UN", "10", "HP", "VP", "S-1"],
    ["IT1", "2", "10", "EA", "-1", "PE", "BP", "B"], ["IT1", "3", "10", "LB", "1e3", "TP", "BP", "C"],
])


@st.composite
def _interchange_sets(draw):
    order = [["BEG", "00", "SA", "PO-1", "", "20260301"], ["N1", "SU", "", "92", "S"],
             *draw(st.lists(_ORDER_LINES, min_size=1, max_size=4))]
    notice = [["BSN", "00", "ASN-1", "20260302", "0000"], ["HL", "1", "", "S"], ["HL", "2", "1", "O"],
              ["PRF", "PO-1"], *[s for level in draw(st.lists(_NOTICE_LINES, max_size=3, unique_by=id)) for s in level]]
    invoice = [["BIG", "20260305", "INV-1", "", "PO-1"], *draw(st.lists(_INVOICE_LINES, min_size=1, max_size=3)),
               ["TDS", "2500"]]
    return [("850", order), ("856", notice), ("810", invoice)]


def _read_outcome(text):
    outcome = []
    for interchange, result in read_interchanges(text, strict=False):
        faults = [(e.code, e.message, e.segment, e.tag) for group in interchange.groups for ts in group.sets
                  for e in ts.errors]
        outcome.append((result.control_number, [d.to_json() for d in result.documents], faults))
    return outcome


@settings(max_examples=150)
@given(st.lists(_interchange_sets(), min_size=2, max_size=4))
def test_a_file_reads_as_its_interchanges_read_one_by_one(interchanges):
    texts = [write_segments(wrap(sets, EnvelopeSettings(control_number=number)), Delimiters())
             for number, sets in enumerate(interchanges, 1)]
    assert _read_outcome("".join(texts)) == [found for text in texts for found in _read_outcome(text)]


_LAYOUT_PIECES = st.sampled_from(["ST", "*", "1", "~", "|", "\n", "\r", "\r\n", " ", "\t", "~\n", "~\r\n", "~\n "])


@settings(max_examples=800)
@given(st.lists(_LAYOUT_PIECES, max_size=30).map("".join),
       st.sampled_from([Delimiters("*", ">", "~"), Delimiters("|", ">", "\n"), Delimiters("*", ">", "\r"),
                        Delimiters(" ", ">", "~")]))
def test_segments_split_alike_whatever_the_layout_of_line_breaks_and_indents(chunk, delimiters):
    assert split_segments(chunk, delimiters) == split_any_layout(chunk, delimiters)


def test_a_line_break_after_a_later_terminator_is_layout_though_the_first_has_none():
    assert [s[0] for s in split_segments("ISA*1~GS*2~\nST*3~", Delimiters())] == ["ISA", "GS", "ST"]


def _reference_unit_price(price, basis, profile, what):
    """A line's unit price read afresh: empty is none, a price per hundred is divided by 100."""
    if not price.strip():
        return None
    divisor = profile.x12_price_basis.get(basis.strip(), 1)
    value = decimal(price, what)
    return value if divisor == 1 else value / divisor


def _price_outcome(read):
    try:
        value = read()
    except FormatError as exc:
        return ("error", exc.code, exc.message)
    return ("price", type(value).__name__, repr(value))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["1.25", " 1.25 ", "1.250", "", "  ", "x", "100", "1E+20", "-3", "NaN"]),
                          st.sampled_from(["PE", "HP", " HP", "", "hp", "ZZ", "A1", "A2", "A3", "A4", "A5", "A6",
                                           "A7", "A8", "A9"])), max_size=40))
def test_unit_prices_read_from_memory_as_each_line_reads_them_afresh(lines):
    """Whatever the prices and bases, and however many bases a file sends, each line's price
    (or error) is the one read afresh; a repeat is the very Decimal of its first reading."""
    ctx = Context()
    prices = ctx.prices("PO104")
    for price, basis in lines + lines:
        assert (_price_outcome(lambda: prices[basis][price])
                == _price_outcome(lambda: _reference_unit_price(price, basis, ctx.profile, "PO104")))
    memory = prices["HP"]
    assert memory["1.25"] is memory["1.25"]
