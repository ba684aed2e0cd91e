"""The store's contract for deliveries and scheduled effects: per-stream order, fenced leases,
retries, dead letters, and effects delivered once.

Every case runs on memory, SQLite and PostgreSQL (see conftest.py).
"""

from __future__ import annotations

import json

from mfgsync.store.port import Backlog, Settlement

from tests.contract.store_rows import AT, at, delivered, delivery, failed, msg_key, queue


def claim(store, now: float, owner: str, lease_seconds: float = 30, limit: int = 10):
    with store.writing() as uow:
        return uow.claim(now, owner, lease_seconds, limit)


def settle(store, *settlements: Settlement) -> set[int]:
    with store.writing() as uow:
        return uow.settle(list(settlements))


def test_deliveries_are_claimed_oldest_first_one_per_stream_per_target(store):
    queue(store, delivery("erp", "BOM:P1", 1), delivery("erp", "BOM:P1", 2), delivery("erp", "BOM:P2", 1),
          delivery("mes", "BOM:P1", 1))
    claimed = claim(store, 200.0, "w1")
    assert [(c.target, c.entity_key, c.effect_key) for c in claimed] == [
        ("erp", "BOM:P1", "erp:BOM:P1#1"), ("erp", "BOM:P2", "erp:BOM:P2#1"), ("mes", "BOM:P1", "mes:BOM:P1#1")]
    first = claimed[0]
    assert first.payload == json.dumps({"id": "BOM:P1-1"}), "a delivery carries its message's envelope"
    assert (first.command, first.msg_key, first.event_type, first.attempts, first.fence, first.lease_until) == (
        "deliver", msg_key("BOM:P1-1"), "bom.released", 0, 1, 230.0)
    assert first.delivery_key == f"erp-{first.id:010d}"


def test_effects_queued_together_are_delivered_in_the_order_given_whatever_their_keys(store):
    queue(store, delivery("mes", "BOM:P1", 1, effect_key="message:plm/7"),
          delivery("mes", "BOM:P1", 2, effect_key="mes:eco:ECO-42:moves", msg_key=None, payload="{}"))
    [first] = claim(store, 200.0, "w1")
    assert first.effect_key == "message:plm/7", "the revision before the notice about it"


def test_an_emitted_command_carries_its_own_payload(store):
    queue(store, delivery("erp", "PO:1", 1, msg_key=None, payload='{"po": "1"}', command="po.reschedule",
                          correlation_id="C1"))
    [command] = claim(store, 200.0, "w1")
    assert (command.payload, command.command, command.msg_key, command.correlation_id) == (
        '{"po": "1"}', "po.reschedule", None, "C1")


def test_leased_rows_and_their_successors_wait(store):
    queue(store, delivery("erp", "BOM:P1", 1), delivery("erp", "BOM:P1", 2))
    [first] = claim(store, 200.0, "w1")
    assert claim(store, 200.0, "w2") == [], "the head of the stream is leased, its successor waits"
    assert settle(store, delivered(first, "w1")) == {first.id}
    [second] = claim(store, 200.0, "w2")
    assert second.effect_key == "erp:BOM:P1#2"


def test_a_delivery_is_due_from_the_time_it_was_queued(store):
    queue(store, delivery("erp", "ITEM:A", 1, now=500.0))
    assert claim(store, 499.0, "w") == []
    assert len(claim(store, 500.0, "w")) == 1


def test_an_expired_lease_lets_another_worker_take_over_and_the_old_owner_changes_nothing(store):
    queue(store, delivery("erp", "ITEM:A", 1))
    [old] = claim(store, 200.0, "w1")
    assert claim(store, 229.0, "w2") == []
    [new] = claim(store, 231.0, "w2")
    assert new.id == old.id and new.fence == old.fence + 1
    assert settle(store, delivered(old, "w1")) == set(), "a worker that lost its lease records nothing"
    assert settle(store, Settlement(old.id, "w2", old.fence, "delivered", AT)) == set(), "nor does an old fence"
    with store.reading() as read:
        assert read.outbox_counts() == {"erp": {"pending": 1}}
    assert settle(store, delivered(new, "w2")) == {new.id}
    with store.reading() as read:
        assert read.outbox_counts() == {"erp": {"delivered": 1}}


