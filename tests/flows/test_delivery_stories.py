"""Delivering to targets: retries with backoff, per-entity order, dead letters and their replay."""

from __future__ import annotations

import json

from mfgsync.connectors.memory import MemoryConnector
from mfgsync.pipeline.exception_queue import Actor
from tests.conftest import FakeClock
from tests.support.messages import envelope, item

CONFIG = """
systems: {erp: {kind: memory}}
subscriptions: {item.upserted: [erp]}
retry: {max_attempts: 4, base_seconds: 2, max_seconds: 60}
"""


def _updates(items=("A", "B", "C"), versions=3) -> list[dict]:
    return [envelope("item.upserted", item(i, f"{i} v{v}"), time=f"2026-11-22T10:0{v}:00Z")
            for v in range(versions) for i in items]


def _descriptions(connector: MemoryConnector) -> list[str]:
    return [json.loads(d.payload)["data"]["description"] for d in connector.received]


def _drain(hub, clock: FakeClock, rounds: int = 50) -> None:
    for _ in range(rounds):
        hub.worker.run_until_idle()
        clock.advance(61)


def test_a_target_that_fails_three_times_then_recovers_receives_everything_in_order(make_hub):
    erp, clock = MemoryConnector(fail_times=3), FakeClock()
    hub = make_hub(CONFIG, connectors={"erp": erp}, clock=clock)
    hub.intake.ingest(_updates())
    _drain(hub, clock)
    assert len(erp.received) == 9 and erp.attempts == 12
    for name in "ABC":
        assert [d for d in _descriptions(erp) if d.startswith(name)] == [f"{name} v0", f"{name} v1", f"{name} v2"]
    assert hub.exceptions.list() == []


def test_retries_wait_for_an_exponential_backoff(make_hub):
    erp, clock = MemoryConnector(fail_times=2), FakeClock()
    hub = make_hub(CONFIG, connectors={"erp": erp}, clock=clock)
    hub.intake.ingest(_updates(items=("A",), versions=1))
    hub.worker.run_until_idle()
    assert erp.attempts == 1, "the retry is not due yet"
    clock.advance(2)   # first backoff: between 1 and 2 seconds
    hub.worker.run_until_idle()
    assert erp.attempts == 2
    clock.advance(1.9)  # second backoff: between 2 and 4 seconds
    hub.worker.run_until_idle()
    clock.advance(2.1)
    hub.worker.run_until_idle()
    assert erp.attempts == 3 and len(erp.received) == 1


def test_a_target_that_never_recovers_fills_the_dead_letter_queue_and_replay_drains_it(make_hub):
    erp, clock = MemoryConnector(always_fail=True), FakeClock()
    hub = make_hub(CONFIG, connectors={"erp": erp}, clock=clock)
    hub.intake.ingest(_updates())
    _drain(hub, clock)
    dead = hub.exceptions.list(kind="dead_letter")
    assert sorted(d["entity_key"] for d in dead) == ["ITEM:A", "ITEM:B", "ITEM:C"]
    assert all(d["codes"] == ["DELIVERY_FAILED"] and d["owner_role"] == "admin" for d in dead)
    assert erp.attempts == 3 * 4, "each entity's first message tried max_attempts times; later ones wait"
    assert erp.received == []

    erp.always_fail = False
    for exception in dead:
        assert hub.exceptions.replay(exception["id"], Actor("admin1", "admin")).status == "replayed"
    _drain(hub, clock)
    assert len(erp.received) == 9
    for name in "ABC":
        assert [d for d in _descriptions(erp) if d.startswith(name)] == [f"{name} v0", f"{name} v1", f"{name} v2"]
    assert hub.exceptions.list() == []


