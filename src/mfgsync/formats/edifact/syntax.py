"""EDIFACT syntax: the hub's tokenizer (pydifact's for irregular input) and pydifact's serializer.

pydifact tokenizes one interchange well (release character, `??` before a terminator), but char
by char; the hub's tokenizer gives the same segments by splitting. What pydifact lacks is handled
here: a file of several interchanges each with its own UNA, the ISO 9735 default decimal mark '.'
when there is no UNA, and positions for errors. Its exceptions never leave this module: every
failure becomes a FormatError.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import Iterator, Union

from pydifact.control import Characters
from pydifact.parser import Parser, TokenIterator
from pydifact.segments import Segment as PydifactSegment
from pydifact.serializer import Serializer
from pydifact.tokenizer import Tokenizer

from mfgsync.formats.edifact.tokenizer import split_segments
from mfgsync.formats.errors import FormatError, check_size

Element = Union[str, list[str]]
Segment = list[Element]  # [tag, element1, ...]; a composite element is a list of components

DEFAULT_SERVICE_CHARS = ":+.? '"  # ISO 9735 defaults (decimal mark '.')
_LEADING_JUNK = "\ufeff \t\r\n\x00"


def characters(advice: str = DEFAULT_SERVICE_CHARS) -> Characters:
    chars = Characters.from_str("UNA" + advice)  # pydifact drops a leading UNA: advice starting with one is data
    separators = [chars.component_separator, chars.data_separator, chars.escape_character,
                  chars.segment_terminator]
    if len(set(separators)) != 4 or any(c.isalnum() for c in separators):
        raise FormatError("EDIFACT_BAD_UNA", f"UNA{advice} does not give four distinct delimiters",
                          segment=1, tag="UNA")
    return chars


def component(segment: Segment, position: int, index: int = 0) -> str:
    """Component `index` (0-based) of element `position` (1-based); '' when absent."""
    if position >= len(segment):
        return ""
    value = segment[position]
    if isinstance(value, list):
        return value[index] if index < len(value) else ""
    return value if index == 0 else ""


def components(segment: Segment, position: int, count: int) -> list[str]:
    """Components 0..count-1 of element `position` (1-based), '' for those absent: one call for
    a whole composite."""
    value = segment[position] if position < len(segment) else ""
    found = value[:count] if isinstance(value, list) else [value]
    return found + [""] * (count - len(found)) if len(found) < count else found


@dataclass
class RawInterchange:
    chars: Characters
    segments: list[Segment]  # UNB .. UNZ (or bare UNH .. UNT messages)
    had_una: bool
    tags: list[str]  # of the segments, in order


def _unescaped_end(text: str, start: int, chars: Characters) -> int:
    """Index just after the first segment terminator from `start` that is not released."""
    term, release = chars.segment_terminator, chars.escape_character
    pos = start
    while True:
        found = text.find(term, pos)
        if found < 0:
            return -1
        run = 0
        while found - run - 1 >= start and text[found - run - 1] == release:
            run += 1
        if run % 2 == 0:
            return found + 1
        pos = found + 1


def split_interchanges(text: str) -> Iterator[RawInterchange]:
    """Each interchange of `text` (a UNA applies to the interchange that follows it)."""
    check_size(text)
    pos = _skip(text, 0)
    if pos >= len(text):
        raise FormatError("EDI_EMPTY", "the input holds no interchange")
    while pos < len(text):
        had_una = text.startswith("UNA", pos)
        if had_una:
            if len(text) - pos < 9:
                raise FormatError("EDI_TRUNCATED", "the input ends inside UNA", tag="UNA")
            chars = characters(text[pos + 3:pos + 9])
            pos = _skip(text, pos + 9)
        else:
            chars = characters()
        end = _interchange_end(text, pos, chars)
        segments, tags = tokens(text[pos:end], chars)
        yield RawInterchange(chars, segments, had_una, tags)
        pos = _skip(text, end)


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _LEADING_JUNK:
        pos += 1
    return pos


def _interchange_end(text: str, pos: int, chars: Characters) -> int:
    if not text.startswith("UNB", pos):
        return len(text)  # bare messages, or garbage the tokenizer will report
    trailer = re.compile(re.escape(chars.segment_terminator) + r"\s*UNZ" + re.escape(chars.data_separator))
    found = trailer.search(text, pos)
    if not found:
        return len(text)  # the envelope check reports the missing UNZ
    end = _unescaped_end(text, found.end(), chars)
    return len(text) if end < 0 else end


def tokenize(chunk: str, chars: Characters) -> list[Segment]:
    """The segments of one interchange: the hub's tokenizer where the input is regular, pydifact's
    where it is not (both give the same segments; see tokenizer.py)."""
    return tokens(chunk, chars)[0]


def tokens(chunk: str, chars: Characters) -> tuple[list[Segment], list[str]]:
    """The segments of one interchange (see tokenize) and their tags, each checked to be one: the
    envelope and the segment tables read the tags, so they are taken out once."""
    if chars.segment_terminator not in "\r\n":
        chunk = chunk.replace("\r", "").replace("\n", "")  # line breaks are layout (even mid-segment)
    segments = None
    if _hub_tokenizer[0]:
        segments = split_segments(chunk, chars.segment_terminator, chars.data_separator, chars.component_separator,
                                  chars.escape_character)
    if segments is None:
        segments = pydifact_segments(chunk, chars)
    try:  # an interchange repeats a few tags: each distinct one is judged once
        tags = list(map(itemgetter(0), segments))
        sound = all(map(_is_tag, set(tags)))
    except (TypeError, IndexError):  # a composite (unhashable) tag, or an empty segment
        sound = False
    if not sound:
        for number, segment in enumerate(segments, 1):
            tag = segment[0] if segment else ""
            if not _is_tag(tag):
                raise FormatError("EDIFACT_SYNTAX", f"{tag!r} is not a segment tag", segment=number)
    return segments, tags


def _is_tag(tag: object) -> bool:
    return isinstance(tag, str) and tag.isalnum() and tag.isascii() and 1 <= len(tag) <= 3


_hub_tokenizer = [True]  # off only inside pydifact_tokenizer_only()


@contextmanager
def pydifact_tokenizer_only() -> Iterator[None]:
    """Reading as before the hub's tokenizer, pydifact tokenizing every interchange: the baseline
    the benchmark and the differential tests hold the hub's tokenizer to."""
    _hub_tokenizer[0] = False
    try:
        yield
    finally:
        _hub_tokenizer[0] = True


def pydifact_segments(chunk: str, chars: Characters) -> list[Segment]:
    """The segments pydifact's tokenizer and parser read from `chunk`; its errors as FormatErrors."""
    try:
        tokens = TokenIterator(Tokenizer().get_tokens(chunk, chars))
        return list(Parser().convert_tokens_to_raw_segments(tokens))
    except Exception as exc:  # pydifact raises EDISyntaxError, but also asserts on hostile input
        message = str(exc) or type(exc).__name__
        code = "EDI_TRUNCATED" if "end of EDI" in message else "EDIFACT_SYNTAX"
        raise FormatError(code, f"EDIFACT syntax: {message}") from None


def write_segments(segments: list[Segment], chars: Characters | None = None, with_una: bool = True,
                   newline: bool = True) -> str:
    chars = chars or characters()
    trimmed = []
    for segment in segments:
        while len(segment) > 1 and segment[-1] in ("", []):
            segment = segment[:-1]
        trimmed.append(PydifactSegment(segment[0], *segment[1:]))
    return Serializer(chars).serialize(trimmed, with_una_header=with_una, break_lines=newline)
