"""What the memory store adds to the store contract (tests/contract): it says when a test misuses it."""

from __future__ import annotations

import pytest

from mfgsync.store.memory import MemoryStore


def test_a_unit_of_work_opened_inside_another_on_one_thread_is_refused():
    store = MemoryStore()
    with store.writing():
        with pytest.raises(RuntimeError, match="already open"):
            with store.writing():
                pass
    with store.writing() as uow:  # the outer unit ended cleanly: the store takes the next one
        assert uow.inbox_seen(["plm\x1fM1"]) == {}