def test_a_permanent_rejection_is_dead_lettered_at_once(make_hub):
    erp, clock = MemoryConnector(always_fail=True, permanent=True), FakeClock()
    hub = make_hub(CONFIG, connectors={"erp": erp}, clock=clock)
    hub.intake.ingest(_updates(items=("A",), versions=1))
    _drain(hub, clock, rounds=3)
    [dead] = hub.exceptions.list(kind="dead_letter")
    assert dead["codes"] == ["DELIVERY_REJECTED"] and erp.attempts == 1


def test_a_resolved_dead_letter_releases_the_messages_behind_it(make_hub):
    erp, clock = MemoryConnector(always_fail=True, permanent=True), FakeClock()
    hub = make_hub(CONFIG, connectors={"erp": erp}, clock=clock)
    hub.intake.ingest(_updates(items=("A",), versions=2))
    _drain(hub, clock, rounds=2)
    [dead] = hub.exceptions.list(kind="dead_letter")
    erp.always_fail = False
    hub.exceptions.resolve(dead["id"], Actor("admin1", "admin"), "ERP already had v0")
    _drain(hub, clock, rounds=2)
    assert _descriptions(erp) == ["A v1"]


def test_the_drop_folder_target_writes_one_file_per_delivery_named_by_its_key(make_hub, tmp_path):
    folder = tmp_path / "archive"
    hub = make_hub(f"""
systems: {{archive: {{kind: dropfolder, path: "{folder}"}}}}
subscriptions: {{item.upserted: [archive]}}
""")
    hub.intake.ingest(_updates(items=("A", "B"), versions=1))
    hub.worker.run_until_idle()
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["archive-0000000001.json", "archive-0000000002.json"]
    assert json.loads((folder / files[0]).read_text())["data"]["item_id"] == "A"


def test_a_dead_letter_of_a_sensitive_type_is_requeued_only_after_a_second_person_approves(make_hub):
    erp, clock = MemoryConnector(always_fail=True, permanent=True), FakeClock()
    hub = make_hub(CONFIG + "approval_required: [item.upserted]\n", connectors={"erp": erp}, clock=clock)
    hub.intake.ingest(_updates(items=("A",), versions=1))
    _drain(hub, clock, rounds=2)
    [dead] = hub.exceptions.list(kind="dead_letter")
    erp.always_fail = False
    assert hub.exceptions.replay(dead["id"], Actor("admin1", "admin")).status == "pending_approval"
    _drain(hub, clock, rounds=2)
    assert erp.received == []
    assert hub.exceptions.approve(dead["id"], Actor("admin2", "admin")).status == "replayed"
    _drain(hub, clock, rounds=2)
    assert _descriptions(erp) == ["A v0"]


class _BrokenConnector:
    """A connector with a bug: it fails the same way however often it is called."""

    def __init__(self):
        self.calls = 0

    def deliver(self, delivery) -> None:
        self.calls += 1
        raise KeyError("payload['data']['plant']")


def test_a_connector_bug_is_a_clear_dead_letter_at_once_not_eight_silent_retries(make_hub):
    broken, clock = _BrokenConnector(), FakeClock()
    hub = make_hub(CONFIG, connectors={"erp": broken}, clock=clock)
    hub.intake.ingest([envelope("item.upserted", item("A"))])
    _drain(hub, clock, rounds=5)
    [dead] = hub.exceptions.list(kind="dead_letter")
    assert broken.calls == 1
    assert dead["codes"] == ["DELIVERY_CONNECTOR_ERROR"] and "KeyError" in dead["reasons"][0]["message"]


def test_a_target_without_a_connector_is_dead_lettered_saying_so(make_hub):
    hub = make_hub(CONFIG, clock=FakeClock())
    hub.connectors.pop("erp")
    hub.intake.ingest([envelope("item.upserted", item("A"))])
    hub.worker.run_until_idle()
    [dead] = hub.exceptions.list(kind="dead_letter")
    assert dead["codes"] == ["DELIVERY_NO_CONNECTOR"] and "no connector" in dead["reasons"][0]["message"]
