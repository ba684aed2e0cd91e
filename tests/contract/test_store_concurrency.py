"""Two writers, two workers: what the store guarantees when they run at once.

Each side has its own store object on the same database, as two processes would (memory: one
store used from two threads). Every case runs on memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Callable

from mfgsync.store import audit_chain
from mfgsync.store.port import AuditEntry, Store, transact

from tests.contract.store_rows import AT, balance_key, delivered, delivery, entity, message, msg_key, queue, stock


def side_by_side(stores: list[Store], run: Callable[[Store, int], object]) -> list:
    """Run `run(store, i)` for each store in its own thread, started together."""
    start = threading.Barrier(len(stores))

    def one(i: int):
        start.wait()
        return run(stores[i], i)

    with ThreadPoolExecutor(len(stores)) as pool:
        return [f.result() for f in [pool.submit(one, i) for i in range(len(stores))]]


def interleave() -> None:
    """Let the other thread run here: a unit's read and its write are where writers collide."""
    time.sleep(0)


def test_stock_receipts_from_two_writers_at_once_sum_exactly(store, second_store):
    def receive(writer: Store, w: int) -> None:
        for n in range(200):
            def work(uow, n=n):
                uow.add_inbox([message(f"rcv-{w}-{n}", source="wms")])
                interleave()
                uow.move_stock([stock("BOLT", "1", n=w * 1000 + n)])
            transact(writer, work)

    side_by_side([store, second_store], receive)
    with store.reading() as read:
        assert [b["qty"] for b in read.balances("BOLT")] == [Decimal("400")]
        assert len(read.ledger(balance_key("BOLT"))) == 400
        assert read.inbox_figures().outcomes == {"applied": 400}


def test_an_entity_changed_by_two_writers_at_once_loses_no_update(store, second_store):
    with store.writing() as uow:
        uow.put_entities([entity("ITEM:A", {"changes": 0}, version=0)])

    def change(writer: Store, _: int) -> None:
        for _ in range(40):
            def work(uow):
                stored = uow.entity_rows(["ITEM:A"])["ITEM:A"]
                changes = json.loads(stored.data)["changes"] + 1
                interleave()
                uow.put_entities([entity("ITEM:A", {"changes": changes}, version=stored.version)])
            transact(writer, work)

    side_by_side([store, second_store], change)
    with store.writing() as uow:
        stored = uow.entity_rows(["ITEM:A"])["ITEM:A"]
    assert (json.loads(stored.data), stored.version) == ({"changes": 80}, 81)


def test_two_writers_receiving_the_same_messages_record_each_once_and_count_the_rest_as_repeats(store, second_store):
    def ingest(writer: Store, _: int) -> None:
        for n in range(100):
            def work(uow, key=msg_key(f"M{n}")):
                seen = uow.inbox_seen([key])
                interleave()
                if seen:
                    uow.count_repeats([key], AT)
                else:
                    uow.add_inbox([message(f"M{n}")])
            transact(writer, work)

    side_by_side([store, second_store], ingest)
    with store.reading() as read:
        figures = read.inbox_figures()
    assert figures.outcomes == {"applied": 100} and figures.repeats == 100


def test_a_delivery_is_never_leased_to_two_workers_at_once(store, second_store):
    streams = [f"ITEM:{s}" for s in range(15)]
    queue(store, *[delivery("erp", stream, n) for n in range(1, 4) for stream in streams])

    def work(worker: Store, w: int) -> list[tuple[str, str]]:
        done = []
        while True:
            with worker.writing() as uow:
                claimed = uow.claim(200.0, f"w{w}", 30, 4)
                interleave()
            if not claimed:
                with worker.reading() as read:
                    if read.backlog(200.0).pending == 0:
                        return done
                time.sleep(0.001)  # the other worker holds what is left
                continue
            with worker.writing() as uow:
                assert uow.settle([delivered(c, f"w{w}") for c in claimed]) == {c.id for c in claimed}
            done += [(c.entity_key, c.effect_key) for c in claimed]

    first, second = side_by_side([store, second_store], work)
    assert not set(first) & set(second), "no delivery went to both workers"
    assert sorted(first + second) == sorted((s, f"erp:{s}#{n}") for s in streams for n in range(1, 4))
    for worker in (first, second):
        for stream in streams:
            mine = [key for s, key in worker if s == stream]
            assert mine == sorted(mine), "each worker saw a stream in order"


def test_audit_entries_of_two_writers_at_once_form_one_intact_chain(store, second_store):
    def write(writer: Store, w: int) -> None:
        for n in range(30):
            def work(uow, n=n):
                uow.audit([AuditEntry(f"writer-{w}", "message.applied", f"ITEM:{w}-{n}", {"n": n})], AT)
                interleave()
                uow.audit([AuditEntry(f"writer-{w}", "entity.changed", f"ITEM:{w}-{n}", {"n": n})], AT)
            transact(writer, work)

    side_by_side([store, second_store], write)
    with store.reading() as read:
        result = audit_chain.verify(read.audit_rows(), read.audit_head())
    assert result.ok, result.problems
    assert result.rows == 120


def test_a_scheduled_effect_claimed_by_two_workers_at_once_fires_once(store, second_store):
    with store.writing() as uow:
        uow.add_scheduled([{"due_at": 100.0, "effect": "{}", "effect_key": f"switch-{n}", "correlation_id": None,
                            "causation_id": None, "at": AT} for n in range(20)])

    def fire(worker: Store, w: int) -> set[int]:
        done: set[int] = set()
        while True:
            with worker.writing() as uow:
                due = uow.claim_scheduled(200.0, f"w{w}", 30, 3)
                if not due:
                    return done
                interleave()
                done |= uow.fired([(s.id, s.fence) for s in due], f"w{w}", AT)

    first, second = side_by_side([store, second_store], fire)
    assert not first & second and len(first | second) == 20


def test_issues_judged_against_a_held_balance_never_drive_it_negative(store, second_store):
    with store.writing() as uow:
        uow.move_stock([stock("BOLT", "10")])

    def issue(writer: Store, w: int) -> int:
        issued = 0
        for n in range(10):
            def work(uow, n=n) -> bool:
                if uow.balances([balance_key("BOLT")])[balance_key("BOLT")] < 1:
                    return False  # the negative-stock rule: refuse
                interleave()
                uow.move_stock([stock("BOLT", "-1", n=w * 100 + n)])
                return True
            issued += transact(writer, work)
        return issued

    assert sum(side_by_side([store, second_store], issue)) == 10
    with store.reading() as read:
        assert [b["qty"] for b in read.balances("BOLT")] == [Decimal("0")]


def test_a_reader_sees_only_what_was_committed(store, second_store):
    with store.writing() as uow:
        uow.add_inbox([message("M1")])
        uow.move_stock([stock("BOLT", "5")])
        with second_store.reading() as read:
            assert read.inbox_figures().outcomes == {} and read.balances() == []
    with second_store.reading() as read:
        assert read.inbox_figures().outcomes == {"applied": 1}
