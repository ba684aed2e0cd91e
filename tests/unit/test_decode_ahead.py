"""Decoding ahead while a batch commits: every message comes out once, in its order, whoever
decoded it; the input is read by one thread at a time; a failure surfaces in its place."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given, settings, strategies as st

from mfgsync.pipeline.decode_ahead import DecodeAhead


def slow_upper(text: str) -> str:
    time.sleep(0.0002)  # long enough for the second thread to get messages of its own
    return text.upper()


@settings(max_examples=40, deadline=None)
@given(count=st.integers(0, 60), plan=st.lists(st.tuples(st.integers(0, 8), st.floats(0, 0.003)), max_size=12))
def test_messages_come_out_once_and_in_order_however_decoding_ahead_interleaves(count, plan):
    messages = [f"m{i}" for i in range(count)]
    out: list[str] = []
    with DecodeAhead(messages, slow_upper) as ahead:
        taken = iter(ahead)
        for take, window in plan:  # take some, then let the second thread decode for a while
            out += [message for _, message in zip(range(take), taken)]
            with ahead.decoding():
                time.sleep(window)
        out += list(taken)
    assert out == [m.upper() for m in messages]


def test_a_generator_input_is_never_read_by_two_threads_at_once():
    readers: set[int] = set()

    def lines():  # a generator read by two threads at once raises "generator already executing"
        for i in range(300):
            readers.add(threading.get_ident())
            time.sleep(0.00005)
            yield f"line {i}"

    with DecodeAhead(lines(), slow_upper) as ahead:
        out = []
        for index, message in enumerate(ahead):
            out.append(message)
            if index % 25 == 0:
                with ahead.decoding():
                    time.sleep(0.002)
    assert out == [f"LINE {i}" for i in range(300)]
    assert len(readers) == 2, "the second thread read some lines"


def test_a_decoding_failure_in_the_second_thread_surfaces_after_the_messages_before_it():
    def decode(text: str) -> str:
        if text == "bad":
            raise ValueError("cannot decode")
        return text.upper()

    with DecodeAhead(["a", "b", "bad", "c"], decode) as ahead:
        with ahead.decoding():
            deadline = time.monotonic() + 2
            while len(ahead._ready) < 2 and time.monotonic() < deadline:
                time.sleep(0.001)
        taken = iter(ahead)
        assert [next(taken), next(taken)] == ["A", "B"]
        with pytest.raises(ValueError, match="cannot decode"):
            next(taken)


def test_leaving_stops_the_second_thread():
    ahead = DecodeAhead(range(10_000), str)
    with ahead:
        with ahead.decoding():
            time.sleep(0.001)
        thread = ahead._thread
        assert thread is not None and thread.is_alive()
    assert not thread.is_alive()


def test_nothing_is_decoded_ahead_outside_a_commit():
    decoded_by: list[int] = []

    def decode(value: int) -> int:
        decoded_by.append(threading.get_ident())
        return value

    with DecodeAhead(range(100), decode) as ahead:
        assert list(ahead) == list(range(100))
    assert set(decoded_by) == {threading.get_ident()}
