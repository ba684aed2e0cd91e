"""The hub's EDIFACT tokenizer: segments, elements and components by splitting, not char by char.

It gives exactly the segments pydifact's tokenizer and parser give, for the input both read the
same way: text cut at each unreleased segment terminator, the spaces and line breaks after a
terminator dropped, elements cut at the data separator, components at the component separator
(an element of one component is its text, of none ''; trailing empty components are dropped),
a released character taken as data. Whatever is irregular (an empty segment, text after the last
terminator, a release character at the very end or before a line break, a released space at the
start of a segment) is answered with None: pydifact then reads it, so its exact result or error
stays the behaviour there. Splitting is done by str methods in C, and only segments that hold a
release character are walked piece by piece.
"""

from __future__ import annotations

import re
from functools import lru_cache

_AFTER_TERMINATOR = " \r\n"  # what pydifact skips after a segment terminator


def split_segments(chunk: str, term: str, sep: str, comp: str, release: str) -> list[list] | None:
    """The segments of `chunk` ([tag, element, ...], a composite element a list), or None when
    the input is irregular and pydifact must decide."""
    if release in _AFTER_TERMINATOR:
        return None  # a release character pydifact might also skip as layout
    if release in chunk:
        if release + "\n" in chunk or release + "\r" in chunk or chunk.endswith(release):
            return None
        pieces = _rejoin_released(chunk.split(term), term, release)
    else:
        pieces = chunk.split(term)
    if len(pieces) < 2 or pieces.pop().lstrip(_AFTER_TERMINATOR):
        return None  # no terminator, or text after the last one (pydifact raises or drops it)
    if (release not in chunk and term not in _AFTER_TERMINATOR and term + " " not in chunk
            and "\r" not in chunk and "\n" not in chunk):
        # An element ends in a component separator only before a data separator or a terminator.
        return _plain_segments(pieces, sep, comp, comp + sep in chunk or comp + term in chunk)
    segments = []
    append = segments.append
    released = _released_splitter(sep, comp, release)
    first = True
    for piece in pieces:
        if not first and piece[:1] in _AFTER_TERMINATOR:
            piece = piece.lstrip(_AFTER_TERMINATOR)
        if not piece:
            return None  # an empty segment: pydifact reads the terminator into the next one
        first = False
        if release in piece:
            if piece[0] == release and piece[1:2] in _AFTER_TERMINATOR:
                return None  # pydifact skips a released space after a terminator too
            append(_released_elements(piece, sep, comp, release, released))
            continue
        elements = piece.split(sep)
        if comp in piece:
            elements = [_composite(element.split(comp)) if comp in element else element for element in elements]
        append(elements)
    return segments


def _plain_segments(pieces: list[str], sep: str, comp: str, empty_components: bool) -> list[list] | None:
    """The common case: no release character, nothing after the terminators. Every segment is
    split into its elements at once; only those holding a component separator are looked at
    again, element by element, each composite split in its place (a loop in place costs less
    than a comprehension per segment). `empty_components`: whether some element may end in empty
    components, which _composite drops."""
    if "" in pieces:
        return None  # an empty segment: pydifact reads the terminator into the next one
    segments = [piece.split(sep) for piece in pieces]
    for elements, piece in zip(segments, pieces):
        if comp in piece:
            index = 0
            for element in elements:
                if comp in element:
                    elements[index] = _composite(element.split(comp)) if empty_components else element.split(comp)
                index += 1
    return segments


def _rejoin_released(pieces: list[str], term: str, release: str) -> list[str]:
    """Pieces cut at every terminator, joined again where the terminator was released (an odd
    run of release characters before it)."""
    out: list[str] = []
    held = None
    for piece in pieces:
        if held is not None:
            piece = held + term + piece
            held = None
        if piece.endswith(release) and (len(piece) - len(piece.rstrip(release))) % 2:
            held = piece
        else:
            out.append(piece)
    if held is not None:
        out.append(held)  # cannot happen: the chunk does not end with a release character
    return out


def _composite(components: list[str]) -> str | list[str]:
    while components and components[-1] == "":
        components.pop()
    if len(components) > 1:
        return components
    return components[0] if components else ""


@lru_cache(maxsize=16)
def _released_splitter(sep: str, comp: str, release: str) -> re.Pattern:
    """Cuts text into data and delimiters: a release with the character it releases, a data or a
    component separator."""
    return re.compile(f"({re.escape(release)}.|{re.escape(sep)}|{re.escape(comp)})", re.S)


def _released_elements(piece: str, sep: str, comp: str, release: str, splitter: re.Pattern) -> list:
    elements: list = []
    components: list[str] = [""]
    for index, part in enumerate(splitter.split(piece)):
        if index % 2 == 0:
            components[-1] += part
        elif part == sep:
            elements.append(_composite(components))
            components = [""]
        elif part == comp:
            components.append("")
        else:
            components[-1] += part[1]  # a released character is data
    elements.append(_composite(components))
    return elements
