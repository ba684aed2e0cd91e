"""Reading input files as raw messages for the pipeline.

JSON comes in three layouts, told apart by content (`file_layout` says which was read):
JSON Lines (one envelope per line), a JSON array of envelopes, and one JSON document (an
envelope, pretty-printed or not). Each message is passed on as the text it came as, so a
malformed one is quarantined as it came and its neighbours are not touched. Partner formats
(X12, EDIFACT, B2MML, PLM CSV) are parsed into canonical documents and wrapped in envelopes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import IO, Iterator

from mfgsync import formats
from mfgsync.adapters.documents import envelopes_from_file
from mfgsync.adapters.decode import Decoded

FORMATS = ("auto", "jsonl", "x12", "edifact", "b2mml", "plm-csv")
JSON_LAYOUTS = ("jsonl", "json-array", "json-document")
# A file whose first line is not a whole JSON value is read as one document only up to this size;
# a larger one is read as lines (a single message that large would exceed the intake limit anyway).
MAX_DOCUMENT_CHARS = 64 * 1024 * 1024

# Structure alone: numbers stay text, so judging the layout never converts one.
_STRUCTURE = json.JSONDecoder(parse_int=str, parse_float=str, parse_constant=str)
# The tokens that delimit array elements: whole strings (so brackets inside them are text) and brackets.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},]')


def detect_format(head: str) -> str:
    """A partner format the formats library recognises from the head; otherwise JSON lines,
    so a file of envelopes whose first line is garbage still has its good lines applied."""
    try:
        return formats.detect(head)
    except formats.FormatError:
        return "jsonl"


def file_layout(path: Path, fmt: str = "auto") -> str:
    """What `read_messages` reads `path` as: a partner format, or jsonl, json-array or json-document."""
    if fmt == "auto":
        with _open_text(path) as handle:
            fmt = detect_format(handle.read(4096))
    return _json_layout(path) if fmt == "jsonl" else fmt


def read_messages(path: Path, fmt: str = "auto", source: str | None = None) -> Iterator[str | Decoded]:
    """Raw messages from one file, in file order (an unreadable partner file as one judged message)."""
    layout = file_layout(path, fmt)
    if layout == "jsonl":
        yield from _lines(path)
    elif layout in JSON_LAYOUTS:
        with _open_text(path) as handle:
            text = handle.read()
        yield from (_array_elements(text) if layout == "json-array" else [text])
    else:
        for envelope in envelopes_from_file(path, layout, source):
            yield envelope if isinstance(envelope, Decoded) else json.dumps(envelope, default=str)


def messages_in_text(text: str) -> Iterator[str]:
    """The raw messages of a JSON array or of JSON lines held in memory (a request body), each
    passed on as sent, as `read_messages` passes a file's."""
    if text.lstrip().startswith("["):
        yield from _array_elements(text)
    else:
        yield from (line.rstrip("\r") for line in text.split("\n") if line.strip())


def _open_text(path: Path) -> IO[str]:
    # Only LF ends a line: a lone CR is JSON whitespace and must not split a message in two.
    return open(path, encoding="utf-8-sig", errors="replace", newline="\n")


def _json_layout(path: Path) -> str:
    """JSON lines when the first line is a whole value followed by more; an array when it opens
    one (over one line or many); one document when the whole file is one value; else JSON lines,
    so a file of envelopes whose first line is garbage still has its good lines applied."""
    with _open_text(path) as handle:
        first = handle.readline()
        while first and not first.strip():
            first = handle.readline()
        opens_array = first.lstrip().startswith("[")
        if not first or (_is_one_value(first) and not (opens_array and not _more_follows(handle))):
            return "jsonl"
        if opens_array:
            return "json-array"
        handle.seek(0)
        text = handle.read(MAX_DOCUMENT_CHARS + 1)
    return "json-document" if len(text) <= MAX_DOCUMENT_CHARS and _is_one_value(text) else "jsonl"


def _more_follows(handle: IO[str]) -> bool:
    return any(line.strip() for line in handle)


def _is_one_value(text: str) -> bool:
    try:
        _STRUCTURE.decode(text)
    except RecursionError:
        return True  # one value, nested too deeply to read: intake quarantines it as one message
    except ValueError:
        return False
    return True


def _lines(path: Path) -> Iterator[str]:
    with _open_text(path) as handle:
        for line in handle:
            if line.strip():
                yield line.rstrip("\r\n")


def _array_elements(text: str) -> Iterator[str]:
    """The raw text of each element of a top-level JSON array, found by counting brackets rather
    than by parsing (no recursion, so nesting depth cannot crash it). Text after the array, or an
    array left open, comes out as one more message, to be quarantined rather than dropped."""
    depth, start = 0, None
    for token in _TOKENS.finditer(text):
        mark = token.group()
        if mark in ("[", "{"):
            depth += 1
            if depth == 1:
                start = token.end()
        elif mark in ("]", "}"):
            depth -= 1
            if depth == 0:
                yield from _piece(text[start:token.start()])
                yield from _piece(text[token.end():])
                return
        elif mark == "," and depth == 1:
            yield from _piece(text[start:token.start()])
            start = token.end()
    yield from _piece(text[start:] if start is not None else text)


def _piece(text: str) -> Iterator[str]:
    if text.strip():
        yield text.strip()
