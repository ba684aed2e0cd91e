"""Implementation-guide-style message structure: segments in order, with usage and repeats.

A table is a list of entries, each a segment or a loop whose first entry is its trigger segment.
Matching is greedy and linear: a segment that no remaining entry accepts is out of order (or not in
the guide at all), a mandatory entry never seen is missing. Errors name the segment and its position.

Whether a message fits its table depends on nothing but its sequence of tags, and a file's
messages repeat a handful of sequences; a sequence that fitted once is recognised by lookup.
"""

from __future__ import annotations

import sys
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
    """The entries of one table level, compiled so each segment is placed with one dict lookup.

    `after[current][tag]` is the first entry at or after `current` that `tag` triggers: matching is
    greedy, so that is where the segment goes. Only the guide's tags are keys, so the tables stay
    the size of the guide whatever the input holds.
    """

    __slots__ = ("entries", "maxes", "mandatory", "mandatory_before", "after", "children")

    def __init__(self, entries: tuple["Seg | Loop", ...]):
        self.entries = entries
        self.maxes = [entry.max for entry in entries]
        self.mandatory = [i for i, entry in enumerate(entries) if entry.mandatory]
        # mandatory_before[i]: how many mandatory entries precede entry i (skips are checked in O(1))
        self.mandatory_before = [0]
        for entry in entries:
            self.mandatory_before.append(self.mandatory_before[-1] + entry.mandatory)
        self.after: list[dict[str, int]] = [{}] * (len(entries) + 1)
        for index in range(len(entries) - 1, -1, -1):
            self.after[index] = {**self.after[index + 1], entries[index].trigger: index}
        self.children = {i: _Level(entry.entries[1:]) for i, entry in enumerate(entries) if isinstance(entry, Loop)}


class _Compiled:
    """A table's root level, and the tag sequences already found to fit it.

    Only sequences that fitted are remembered (an error carries positions, so it is always found
    afresh), and only up to TAGS_KEPT tags in all, so hostile input cannot grow it without bound.
    The tags kept are interned: a valid sequence holds only the guide's tags, so that set is small,
    and every remembered sequence shares its strings instead of keeping the input's copies alive.
    """

    TAGS_KEPT = 100_000  # under 1 MB of references per table

    __slots__ = ("table", "root", "valid", "room")

    def __init__(self, table: tuple["Seg | Loop", ...]):
        self.table, self.root = table, _Level(table)
        self.valid: set[tuple[str, ...]] = set()
        self.room = self.TAGS_KEPT

    def remember(self, tags: tuple[str, ...]) -> None:
        if len(tags) <= self.room:
            self.room -= len(tags)
            self.valid.add(tuple(map(sys.intern, tags)))


_COMPILED: dict[int, _Compiled] = {}


def _compiled(table: tuple["Seg | Loop", ...]) -> _Compiled:
    cached = _COMPILED.get(id(table))
    if cached is None or cached.table is not table:
        cached = _Compiled(table)
        _COMPILED[id(table)] = cached
    return cached


def _error(code: str, message: str, tags: list[str], pos: int, first: int) -> FormatError:
    tag = tags[pos] if pos < len(tags) else None
    return FormatError(code, message, segment=first + pos, tag=tag)


def _check_skipped(level: _Level, start: int, stop: int, tags: list[str], pos: int, first: int) -> None:
    """Entries start..stop-1 were passed over: none of them may be mandatory."""
    if level.mandatory_before[stop] == level.mandatory_before[start]:
        return
    for index in level.mandatory:
        if start <= index < stop:
            trigger = level.entries[index].trigger
            if pos < len(tags) and trigger in tags[pos:]:
                raise _error("EDI_SEGMENT_OUT_OF_ORDER",
                             f"{tags[pos]} is out of order: {trigger} must come first", tags, pos, first)
            raise FormatError("EDI_MANDATORY_SEGMENT_MISSING", f"mandatory segment {trigger} is missing",
                              segment=first + pos, tag=trigger)


def _match(root: _Level, tags: list[str], first: int) -> int:
    """Place each tag in turn; the position of the first tag that no open level accepts (or the end).

    The innermost open level is held in locals; the levels enclosing it wait on a stack (this
    replaces recursion). A tag a level cannot place closes that level and is offered to the
    enclosing one.
    """
    stack: list[tuple[_Level, int, int]] = []  # enclosing levels: (level, entry being repeated, its count)
    level, current, count = root, 0, 0
    after, maxes, children = root.after, root.maxes, root.children
    pos = 0
    for tag in tags:
        index = after[current].get(tag)
        while index is None:  # not at this level: close it and offer the tag to the enclosing one
            _check_skipped(level, current + (count > 0), len(level.entries), tags, pos, first)
            if not stack:
                return pos
            level, current, count = stack.pop()
            after, maxes, children = level.after, level.maxes, level.children
            index = after[current].get(tag)
        if index == current:
            count += 1
        else:
            skipped_from = current + (count > 0)
            if level.mandatory_before[index] != level.mandatory_before[skipped_from]:
                _check_skipped(level, skipped_from, index, tags, pos, first)
            current, count = index, 1
        if count > maxes[index]:
            entry = level.entries[index]
            raise _error("EDI_SEGMENT_REPEAT_EXCEEDED", f"{entry.trigger} occurs more than {entry.max} times here",
                         tags, pos, first)
        pos += 1
        child = children.get(index)
        if child is not None:
            stack.append((level, current, count))
            level, current, count = child, 0, 0
            after, maxes, children = child.after, child.maxes, child.children
    while True:  # the input ended: every open level, innermost first, must have had its mandatory entries
        _check_skipped(level, current + (count > 0), len(level.entries), tags, pos, first)
        if not stack:
            return pos
        level, current, count = stack.pop()


def validate(table: tuple["Seg | Loop", ...], tags: list[str], first: int = 1) -> None:
    """Check `tags` (the segments between the message header and trailer) against `table`.

    `first` is the position of tags[0] in the message, so errors carry real segment numbers.
    """
    compiled = _compiled(table)
    sequence = tuple(tags)
    if sequence in compiled.valid:
        return
    end = _match(compiled.root, tags, first)
    if end < len(tags):
        tag = tags[end]
        if tag in _tags_of(table):
            raise _error("EDI_SEGMENT_OUT_OF_ORDER", f"{tag} is not allowed at this position", tags, end, first)
        raise _error("EDI_UNKNOWN_SEGMENT", f"{tag} is not a segment of this message", tags, end, first)
    compiled.remember(sequence)