def test_a_worker_that_claims_its_own_row_again_cannot_settle_under_the_old_fence(store):
    queue(store, delivery("erp", "ITEM:A", 1))
    [first] = claim(store, 200.0, "w1")
    [again] = claim(store, 300.0, "w1")
    assert settle(store, failed(first, "w1", None)) == set()
    assert settle(store, delivered(again, "w1")) == {again.id}


def test_a_dead_letter_holds_back_its_stream_until_it_is_requeued(store):
    queue(store, delivery("erp", "PO:1", 1), delivery("erp", "PO:1", 2), delivery("erp", "PO:2", 1))
    first, other = claim(store, 200.0, "w")
    assert settle(store, failed(first, "w", None, "400 Bad Request"), delivered(other, "w")) == {first.id, other.id}
    assert claim(store, 300.0, "w") == [], "PO:1's second delivery waits behind its dead letter"
    with store.writing() as uow:
        assert uow.requeue(first.id, 300.0)
        assert not uow.requeue(other.id, 300.0), "only a dead letter can be requeued"
    with store.reading() as read:
        assert read.failed_attempts() == 0, "its error went with it"
    [again] = claim(store, 400.0, "w9")
    assert (again.id, again.attempts) == (first.id, 0), "a requeued dead letter has a fresh attempt budget"


def test_a_discarded_dead_letter_releases_its_stream(store):
    queue(store, delivery("erp", "PO:1", 1), delivery("erp", "PO:1", 2))
    [first] = claim(store, 200.0, "w")
    settle(store, failed(first, "w", None))
    with store.writing() as uow:
        uow.discard(first.id)
    [second] = claim(store, 300.0, "w")
    assert second.effect_key == "erp:PO:1#2"
    with store.reading() as read:
        assert read.outbox_counts() == {"erp": {"discarded": 1, "pending": 1}}


def test_a_retry_waits_for_its_backoff(store):
    queue(store, delivery("erp", "ITEM:A", 1))
    [row] = claim(store, 200.0, "w")
    settle(store, failed(row, "w", 260.0))
    assert claim(store, 259.0, "w") == []
    with store.reading() as read:
        assert read.backlog(259.0).next_retry_at == 260.0
        assert read.failed_attempts() == 1
    [again] = claim(store, 260.0, "w")
    assert again.attempts == 1 and again.fence == 2


def test_renew_extends_only_the_leases_the_owner_holds(store):
    queue(store, delivery("erp", "ITEM:A", 1), delivery("erp", "ITEM:B", 1))
    [a] = claim(store, 200.0, "w1", limit=1)
    [b] = claim(store, 200.0, "w2", limit=1)
    with store.writing() as uow:
        assert uow.renew([a.id, b.id], "w1", 500.0) == {a.id}
    [taken] = claim(store, 240.0, "w3")
    assert taken.id == b.id, "w2's lease ran out; w1's was extended"
    with store.writing() as uow:
        assert uow.renew([b.id], "w2", 600.0) == set(), "a lease taken over is not the old owner's to renew"
    assert settle(store, delivered(a, "w1")) == {a.id}


def test_one_effect_queued_twice_is_delivered_once(store):
    twice = delivery("erp", "BOM:P1", 1, effect_key="erp:bom:PMP-100@P1#B")
    queue(store, twice, dict(twice))
    queue(store, dict(twice, msg_key=msg_key("again")))
    queue(store, dict(twice, target="mes"))
    with store.reading() as read:
        assert read.outbox_counts() == {"erp": {"pending": 1}, "mes": {"pending": 1}}
    assert [c.target for c in claim(store, 200.0, "w")] == ["erp", "mes"]


