"""Ordering tokens compare as the times and sequences they stand for, not as their digits."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings, strategies as st

from mfgsync.model.ordering import fresh_domains, token

OFFSETS = st.timedeltas(min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59))
# The years the hub accepts (a day's margin either side keeps every zone's UTC time inside them).
TIMES = st.builds(lambda t, offset: t.replace(tzinfo=timezone(offset)),
                  st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2199, 12, 30)), OFFSETS)
SEQUENCES = st.none() | st.integers(0, 2**31 - 1)


def _value(time: datetime, sequence: int | None) -> tuple[datetime, int]:
    return time, sequence or 0


@settings(max_examples=500, deadline=None)
@given(TIMES, SEQUENCES, TIMES, SEQUENCES)
def test_token_order_equals_time_then_sequence_order(t1, s1, t2, s2):
    a, b = token(t1, s1), token(t2, s2)
    assert (a < b) == (_value(t1, s1) < _value(t2, s2))
    assert (a == b) == (_value(t1, s1) == _value(t2, s2))


def _utc(year: int) -> datetime:
    return datetime(year, 6, 1, tzinfo=timezone.utc)


def test_an_update_from_1901_is_older_than_one_from_2026():
    assert token(_utc(1901), None) < token(_utc(2026), None)
    assert token(_utc(999), None) < token(_utc(2026), None), "also below the years the hub accepts"


def test_sequence_10_is_newer_than_9_at_the_same_time():
    assert token(_utc(2026), 9) < token(_utc(2026), 10)
    stored = {"*": token(_utc(2026), 10)}
    assert fresh_domains(stored, {"item.planning"}, token(_utc(2026), 9)) == set()
    assert fresh_domains({"*": token(_utc(2026), 9)}, {"item.planning"}, token(_utc(2026), 10)) == {"item.planning"}


def test_the_same_instant_in_two_zones_is_the_same_token():
    local = datetime(2026, 6, 1, 3, 0, tzinfo=timezone(timedelta(hours=3)))
    assert token(local, 4) == token(datetime(2026, 6, 1, tzinfo=timezone.utc), 4)
