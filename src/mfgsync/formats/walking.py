"""Feeding a message's segments to handlers by tag, with error positions filled in."""

from __future__ import annotations

from typing import Callable, Sequence

from mfgsync.formats.errors import FormatError


def walk(segments: Sequence[list], first: int, handlers: dict[str, Callable[[list], None]]) -> None:
    """Call the handler of each segment's tag; an error gets the segment's position in the interchange.

    The position is looked for only once a handler fails (each segment is a list of its own, as
    the tokenizers make them), so walking counts nothing.
    """
    handler_of = handlers.get
    for segment in segments:
        handler = handler_of(segment[0])
        if handler is None:
            continue
        try:
            handler(segment)
        except FormatError as exc:
            if exc.segment is None:
                exc.segment, exc.tag = first + _position(segments, segment), segment[0]
            raise


def _position(segments: Sequence[list], segment: list) -> int:
    """Index of `segment` itself (not of an equal one) in `segments`."""
    return next(index for index, candidate in enumerate(segments) if candidate is segment)
