"""X12 syntax: delimiters from the fixed-width ISA, interchanges split into segments and elements.

X12 has no release character, so reading is splitting: find the ISA, take its delimiters, find
the IEA that closes it, split between. A segment is a list of strings, element 0 being the tag;
empty elements keep their positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import repeat
from typing import Iterator

from mfgsync.formats.errors import FormatError, check_size

Segment = list[str]

ISA_LENGTH = 106  # with its terminator
_ISA_ELEMENTS = 16
_LEADING_JUNK = "\ufeff \t\r\n\x00"


@dataclass(frozen=True)
class Delimiters:
    element: str = "*"
    component: str = ">"
    segment: str = "~"
    repetition: str | None = None  # ISA11 from 00402 on; in 00401 ISA11 is a standards id

    def reserved(self) -> str:
        return self.element + self.component + self.segment + (self.repetition or "")


def element(segment: Segment, position: int) -> str:
    """Element `position` (1-based) of a segment, '' when the segment stops before it."""
    return segment[position] if position < len(segment) else ""


def elements(segment: Segment, count: int) -> Segment:
    """Elements 1..count of a segment, '' for those it stops before: one call for a whole segment."""
    values = segment[1:count + 1]
    if len(values) < count:
        values += [""] * (count - len(values))
    return values


def _delimiters(text: str, start: int) -> tuple[Delimiters, int]:
    """Delimiters of the ISA at `start` and the index just after its segment terminator."""
    if len(text) - start < 16:
        raise FormatError("EDI_TRUNCATED", "the input ends inside the ISA header", segment=1, tag="ISA")
    sep = text[start + 3]
    if sep.isalnum() or sep.isspace():
        raise FormatError("X12_BAD_ISA", f"ISA element separator {sep!r} is not a delimiter", segment=1, tag="ISA")
    # Fixed width is the rule, but short or padded headers exist: count separators instead.
    parts = text[start:start + 2 * ISA_LENGTH].split(sep, _ISA_ELEMENTS)
    if len(parts) <= _ISA_ELEMENTS or len(parts[_ISA_ELEMENTS]) < 2:
        raise FormatError("EDI_TRUNCATED", "the ISA header is incomplete", segment=1, tag="ISA")
    component, terminator = parts[_ISA_ELEMENTS][0], parts[_ISA_ELEMENTS][1]
    version, isa11 = parts[12], parts[11]
    repetition = isa11 if version >= "00402" and isa11 and not isa11.isalnum() else None
    chosen = (sep, component, terminator) + ((repetition,) if repetition else ())
    if len(set(chosen)) != len(chosen) or component.isalnum() or terminator.isalnum():
        raise FormatError("X12_BAD_ISA", "ISA delimiters are not distinct non-alphanumeric characters",
                          segment=1, tag="ISA")
    end = start + sum(len(p) + 1 for p in parts[:_ISA_ELEMENTS]) + 2
    return Delimiters(sep, component, terminator, repetition), end


def _skip_junk(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _LEADING_JUNK:
        pos += 1
    return pos


@dataclass
class RawInterchange:
    delimiters: Delimiters
    segments: list[Segment]  # ISA .. IEA
    truncated: bool = False  # the input ended before an IEA: segments run to its end


def split_interchanges(text: str) -> Iterator[RawInterchange]:
    """Every ISA..IEA interchange of `text`, each with its own delimiters, split into segments."""
    check_size(text)
    pos = _skip_junk(text, 0)
    if pos >= len(text):
        raise FormatError("EDI_EMPTY", "the input holds no interchange")
    while pos < len(text):
        if not text.startswith("ISA", pos):
            raise FormatError("X12_BAD_ISA", "expected an ISA interchange header", tag=text[pos:pos + 3])
        delimiters, body_start = _delimiters(text, pos)
        after_trailer_tag = _trailer_tag_end(text, body_start - 1, delimiters)
        if after_trailer_tag < 0:  # still an interchange: its header can be answered
            yield RawInterchange(delimiters, split_segments(text[pos:], delimiters), truncated=True)
            return
        end = text.find(delimiters.segment, after_trailer_tag)
        end = len(text) if end < 0 else end + 1
        yield RawInterchange(delimiters, split_segments(text[pos:end], delimiters))
        pos = _skip_junk(text, end)


def _trailer_tag_end(text: str, start: int, delimiters: Delimiters) -> int:
    """Index just after the first IEA tag and its element separator that opens a segment: a
    segment terminator at or after `start` before it, nothing but line breaks between; -1 if none.

    Each "IEA" + separator the text's own search finds is checked by looking back over the line
    breaks before it, so reading costs no pass of a pattern over every terminator of the
    interchange; each line break is looked at once at most.
    """
    term, tag = delimiters.segment, "IEA" + delimiters.element
    at = text.find(tag, start + 1)
    while at >= 0:
        run = at  # the line breaks right before the tag start here
        while run > start and text[run - 1] in "\r\n":
            run -= 1
        if term in text[run:at] if term in "\r\n" else run > start and text[run - 1] == term:
            return at + len(tag)
        at = text.find(tag, at + 1)
    return -1


def _layout_suffix(chunk: str, term: str) -> str:
    """The line break the first terminator is followed by ('' for none)."""
    end = chunk.find(term)
    return "\r\n" if chunk.startswith("\r\n", end + 1) else "\n" if chunk.startswith("\n", end + 1) else ""


def _regular(chunk: str, term: str, suffix: str, separated: int) -> bool:
    """Whether every terminator of `chunk` is followed by `suffix`, given how many are
    (`separated`, found by the split itself), and no other line break stands anywhere."""
    body = chunk.rstrip("\r\n")  # a file may end with line breaks
    # Whether the body's last terminator has its line break in the tail; if not, it may end the file bare.
    last_broken = bool(suffix) and body.endswith(term) and chunk.startswith(suffix, len(body))
    terminators = chunk.count(term) - (body.endswith(term) and not last_broken)
    inside = separated - last_broken  # the separators in the body, which hold its every line break
    return (separated >= terminators and _occurs(body, "\n", inside * suffix.count("\n"))
            and _occurs(body, "\r", inside * suffix.count("\r")))


def _occurs(text: str, char: str, times: int) -> bool:
    """Whether `char` stands `times` times in `text`: where it may not stand at all (a line break
    the layout has none of), a search that stops at the first says so without counting."""
    return char not in text if times == 0 else text.count(char) == times


def split_segments(chunk: str, delimiters: Delimiters) -> list[Segment]:
    term, sep = delimiters.segment, delimiters.element
    if term not in "\r\n" and "\t" not in chunk:
        suffix = _layout_suffix(chunk, term)
        if term + suffix + " " not in chunk:
            pieces = chunk.split(term + suffix)  # the common, regular layout: no copy of the text needed
            if _regular(chunk, term, suffix, len(pieces) - 1):
                if pieces and not pieces[-1].strip():
                    pieces.pop()
                elif pieces:  # the last segment, unless it was followed by its line break
                    last = pieces[-1].rstrip("\r\n")
                    pieces[-1] = last[:-len(term)] if last.endswith(term) else last
                return list(map(str.split, pieces, repeat(sep)))  # each piece split in C, no loop of bytecodes
    return split_any_layout(chunk, delimiters)


def split_any_layout(chunk: str, delimiters: Delimiters) -> list[Segment]:
    """The segments of `chunk` whatever its layout: what split_segments gives, the long way."""
    term, sep = delimiters.segment, delimiters.element
    # Line breaks after terminators are layout, not data (X12 data never holds them).
    if term not in "\r\n":
        chunk = chunk.replace("\r", "").replace("\n", "")
    elif term == "\n":
        chunk = chunk.replace("\r", "")
    if sep not in " \t" and (term + " " in chunk or term + "\t" in chunk):
        chunk = re.sub(re.escape(term) + r"[ \t]+", term, chunk)  # indented segments
    pieces = chunk.split(term)
    if pieces and not pieces[-1].strip():
        pieces.pop()
    return list(map(str.split, pieces, repeat(sep)))  # each piece split in C, no loop of bytecodes


def write_segments(segments: list[Segment], delimiters: Delimiters, newline: bool = True) -> str:
    """Segments as X12 text; data holding a delimiter is refused (X12 has no escape)."""
    reserved = delimiters.reserved()
    terminator = delimiters.segment + ("\n" if newline and delimiters.segment != "\n" else "")
    out = []
    for number, segment in enumerate(segments, 1):
        while len(segment) > 1 and segment[-1] == "":
            segment = segment[:-1]  # trailing empty elements are not written
        for position, value in enumerate(segment[1:], 1):
            if any(ch in reserved for ch in value) and not (segment[0] == "ISA" and position >= 11):
                raise FormatError("X12_DELIMITER_IN_DATA", f"{value!r} contains a delimiter",
                                  segment=number, tag=segment[0], element=position)
        out.append(delimiters.element.join(segment))
    return terminator.join(out) + terminator
