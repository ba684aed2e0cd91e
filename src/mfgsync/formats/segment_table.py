"""Implementation-guide-style message structure: segments in order, with usage and repeats.

A table is a list of entries, each a segment or a loop whose first entry is its trigger segment.
Matching is greedy and linear: a segment that no remaining entry accepts is out of order (or not in
the guide at all), a mandatory entry never seen is missing. Errors name the segment and its position.
"""

from __future__ import annotations

from dataclasses import dataclass

from mfgsync.formats.errors import FormatError

MANY = 1_000_000  # ">1" in the guides


@dataclass(frozen=True)
class Seg:
    tag: str
    mandatory: bool = False
    max: int = 1

    @property
    def trigger(self) -> str:
        return self.tag


@dataclass(frozen=True)
class Loop:
    name: str
    entries: tuple["Seg | Loop", ...]
    mandatory: bool = False
    max: int = MANY

    @property
    def trigger(self) -> str:
        return self.entries[0].trigger


def m(tag: str, repeats: int = 1) -> Seg:
    return Seg(tag, True, repeats)


def o(tag: str, repeats: int = 1) -> Seg:
    return Seg(tag, False, repeats)


def loop(name: str, *entries: "Seg | Loop", mandatory: bool = False, repeats: int = MANY) -> Loop:
    return Loop(name, tuple(entries), mandatory, repeats)


def _tags_of(entries: tuple["Seg | Loop", ...]) -> set[str]:
    tags: set[str] = set()
    for entry in entries:
        tags |= _tags_of(entry.entries) if isinstance(entry, Loop) else {entry.tag}
    return tags


def _error(code: str, message: str, tags: list[str], pos: int, first: int) -> FormatError:
    tag = tags[pos] if pos < len(tags) else None
    return FormatError(code, message, segment=first + pos, tag=tag)


def _match(entries: tuple["Seg | Loop", ...], tags: list[str], pos: int, first: int) -> int:
    for entry in entries:
        trigger, count = entry.trigger, 0
        while pos < len(tags) and tags[pos] == trigger:
            count += 1
            if count > entry.max:
                raise _error("EDI_SEGMENT_REPEAT_EXCEEDED",
                             f"{trigger} occurs more than {entry.max} times here", tags, pos, first)
            if isinstance(entry, Loop):
                pos = _match(entry.entries[1:], tags, pos + 1, first)
            else:
                pos += 1
        if count == 0 and entry.mandatory:
            if pos < len(tags) and trigger in tags[pos:]:
                raise _error("EDI_SEGMENT_OUT_OF_ORDER",
                             f"{tags[pos]} is out of order: {trigger} must come first", tags, pos, first)
            raise FormatError("EDI_MANDATORY_SEGMENT_MISSING", f"mandatory segment {trigger} is missing",
                              segment=first + pos, tag=trigger)
    return pos


def validate(table: tuple["Seg | Loop", ...], tags: list[str], first: int = 1) -> None:
    """Check `tags` (the segments between the message header and trailer) against `table`.

    `first` is the position of tags[0] in the message, so errors carry real segment numbers.
    """
    end = _match(table, tags, 0, first)
    if end < len(tags):
        tag = tags[end]
        if tag in _tags_of(table):
            raise _error("EDI_SEGMENT_OUT_OF_ORDER", f"{tag} is not allowed at this position", tags, end, first)
        raise _error("EDI_UNKNOWN_SEGMENT", f"{tag} is not a segment of this message", tags, end, first)
