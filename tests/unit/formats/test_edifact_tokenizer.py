"""The hub's EDIFACT tokenizer reads every interchange into exactly the segments pydifact reads.

Where the hub's tokenizer answers, its segments are pydifact's; where the input is irregular it
declines (None) and pydifact's own result or error stands. So whatever the input (generated
interchanges, the conformance corpus, hostile text over the service characters, any UNA), the
hub reads what it read with pydifact alone, error codes and messages included.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfgsync.formats import FormatError, decode
from mfgsync.formats.edifact import syntax
from mfgsync.formats.edifact.syntax import (characters, pydifact_segments, pydifact_tokenizer_only, split_interchanges,
                                            write_segments)
from mfgsync.formats.edifact.tokenizer import split_segments

from .test_conformance_corpus import CORPUS, corpus_files

PROFILE = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DEFAULT = characters()


def hub(chunk: str, chars=DEFAULT):
    c = chars
    return split_segments(chunk, c.segment_terminator, c.data_separator, c.component_separator, c.escape_character)


def outcome(read, chunk: str, chars):
    try:
        return read(chunk, chars)
    except FormatError as error:
        return (error.code, str(error))


def assert_same_as_pydifact(chunk: str, chars=DEFAULT) -> None:
    fast = hub(chunk, chars)
    if fast is not None:
        assert fast == pydifact_segments(chunk, chars), chunk  # pydifact must not fail where the hub answers
    with pydifact_tokenizer_only():
        expected = outcome(syntax.tokenize, chunk, chars)
    assert outcome(syntax.tokenize, chunk, chars) == expected


# Text drawn mostly from the service characters, so separators, releases and terminators meet
# in every arrangement: doubled, at the start and end, released, released twice, before spaces.
def hostile_text(service: str) -> st.SearchStrategy[str]:
    return st.text(alphabet=st.sampled_from(list(service) + list("AB1 \t\r\nUNH")), max_size=60)


@PROFILE
@given(hostile_text(":+? '"))
def test_hostile_text_in_default_service_characters_reads_as_pydifact_reads_it(text):
    assert_same_as_pydifact(text)


@PROFILE
@given(st.lists(st.sampled_from(["UNH+1+ORDERS:D:96A:UN'", "BGM+220+PO?+1?'+9'", "NAD+SU+++A??:B'",
                                 "QTY+21:5:C62'", "FTX+AAA+++a:b::c:'", "DTM+2:20260301:102'", "'", " ",
                                 "?", "??", "+", ":", "\n", "UNT+5+1'"]), max_size=12))
def test_segments_glued_in_any_order_read_as_pydifact_reads_them(parts):
    assert_same_as_pydifact("".join(parts))


# Text with no release character and no layout, so the tokenizer's plain path reads it:
# composites of every shape (empty components anywhere, at the end, only empty ones).
plain_segment = st.text(alphabet=st.sampled_from(list(":+AB1")), min_size=1, max_size=20)


@PROFILE
@given(st.lists(plain_segment, min_size=1, max_size=10))
def test_plain_segments_with_composites_of_every_shape_read_as_pydifact_reads_them(segments):
    text = "".join(segment + "'" for segment in segments)
    assert hub(text) is not None or "" in segments
    assert_same_as_pydifact(text)


una_characters = st.lists(st.sampled_from(list(":+?'*~|^!#\\/;,. ")), min_size=6, max_size=6)


@PROFILE
@given(una_characters, st.data())
def test_any_una_service_characters_read_as_pydifact_reads_them(advice, data):
    try:
        chars = characters("".join(advice))
    except FormatError:
        return  # not four distinct delimiters: refused before tokenizing, whatever the tokenizer
    text = data.draw(hostile_text("".join(advice)))
    assert_same_as_pydifact(text, chars)


element_text = st.text(alphabet=st.sampled_from(list(":+?' AZaz09.-") + ["\u00e9", "\u00df"]), max_size=30)
segment = st.tuples(st.sampled_from(["BGM", "NAD", "FTX", "QTY", "RFF"]),
                    st.lists(st.one_of(element_text, st.lists(element_text, min_size=2, max_size=4)), max_size=6))


@pytest.mark.filterwarnings("ignore:Segment .* is empty")  # pydifact's serializer, on empty generated segments
@PROFILE
@given(st.lists(segment, min_size=1, max_size=8), st.booleans())
def test_generated_interchanges_with_released_data_read_as_written(segments, newline):
    """Data holding every service character, written with releases by pydifact's serializer,
    reads back as pydifact reads it, by the hub's own tokenizer (written text is regular)."""
    text = write_segments([[tag, *elements] for tag, elements in segments], with_una=False, newline=newline)
    text = text.replace("\r", "").replace("\n", "")
    assert hub(text) is not None
    assert_same_as_pydifact(text)


@PROFILE
@given(st.integers(min_value=0, max_value=400))
def test_every_truncation_of_an_interchange_reads_as_pydifact_reads_it(cut):
    text = ("UNB+UNOC:3+SENDER:ZZ+RECIPIENT:ZZ+260301:1200+7'UNH+1+ORDERS:D:96A:UN'BGM+220+PO?+1'"
            "NAD+SU+++ACME ?:?' Ltd??'LIN+1++ITEM-1:BP'QTY+21:5:C62'UNS+S'UNT+6+1'UNZ+1+7'")
    assert_same_as_pydifact(text[:cut % (len(text) + 1)])


def test_oversized_elements_and_long_release_runs_read_as_pydifact_reads_them():
    for chunk in ("FTX+AAA+++" + "x" * 100_000 + "'",
                  "FTX+AAA+++" + "?" * 2001 + "''",  # an odd run: the first terminator is data
                  "FTX+AAA+++" + "?" * 2000 + "''",
                  "FTX" + "+" * 5000 + "'" + "NAD" + ":" * 5000 + "'"):
        assert_same_as_pydifact(chunk)


def test_irregular_input_is_left_to_pydifact():
    for chunk in ("BGM+220''UNT+1'", "BGM+220'? X'", "BGM+220", "BGM+220+", "BGM+220?"):
        assert hub(chunk) is None
        assert_same_as_pydifact(chunk)


def test_a_released_terminator_and_release_are_data():
    assert hub("NAD+SU+++ACME ?:?' Ltd??'LIN+1'") == [["NAD", "SU", "", "", "ACME :' Ltd?"], ["LIN", "1"]]


def test_trailing_empty_components_are_dropped_and_leading_ones_kept():
    assert hub("X+a:+:b+a::c+::+:'") == [["X", "a", ["", "b"], ["a", "", "c"], "", ""]]


def interchanges(text: str):
    try:
        return [(raw.chars.segment_terminator, raw.had_una, raw.segments) for raw in split_interchanges(text)]
    except FormatError as error:
        return (error.code, str(error))


def edifact_corpus() -> dict[str, str]:
    texts = {name: decode((CORPUS / name).read_bytes()) for name in corpus_files()}
    return {name: text for name, text in texts.items() if not text.lstrip("\ufeff \r\n").startswith("ISA")}


@pytest.mark.parametrize("name, text", sorted(edifact_corpus().items()))
def test_corpus_interchanges_read_as_pydifact_reads_them(name, text):
    with pydifact_tokenizer_only():
        expected = interchanges(text)
    assert interchanges(text) == expected
