"""Feeding a message's segments to handlers by tag, with error positions filled in."""

from __future__ import annotations

from typing import Callable, Sequence

from mfgsync.formats.errors import FormatError


def walk(segments: Sequence[list], first: int, handlers: dict[str, Callable[[list], None]]) -> None:
    """Call the handler of each segment's tag; an error gets the segment's position in the interchange."""
    for index, segment in enumerate(segments):
        handler = handlers.get(segment[0])
        if handler is None:
            continue
        try:
            handler(segment)
        except FormatError as exc:
            if exc.segment is None:
                exc.segment, exc.tag = first + index, segment[0]
            raise
