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


class _Level:
    """The entries of one table level, indexed by trigger tag so each segment is placed in O(1)."""

    def __init__(self, entries: tuple["Seg | Loop", ...]):
        self.entries = entries
        self.positions: dict[str, list[int]] = {}
        for index, entry in enumerate(entries):
            self.positions.setdefault(entry.trigger, []).append(index)
        self.mandatory = [i for i, entry in enumerate(entries) if entry.mandatory]
        self.children = {i: _Level(entry.entries[1:]) for i, entry in enumerate(entries) if isinstance(entry, Loop)}


_COMPILED: dict[int, tuple[tuple, _Level]] = {}


def _compiled(table: tuple["Seg | Loop", ...]) -> _Level:
    cached = _COMPILED.get(id(table))
    if cached is None or cached[0] is not table:
        cached = (table, _Level(table))
        _COMPILED[id(table)] = cached
    return cached[1]


def _error(code: str, message: str, tags: list[str], pos: int, first: int) -> FormatError:
    tag = tags[pos] if pos < len(tags) else None
    return FormatError(code, message, segment=first + pos, tag=tag)


def _check_skipped(level: _Level, start: int, stop: int, tags: list[str], pos: int, first: int) -> None:
    """Entries start..stop-1 were passed over: none of them may be mandatory."""
    for index in level.mandatory:
        if start <= index < stop:
            trigger = level.entries[index].trigger
            if pos < len(tags) and trigger in tags[pos:]:
                raise _error("EDI_SEGMENT_OUT_OF_ORDER",
                             f"{tags[pos]} is out of order: {trigger} must come first", tags, pos, first)
            raise FormatError("EDI_MANDATORY_SEGMENT_MISSING", f"mandatory segment {trigger} is missing",
                              segment=first + pos, tag=trigger)


def _match(level: _Level, tags: list[str], pos: int, first: int) -> int:
    current, count = 0, 0  # entry being repeated, and how often it has occurred
    while pos < len(tags):
        candidates = level.positions.get(tags[pos])
        index = next((i for i in candidates if i >= current), None) if candidates else None
        if index is None:
            break  # not at this level from here on: the enclosing level decides
        if index == current:
            count += 1
        else:
            _check_skipped(level, current + (count > 0), index, tags, pos, first)
            current, count = index, 1
        entry = level.entries[index]
        if count > entry.max:
            raise _error("EDI_SEGMENT_REPEAT_EXCEEDED", f"{entry.trigger} occurs more than {entry.max} times here",
                         tags, pos, first)
        pos = _match(level.children[index], tags, pos + 1, first) if index in level.children else pos + 1
    _check_skipped(level, current + (count > 0), len(level.entries), tags, pos, first)
    return pos


def validate(table: tuple["Seg | Loop", ...], tags: list[str], first: int = 1) -> None:
    """Check `tags` (the segments between the message header and trailer) against `table`.

    `first` is the position of tags[0] in the message, so errors carry real segment numbers.
    """
    end = _match(_compiled(table), tags, 0, first)
    if end < len(tags):
        tag = tags[end]
        if tag in _tags_of(table):
            raise _error("EDI_SEGMENT_OUT_OF_ORDER", f"{tag} is not allowed at this position", tags, end, first)
        raise _error("EDI_UNKNOWN_SEGMENT", f"{tag} is not a segment of this message", tags, end, first)
