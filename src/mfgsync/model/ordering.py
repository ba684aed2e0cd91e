"""Ordering tokens: which of two updates of one entity is newer, per owned field domain.

A token is the message's time (UTC microseconds since year 1) and its sender sequence, both
zero-padded to fixed width, so comparing tokens as text compares the values: year 999 is
older than 2026, and sequence 10 is newer than 9.

An entity keeps one token per field domain it was updated in (`{"item.planning": ...}`, or
`{"*": ...}` for entities written whole), so an ERP planning update and a PLM engineering
update of the same item never make each other stale.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import msgspec

WHOLE = "*"  # the domain of an entity that is written whole
_EPOCH = datetime(1, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)
_encode_sorted = msgspec.json.Encoder(order="sorted").encode  # what json.dumps(sort_keys, compact) writes


def token(time: datetime, sequence: int | None) -> str:
    # Aware datetimes subtract in UTC, and a timedelta divided by a microsecond is its exact count.
    micros = (time - _EPOCH) // _MICROSECOND
    return f"{micros:020d}|{sequence or 0:020d}"


def parse(tokens: str | None) -> dict[str, str]:
    return json.loads(tokens) if tokens else {}


def fresh_domains(stored: dict[str, str], domains: set[str], incoming: str) -> set[str]:
    """The domains in which `incoming` is not older than what was applied (an entity written
    whole before it had domains counts as written in each)."""
    return {d for d in domains if incoming >= stored.get(d, stored.get(WHOLE, ""))}


def advanced(stored: dict[str, str], domains: set[str], incoming: str) -> str:
    """The tokens after applying `incoming` in `domains`, as stored JSON."""
    return _encode_sorted({**stored, **dict.fromkeys(domains, incoming)}).decode()
