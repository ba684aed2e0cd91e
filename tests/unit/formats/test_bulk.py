"""A bulk parse pauses the cyclic collector and hands what it kept to the oldest generation,
leaving the collector as it found it, and what others froze frozen."""

import gc
import threading

import pytest

from mfgsync.formats.bulk import collector_paused


def test_the_collector_resumes_as_it_was_and_the_parse_kept_objects_are_old():
    if threading.active_count() > 1:
        pytest.skip("objects are handed on only while no other thread runs")
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        kept = [[n] for n in range(1000)]
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert not any(kept[0] is young for young in gc.get_objects(generation=0))
    assert any(kept[0] is old for old in gc.get_objects(generation=2))
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_objects_frozen_elsewhere_stay_frozen():
    gc.freeze()  # as the API server does with what outlives every request
    try:
        frozen = gc.get_freeze_count()
        with collector_paused():
            kept = [[n] for n in range(1000)]
        assert gc.get_freeze_count() == frozen and gc.isenabled()
        assert kept
    finally:
        gc.unfreeze()
