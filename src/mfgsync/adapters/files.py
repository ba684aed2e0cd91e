"""Reading input files as raw messages for the pipeline.

JSON Lines (one envelope per line) and JSON (an envelope or an array of them) are passed on
as text, so a malformed line is quarantined as it came. Partner formats (X12, EDIFACT, B2MML,
PLM CSV) are parsed into canonical documents and wrapped in envelopes.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Iterator

from mfgsync import formats
from mfgsync.adapters.documents import envelopes_from_file
from mfgsync.adapters.decode import Decoded

FORMATS = ("auto", "jsonl", "x12", "edifact", "b2mml", "plm-csv")


def detect_format(head: str) -> str:
    """A partner format the formats library recognises from the head; otherwise JSON lines,
    so a file of envelopes whose first line is garbage still has its good lines applied."""
    try:
        return formats.detect(head)
    except formats.FormatError:
        return "jsonl"


def read_messages(path: Path, fmt: str = "auto", source: str | None = None) -> Iterator[str | Decoded]:
    """Raw messages from one file, in file order (an unreadable partner file as one judged message)."""
    if fmt == "auto":
        with open(path, encoding="utf-8", errors="replace") as handle:
            fmt = detect_format(handle.read(4096))
    if fmt == "jsonl":
        yield from _json_messages(path)
    else:
        for envelope in envelopes_from_file(path, fmt, source):
            yield envelope if isinstance(envelope, Decoded) else json.dumps(envelope, default=str)


def _json_messages(path: Path) -> Iterator[str]:
    with open(path, encoding="utf-8", errors="replace") as handle:
        first = handle.read(1)
        while first and first.isspace():
            first = handle.read(1)
        handle.seek(0)
        if first == "[":
            try:
                document = json.load(handle, parse_float=Decimal)
            except ValueError:
                handle.seek(0)
                yield handle.read()  # quarantined whole as malformed JSON
                return
            for element in document:
                yield json.dumps(element, default=str)
            return
        for line in handle:
            if line.strip():
                yield line.rstrip("\n")
