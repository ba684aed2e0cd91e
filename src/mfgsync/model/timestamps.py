"""Timestamps: RFC 3339 text with a zone, read as UTC, inside the years the hub deals in.

A message's time orders the updates of its entity, so a bad one does lasting harm: a time that
overflows when converted to UTC (9999-12-31T23:59:59-01:00) used to crash intake, and a time far
in the future makes every real update after it look stale. Each is refused with a reason code.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

MIN_YEAR = 1900
MAX_YEAR = 2199
DEFAULT_FUTURE_SKEW_SECONDS = 300.0  # how far ahead of the hub's clock a sender's clock may run
# RFC 3339 date-time (CloudEvents' `time`); a missing zone is reported as TIMESTAMP_NOT_UTC.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})?")


def _rfc3339_text(value: object) -> object:
    """Only text (or a datetime from a Python caller): a number is not read as Unix time.

    A text in the form senders use (2026-11-22T10:00:00Z) within the years is read here, as
    pydantic reads it, and remembered: a burst sends the same second many times."""
    if isinstance(value, datetime):
        return value
    if type(value) is str:
        known = _KNOWN_TIMES.get(value)
        if known is not None:
            return known
    if not isinstance(value, str) or not _RFC3339.fullmatch(value.strip()):
        raise PydanticCustomError("timestamp_format",
                                  "a timestamp is RFC 3339 text with a zone, such as 2026-11-22T10:00:00Z")
    text = value.strip()
    utc = _plain_utc(text)
    if utc is None:
        return text  # any other form, and every bad one, is pydantic's to read and report
    if type(value) is str:
        if len(_KNOWN_TIMES) >= _KEPT_TIMES:
            _KNOWN_TIMES.clear()
        _KNOWN_TIMES[value] = utc
    return utc


def _plain_utc(text: str) -> datetime | None:
    """`text` (matching _RFC3339) as a UTC datetime when it is whole seconds in Z within the
    years, else None. datetime reads the date and time as pydantic does; what either refuses
    (2026-02-30, 24:00:00, a leap second) is left to pydantic."""
    if len(text) != 20 or text[10] != "T" or text[19] != "Z":
        return None
    try:
        utc = datetime.fromisoformat(text)  # its Z is read as timezone.utc
    except ValueError:
        return None
    return utc if MIN_YEAR <= utc.year <= MAX_YEAR else None


# Timestamp texts read as UTC, as sent -> as kept. Bounded; emptied when full.
_KNOWN_TIMES: dict[str, datetime] = {}
_KEPT_TIMES = 4096


class TimestampOutOfRange(ValueError):
    code = "TIMESTAMP_OUT_OF_RANGE"


def as_utc(value: datetime) -> datetime:
    """A zoned datetime in UTC, or TimestampOutOfRange when it overflows or leaves the years."""
    if value.tzinfo is timezone.utc and MIN_YEAR <= value.year <= MAX_YEAR:
        return value  # what a message's Z time reads as: already UTC, nothing to convert
    try:
        utc = value.astimezone(timezone.utc)
    except OverflowError:
        utc = None
    if utc is None or not MIN_YEAR <= utc.year <= MAX_YEAR:
        raise TimestampOutOfRange(f"timestamp {value.isoformat()} is outside the years {MIN_YEAR} to {MAX_YEAR} in UTC")
    return utc


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise PydanticCustomError("TIMESTAMP_NOT_UTC", "timestamp has no time zone; send UTC (Z)")
    try:
        return as_utc(value)
    except TimestampOutOfRange as exc:
        raise PydanticCustomError(exc.code, str(exc)) from None


UtcTime = Annotated[datetime, BeforeValidator(_rfc3339_text), AfterValidator(_utc)]


def future_problem(time: datetime, now: float, max_skew_seconds: float) -> str | None:
    """Why `time` is too far ahead of `now` (epoch seconds) to be believed, or None."""
    ahead = time.timestamp() - now
    if ahead <= max_skew_seconds:
        return None
    return (f"time {time.isoformat().replace('+00:00', 'Z')} is {ahead:.0f} s ahead of the hub's clock; "
            f"at most {max_skew_seconds:g} s of clock skew is accepted")
