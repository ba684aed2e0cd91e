"""X12 envelopes: ISA/IEA, GS/GE and ST/SE, with their control numbers and counts checked.

Faults are recorded where they belong: on the interchange (answered by a TA1), on a group or a
set (answered by a 997), so an acknowledgement can reject exactly what was wrong and accept the
rest. Only an ISA too broken to answer raises.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, time

from mfgsync.formats.errors import FormatError
from mfgsync.model.identifiers import shown
from mfgsync.formats.x12.syntax import Delimiters, RawInterchange, Segment, element


@dataclass
class TransactionSet:
    set_id: str
    control_number: str
    segments: list[Segment]  # between ST and SE
    first: int  # position of the first of `segments` in the interchange
    errors: list[FormatError] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # the tag of each of `segments`


@dataclass
class Group:
    functional_id: str
    sender: str
    receiver: str
    control_number: str
    version: str
    sets: list[TransactionSet] = field(default_factory=list)
    errors: list[FormatError] = field(default_factory=list)


@dataclass
class Interchange:
    sender_qualifier: str
    sender: str
    receiver_qualifier: str
    receiver: str
    date: str
    time: str
    version: str
    control_number: str
    usage: str
    delimiters: Delimiters
    acknowledgement_requested: bool = False  # ISA14: the sender asks for a TA1
    groups: list[Group] = field(default_factory=list)
    errors: list[FormatError] = field(default_factory=list)  # faults of the envelope itself


_INTERCHANGE_SERVICES = ("ISB", "ISE", "TA1")
_SET_ENDS = frozenset(("SE", "ST", "GE", "GS", "IEA"))  # a set's trailer, or envelope segments cutting it short


def _err(code: str, message: str, number: int, segment: Segment | None) -> FormatError:
    return FormatError(code, message, segment=number, tag=segment[0] if segment else None)


def _count(text: str, what: str, number: int, segment: Segment) -> int:
    digits = text.strip()
    if not digits.isdigit() or not digits.isascii() or len(digits) > _COUNT_DIGITS:
        raise _err("X12_BAD_COUNT", f"{what} {shown(text)} is not a count", number, segment)
    return int(digits)


def _says(text: str, count: int) -> bool:
    """Whether a trailer's count element gives `count`: a text int() cannot read ("¹"), or one of
    more digits than any count has (which int() refuses beyond 4,300), gives none."""
    digits = text.strip()
    return digits.isdecimal() and len(digits) <= _COUNT_DIGITS and int(digits) == count


_COUNT_DIGITS = 10  # X12 counts are N0 of at most ten digits (SE01)


def read_envelope(raw: RawInterchange) -> Interchange:
    segments = raw.segments
    isa = segments[0]
    if len(isa) != 17:
        raise _err("X12_BAD_ISA", f"ISA has {len(isa) - 1} elements, not 16", 1, isa)
    interchange = Interchange(isa[5].strip(), isa[6].strip(), isa[7].strip(), isa[8].strip(),
                              isa[9], isa[10], isa[12], isa[13].strip(), isa[15], raw.delimiters,
                              acknowledgement_requested=isa[14].strip() == "1")
    tags = _Tags(segments)
    number = 2
    while number <= len(segments) and segments[number - 1][0] in _INTERCHANGE_SERVICES:
        number += 1  # ISB/ISE carry no business data
    while number <= len(segments) and segments[number - 1][0] == "GS":
        number = _read_group(segments, tags, number, interchange)
    try:
        _check_trailer(segments, number, interchange, raw.truncated)
    except FormatError as exc:
        interchange.errors.append(exc)
    return interchange


def _check_trailer(segments: list[Segment], number: int, interchange: Interchange, truncated: bool) -> None:
    if truncated:
        raise FormatError("EDI_TRUNCATED", "the interchange has no IEA trailer", tag="IEA")
    if number > len(segments) or segments[number - 1][0] != "IEA":
        found = segments[number - 1] if number <= len(segments) else None
        tag = found[0] if found else "end of input"
        raise _err("EDI_SEGMENT_OUT_OF_ORDER", f"expected GS or IEA, found {tag}", number, found)
    iea = segments[number - 1]
    if element(iea, 2).strip() != interchange.control_number:
        raise _err("X12_CONTROL_NUMBER_MISMATCH",
                   f"IEA02 {element(iea, 2)!r} does not match ISA13 {interchange.control_number!r}", number, iea)
    if _count(element(iea, 1), "IEA01", number, iea) != len(interchange.groups):
        raise _err("X12_GROUP_COUNT_MISMATCH",
                   f"IEA01 says {element(iea, 1)} groups, the interchange holds {len(interchange.groups)}", number, iea)
    if number != len(segments):
        raise _err("EDI_SEGMENT_OUT_OF_ORDER", "segments follow the IEA trailer", number + 1, segments[number])


def _read_group(segments: list[Segment], tags: _Tags, number: int, interchange: Interchange) -> int:
    gs = segments[number - 1]
    group = Group(element(gs, 1), element(gs, 2), element(gs, 3), element(gs, 6).strip(), element(gs, 8))
    interchange.groups.append(group)
    number += 1
    while number <= len(segments) and segments[number - 1][0] == "ST":
        number = _read_set(segments, tags, number, group)
    if number > len(segments) or segments[number - 1][0] != "GE":
        found = segments[number - 1] if number <= len(segments) else None
        group.errors.append(_err("X12_GROUP_TRAILER_MISSING", "the group has no GE trailer", number, found))
        while number <= len(segments) and segments[number - 1][0] not in ("GE", "GS", "IEA"):
            number += 1  # resynchronise on the next envelope segment
        if number > len(segments) or segments[number - 1][0] != "GE":
            return number
    ge = segments[number - 1]
    if element(ge, 2).strip() != group.control_number:
        group.errors.append(_err("X12_CONTROL_NUMBER_MISMATCH",
                                 f"GE02 {element(ge, 2)!r} does not match GS06 {group.control_number!r}", number, ge))
    elif not _says(element(ge, 1), len(group.sets)):
        group.errors.append(_err("X12_SET_COUNT_MISMATCH",
                                 f"GE01 says {shown(element(ge, 1))} sets, the group holds {len(group.sets)}", number, ge))
    return number + 1


class _Tags:
    """The tags of an interchange's segments, and where each set ends.

    A sound set ends at its first SE, found by the list's own search; only once a set is cut
    short (an ST, GE, GS or IEA before its SE, or no SE at all) is every index where a set may
    end found, in one pass, and each set's end from then on is a binary search, however the
    sets are laid out.
    """

    def __init__(self, segments: list[Segment]):
        self.tags = [segment[0] for segment in segments]
        self.ends: list[int] | None = None  # every index where a set may end, once needed

    def set_end(self, begin: int) -> int:
        """Index of the first segment from `begin` that ends a set (len(tags) when none does)."""
        tags = self.tags
        if self.ends is None:
            try:
                trailer = tags.index("SE", begin)
            except ValueError:
                trailer = len(tags)
            if _SET_ENDS.isdisjoint(tags[begin:trailer]):
                return trailer
            self.ends = [index for index, tag in enumerate(tags) if tag in _SET_ENDS]
        found = bisect_left(self.ends, begin)
        return self.ends[found] if found < len(self.ends) else len(tags)


def _read_set(segments: list[Segment], tags: _Tags, number: int, group: Group) -> int:
    st = segments[number - 1]
    start = number
    ts = TransactionSet(element(st, 1), element(st, 2).strip(), [], start + 1)
    group.sets.append(ts)
    number = tags.set_end(start) + 1
    ts.segments, ts.tags = segments[start:number - 1], tags.tags[start:number - 1]
    if number > len(segments) or segments[number - 1][0] != "SE":
        ts.errors.append(_err("X12_SET_TRAILER_MISSING", f"transaction set {ts.control_number} has no SE trailer",
                              number, segments[number - 1] if number <= len(segments) else None))
        return number
    se = segments[number - 1]
    actual = number - start + 1
    if element(se, 2).strip() != ts.control_number:
        ts.errors.append(_err("X12_CONTROL_NUMBER_MISMATCH",
                              f"SE02 {element(se, 2)!r} does not match ST02 {ts.control_number!r}", number, se))
    elif not _says(element(se, 1), actual):
        ts.errors.append(_err("X12_SE_COUNT_MISMATCH",
                              f"SE01 says {shown(element(se, 1))} segments, the set has {actual}", number, se))
    return number + 1


@dataclass(frozen=True)
class EnvelopeSettings:
    """What a rendered interchange carries around its sets."""

    sender: str = "SENDER"
    receiver: str = "RECEIVER"
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    control_number: int = 1
    version: str = "004010"  # or 005010
    on: date = date(2000, 1, 1)
    at: time = time(0, 0)
    usage: str = "P"
    delimiters: Delimiters = Delimiters()


FUNCTIONAL_IDS = {"850": "PO", "855": "PR", "856": "SH", "810": "IN", "997": "FA", "860": "PC"}


def wrap(sets: list[tuple[str, list[Segment]]], settings: EnvelopeSettings) -> list[Segment]:
    """ISA, one GS per functional id, ST/SE around each body, GE and IEA, counts and numbers set."""
    s, d = settings, settings.delimiters
    isa_version = "00401" if s.version.startswith("0040") else "00501"
    isa11 = "U" if isa_version == "00401" else (d.repetition or "^")
    control = f"{s.control_number:09d}"
    out: list[Segment] = [["ISA", "00", " " * 10, "00", " " * 10, s.sender_qualifier.ljust(2),
                           s.sender.ljust(15), s.receiver_qualifier.ljust(2), s.receiver.ljust(15),
                           s.on.strftime("%y%m%d"), s.at.strftime("%H%M"), isa11, isa_version, control,
                           "0", s.usage, d.component]]
    groups: dict[str, list[tuple[str, list[Segment]]]] = {}
    for set_id, body in sets:
        groups.setdefault(FUNCTIONAL_IDS.get(set_id, "ZZ"), []).append((set_id, body))
    for group_number, (functional_id, members) in enumerate(groups.items(), 1):
        gcn = str(s.control_number * 100 + group_number) if len(groups) > 1 else str(s.control_number)
        out.append(["GS", functional_id, s.sender, s.receiver, s.on.strftime("%Y%m%d"),
                    s.at.strftime("%H%M"), gcn, "X", s.version])
        for set_number, (set_id, body) in enumerate(members, 1):
            stcn = f"{set_number:04d}"
            out.append(["ST", set_id, stcn])
            out.extend(body)
            out.append(["SE", str(len(body) + 2), stcn])
        out.append(["GE", str(len(members)), gcn])
    out.append(["IEA", str(len(groups)), control])
    return out
