"""A count of stock states the balance as of the time it was taken, not as of its arrival.

A WMS count (a cycle count, or a snapshot's balances) can arrive after movements that happened
after it was taken: a count taken at 08:00 that arrives at 10:00, after a consumption at 09:00,
does not hold that consumption. The balance it sets is the counted quantity plus the net of the
balance's deltas that occurred after it was taken; the ledger records the count at that balance,
so replaying the ledger (balances as of a time) stays right.

A delta occurred when its message says the movement happened (`envelope.occurred`), or, without
a message, when it was booked. A delta is booked after it happens, so one booked before the count
was taken is in the count: a count not older than its balance's last booking is set as counted,
without reading the ledger.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Iterable

from mfgsync.envelope import occurred

# A delta of the ledger as a count weighs it: (qty, booked at, its message's envelope or None).
Delta = tuple[Decimal, str, str | None]


def moved_after(counted_at: str, deltas: Iterable[Delta]) -> Decimal:
    """The net of the deltas that occurred after `counted_at`: of those booked after it, the ones
    whose movement happened after it too."""
    since = _instant(counted_at)
    return sum((qty for qty, booked, envelope in deltas if booked > counted_at
                and _instant(_occurrence(booked, envelope)) > since), Decimal(0))


def booked_since(counted_at: str | None, last_booked: str | None) -> bool:
    """Whether a balance was booked after a count was taken, so the count may be older than
    some of its movements (a count without a time, or of a balance not yet held, is not)."""
    return counted_at is not None and last_booked is not None and last_booked > counted_at


def _occurrence(booked: str, envelope: str | None) -> str:
    return (occurred(json.loads(envelope)) if envelope else None) or booked


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
