"""The faster reading paths decide exactly as the straightforward ones they replaced.

Each reference below is the earlier implementation, kept here as the oracle: segment-table
matching (a recursive scan of candidate entries), item IDs (a dict of qualifier pairs, then
the profile's lists in order), where an X12 set ends (the first envelope segment after it) and
where an interchange's trailer is (a regular expression). Hypothesis feeds both the same input and compares the outcome,
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
from mfgsync.formats.segment_table import MANY, _compiled, _Compiled, _tags_of, m, o, validate
from mfgsync.formats.x12.common import LOT, Context, ids_by_role, item_ids
from mfgsync.formats.x12.envelope import _Tags
from mfgsync.formats.x12.syntax import Delimiters, _trailer_tag_end
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
        found = ids_by_role(segment, start, ctx)
        assert (*item_ids(found, required), found[LOT]) == expected


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
