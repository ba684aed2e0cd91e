"""Buckets of the planning horizon, and the BOM revision each bucket plans with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, NamedTuple

from mfgsync.model.entities import Bom, BomStatus


@dataclass(frozen=True)
class BucketCalendar:
    """`periods` buckets of `bucket_days` days each, bucket 1 starting on `start`."""

    start: date
    bucket_days: int = 7
    periods: int = 52

    def __post_init__(self):
        if self.bucket_days < 1 or self.periods < 1:
            raise ValueError("a calendar needs at least one bucket of at least one day")

    def bucket_of(self, day: date) -> int:
        """The bucket holding `day`: below 1 before the horizon, above `periods` after it."""
        return (day - self.start).days // self.bucket_days + 1

    def bucket_start(self, period: int) -> date:
        return self.start + timedelta(days=(period - 1) * self.bucket_days)

    def lead_time(self, days: int | None) -> int:
        """A lead time in whole buckets, rounded up: an order is never planned too late."""
        return -(-(days or 0) // self.bucket_days)


class RevisionWindow(NamedTuple):
    """A BOM revision and the parent release buckets it plans (None: unbounded)."""

    bom: Bom
    from_period: int | None
    to_period: int | None


def revision_windows(boms: Iterable[Bom], plant_id: str, calendar: BucketCalendar) -> list[RevisionWindow]:
    """For one parent item: the released BOM effective at each bucket's start, as runs of buckets.

    A plant's own BOM wins over one for all plants; among those, the latest effective_from, then
    the highest revision. effective_to is the last day a revision is effective.
    """
    candidates = [b for b in boms if b.status == BomStatus.released and b.plant_id in (None, plant_id)]
    runs: list[RevisionWindow] = []
    for period in range(1, calendar.periods + 1):
        day = calendar.bucket_start(period)
        effective = [b for b in candidates if (b.effective_from or date.min) <= day <= (b.effective_to or date.max)]
        chosen = max(effective, key=_precedence, default=None)
        if runs and runs[-1].bom is chosen and runs[-1].to_period == period - 1:
            runs[-1] = runs[-1]._replace(to_period=period)
        elif chosen is not None:
            runs.append(RevisionWindow(chosen, period, period))
    return [RevisionWindow(r.bom, None if r.from_period == 1 else r.from_period,
                           None if r.to_period == calendar.periods else r.to_period) for r in runs]


def _precedence(bom: Bom) -> tuple:
    return (bom.plant_id is not None, bom.effective_from or date.min, revision_order(bom.revision))


def revision_order(revision: str) -> tuple:
    """Revisions in natural order: B after A, 10 after 9, C.2 after C.1."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.findall(r"\d+|\D+", revision.upper()))
