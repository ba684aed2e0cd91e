"""EDIFACT envelopes: UNB/UNZ (with optional UNG/UNE) and UNH/UNT, references and counts checked.

Faults are recorded where they belong, on the interchange or on a message, so a CONTRL can
reject exactly what was wrong: a broken envelope in its UCI, a broken message in its UCM. Only
input with no UNB to answer raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from mfgsync.formats.edifact.syntax import RawInterchange, Segment, component
from mfgsync.formats.errors import FormatError


@dataclass
class Message:
    reference: str
    type: str
    version: str
    release: str
    agency: str
    association: str
    segments: list[Segment]  # between UNH and UNT
    first: int  # position of segments[0] in the interchange
    errors: list[FormatError] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # of the segments


@dataclass
class Interchange:
    reference: str
    sender: str
    recipient: str
    syntax: str
    decimal_mark: str
    messages: list[Message] = field(default_factory=list)
    errors: list[FormatError] = field(default_factory=list)  # faults of the envelope (UNB/UNZ, UNG/UNE)


def _err(code: str, message: str, number: int, segment: Segment | None) -> FormatError:
    tag = segment[0] if segment and isinstance(segment[0], str) else None
    return FormatError(code, message, segment=number, tag=tag)


def _count(text: str) -> int | None:
    return int(text) if text.isdigit() and text.isascii() and len(text) < 10 else None


def read_envelope(raw: RawInterchange) -> Interchange:
    segments, tags = raw.segments, raw.tags
    decimal_mark = raw.chars.decimal_point
    if not segments:
        raise FormatError("EDI_EMPTY", "the interchange holds no segments")
    if tags[0] == "UNH":  # bare messages with no interchange envelope
        interchange = Interchange("", "", "", "", decimal_mark)
        number = _read_messages(segments, tags, 1, interchange)
        if number <= len(segments):
            raise _err("EDI_SEGMENT_OUT_OF_ORDER", "expected UNH", number, segments[number - 1])
        return interchange
    unb = segments[0]
    if unb[0] != "UNB":
        raise _err("EDIFACT_SYNTAX", f"expected UNB, found {unb[0]}", 1, unb)
    interchange = Interchange(component(unb, 5), component(unb, 2), component(unb, 3), component(unb, 1),
                              decimal_mark)
    try:
        _read_body(segments, tags, interchange)
    except FormatError as exc:
        interchange.errors.append(exc)
    return interchange


def _read_body(segments: list[Segment], tags: list[str], interchange: Interchange) -> None:
    """Groups and messages after the UNB, then the UNZ trailer; the first envelope fault raises."""
    number, groups = 2, 0
    while number <= len(segments) and tags[number - 1] in ("UNH", "UNG"):
        if tags[number - 1] == "UNG":
            groups += 1
            number = _read_group(segments, tags, number, interchange)
        else:
            number = _read_messages(segments, tags, number, interchange)
    if number > len(segments):
        raise FormatError("EDI_TRUNCATED", "the interchange has no UNZ trailer", segment=number, tag="UNZ")
    unz = segments[number - 1]
    if unz[0] != "UNZ":
        raise _err("EDI_SEGMENT_OUT_OF_ORDER", f"expected UNH, UNG or UNZ, found {unz[0]}", number, unz)
    if component(unz, 2) != interchange.reference:
        raise _err("EDIFACT_REFERENCE_MISMATCH",
                   f"UNZ reference {component(unz, 2)!r} does not match UNB {interchange.reference!r}", number, unz)
    expected = groups or len(interchange.messages)
    if _count(component(unz, 1)) != expected:
        raise _err("EDIFACT_COUNT_MISMATCH", f"UNZ counts {component(unz, 1)!r}, the interchange holds {expected}",
                   number, unz)
    if number != len(segments):
        raise _err("EDI_SEGMENT_OUT_OF_ORDER", "segments follow the UNZ trailer", number + 1, segments[number])


def _read_group(segments: list[Segment], tags: list[str], number: int, interchange: Interchange) -> int:
    ung = segments[number - 1]
    before = len(interchange.messages)
    number = _read_messages(segments, tags, number + 1, interchange)
    if number > len(segments) or tags[number - 1] != "UNE":
        raise FormatError("EDI_TRUNCATED", "the group has no UNE trailer", segment=number, tag="UNE")
    une = segments[number - 1]
    if component(une, 2) != component(ung, 5):
        raise _err("EDIFACT_REFERENCE_MISMATCH", "UNE reference does not match UNG", number, une)
    if _count(component(une, 1)) != len(interchange.messages) - before:
        raise _err("EDIFACT_COUNT_MISMATCH", "UNE message count does not match the group", number, une)
    return number + 1


def _read_messages(segments: list[Segment], tags: list[str], number: int, interchange: Interchange) -> int:
    while number <= len(segments) and tags[number - 1] == "UNH":
        unh, start = segments[number - 1], number
        message = Message(component(unh, 1), component(unh, 2, 0), component(unh, 2, 1), component(unh, 2, 2),
                          component(unh, 2, 3), component(unh, 2, 4), [], start + 1)
        interchange.messages.append(message)
        message.tags = _body_tags(tags, start)
        number = start + len(message.tags) + 1
        message.segments = segments[start:number - 1]
        if number > len(segments) or tags[number - 1] != "UNT":
            message.errors.append(FormatError("EDI_TRUNCATED", f"message {message.reference} has no UNT trailer",
                                              segment=number, tag="UNT"))
            continue
        unt = segments[number - 1]
        if component(unt, 2) != message.reference:
            message.errors.append(_err("EDIFACT_REFERENCE_MISMATCH",
                                       f"UNT reference {component(unt, 2)!r} does not match UNH "
                                       f"{message.reference!r}", number, unt))
        elif _count(component(unt, 1)) != number - start + 1:
            message.errors.append(_err("EDIFACT_UNT_COUNT_MISMATCH",
                                       f"UNT counts {component(unt, 1)!r} segments, the message has "
                                       f"{number - start + 1}", number, unt))
        number += 1
    return number


_CUT_SHORT_BY = frozenset(("UNH", "UNE", "UNZ"))  # an envelope segment before a message's UNT


def _body_tags(tags: list[str], begin: int) -> list[str]:
    """The tags of a message's segments from `begin` (just after its UNH) up to the first UNT,
    UNH, UNE or UNZ: the next UNT is looked for by list methods, in C, and only a message cut
    short by another envelope segment is searched tag by tag."""
    try:
        end = tags.index("UNT", begin)
    except ValueError:
        end = len(tags)
    body = tags[begin:end]
    if not _CUT_SHORT_BY.isdisjoint(body):
        body = body[:next(index for index, tag in enumerate(body) if tag in _CUT_SHORT_BY)]
    return body


@dataclass(frozen=True)
class EnvelopeSettings:
    sender: str = "SENDER"
    recipient: str = "RECIPIENT"
    sender_qualifier: str = "ZZ"
    recipient_qualifier: str = "ZZ"
    reference: str = "1"
    syntax: tuple[str, str] = ("UNOC", "3")
    directory: tuple[str, str] = ("D", "96A")
    on: date = date(2000, 1, 1)
    at: time = time(0, 0)
    service_chars: str = ":+.? '"


def wrap(messages: list[tuple[str, list[Segment]]], settings: EnvelopeSettings) -> list[Segment]:
    s = settings
    out: list[Segment] = [["UNB", list(s.syntax), [s.sender, s.sender_qualifier], [s.recipient, s.recipient_qualifier],
                           [s.on.strftime("%y%m%d"), s.at.strftime("%H%M")], s.reference]]
    for number, (kind, body) in enumerate(messages, 1):
        reference = str(number)
        directory = ("D", "3") if kind == "CONTRL" else s.directory  # CONTRL has its own version
        out.append(["UNH", reference, [kind, directory[0], directory[1], "UN"]])
        out.extend(body)
        out.append(["UNT", str(len(body) + 2), reference])
    out.append(["UNZ", str(len(messages)), s.reference])
    return out