def test_settlement_records_each_outcome(store):
    queue(store, delivery("erp", "A", 1), delivery("erp", "B", 1), delivery("erp", "C", 1))
    a, b, c = claim(store, 200.0, "w")
    assert settle(store, delivered(a, "w", at(1)), failed(b, "w", 300.0), failed(c, "w", None, "bad")) == {
        a.id, b.id, c.id}
    with store.reading() as read:
        assert read.outbox_counts() == {"erp": {"delivered": 1, "pending": 1, "dead": 1}}
        assert read.failed_attempts() == 2
        backlog = read.backlog(250.0)
    assert (backlog.pending, backlog.dead, backlog.next_retry_at) == (1, 1, 300.0)


def test_the_backlog_says_what_is_leased_retrying_and_held_by_a_dead_letter(store):
    queue(store, delivery("erp", "A", 1), delivery("erp", "A", 2), delivery("erp", "B", 1), delivery("erp", "B", 2),
          delivery("erp", "C", 1), delivery("erp", "D", 1, now=205.0))
    _, b, c = claim(store, 200.0, "w", limit=3)  # A's first stays leased; A's second waits behind it
    settle(store, failed(b, "w", None), failed(c, "w", 300.0))
    with store.reading() as read:
        assert read.backlog(210.0) == Backlog(pending=5, due_now=1, leased=1, lease_ends_at=230.0,
                                              next_retry_at=300.0, held_by_dead_letter=1, dead=1)


def test_propagation_tells_when_each_message_reached_its_last_target(store):
    queue(store, delivery("erp", "BOM:P1", 1), delivery("mes", "BOM:P1", 1))
    erp, mes = claim(store, 200.0, "w")
    settle(store, delivered(erp, "w", at(5)))
    with store.reading() as read:
        assert read.propagation("bom.released") == [(AT, at(5), 1)]
    settle(store, delivered(mes, "w", at(9)))
    with store.reading() as read:
        assert read.propagation("bom.released") == [(AT, at(9), 0)]
        assert read.propagation("item.changed") == []


def _schedule(store, key: str, due_at: float, **fields) -> None:
    with store.writing() as uow:
        uow.add_scheduled([{"due_at": due_at, "effect": json.dumps({"switch": key}), "effect_key": key,
                            "correlation_id": "C1", "causation_id": None, "at": AT, **fields}])


def test_a_scheduled_effect_fires_once_when_due(store, open_store):
    _schedule(store, "bom:PMP-100@P1#B:effective", 500.0)
    _schedule(store, "bom:PMP-100@P1#B:effective", 900.0)  # scheduled again: already there
    with store.writing() as uow:
        assert uow.claim_scheduled(499.0, "w1", 30, 10) == []
    restarted = open_store()
    with restarted.reading() as read:
        assert (read.scheduled_due(499.0), read.scheduled_due(500.0)) == (0, 1)
    with restarted.writing() as uow:
        [effect] = uow.claim_scheduled(500.0, "w1", 30, 10)
        assert uow.claim_scheduled(500.0, "w2", 30, 10) == [], "a second claimer gets nothing"
    assert (effect.due_at, json.loads(effect.effect), effect.correlation_id, effect.fence) == (
        500.0, {"switch": "bom:PMP-100@P1#B:effective"}, "C1", 1)
    with restarted.writing() as uow:
        assert uow.fired([(effect.id, effect.fence + 1)], "w1", AT) == set(), "a wrong fence fires nothing"
        assert uow.fired([(effect.id, effect.fence)], "w2", AT) == set(), "nor another owner"
        assert uow.fired([(effect.id, effect.fence)], "w1", AT) == {effect.id}
    with restarted.writing() as uow:
        assert uow.claim_scheduled(10_000.0, "w2", 30, 10) == []
    with restarted.reading() as read:
        assert read.scheduled_due(10_000.0) == 0


def test_a_scheduled_effect_whose_lease_ran_out_is_claimed_again(store):
    _schedule(store, "late", 100.0)
    _schedule(store, "early", 50.0)
    with store.writing() as uow:
        assert [s.effect_key for s in uow.claim_scheduled(200.0, "w1", 30, 10)] == ["early", "late"]
    with store.writing() as uow:
        again = uow.claim_scheduled(231.0, "w2", 30, 1)
    assert [(s.effect_key, s.fence) for s in again] == [("early", 2)]
