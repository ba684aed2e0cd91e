"""`mfgsync work --until-idle` as a script after a crash uses it: it ends with everything
delivered that can be, and says precisely what it left and why."""

from __future__ import annotations

import json
import time

from mfgsync.store import open_store
from tests.support.cli import run
from tests.support.messages import envelope, item


def _setup(tmp_path, target: str, lease_seconds: float = 60) -> None:
    (tmp_path / "hub.yaml").write_text(f"systems: {{erp: {target}}}\nsubscriptions: {{item.upserted: [erp]}}\n"
                                       f"retry: {{max_attempts: 1, lease_seconds: {lease_seconds}}}\n")


def _ingest(tmp_path, *messages) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps(m) for m in messages) + "\n")
    run(tmp_path, "ingest", str(feed))


def test_the_leases_of_a_worker_that_died_are_waited_out_and_their_rows_delivered(tmp_path):
    _setup(tmp_path, f'{{kind: dropfolder, path: "{tmp_path}/out"}}', lease_seconds=1.5)
    _ingest(tmp_path, envelope("item.upserted", item("PMP-100")), envelope("item.upserted", item("BOLT")))
    store = open_store(f"sqlite:///{tmp_path}/mfgsync-data/mfgsync.db")
    with store.writing() as uow:  # a worker claims both rows, then is killed before delivering
        assert len(uow.claim(time.time(), "worker-killed", 1.5, 10)) == 2
    store.close()
    started = time.monotonic()
    report = json.loads(run(tmp_path, "work", "--until-idle", "--json").stdout)
    assert report["attempted"] == 2 and report["pending"] == 0
    assert time.monotonic() - started >= 1.0, "it waited for the dead worker's leases to run out"
    assert len(list((tmp_path / "out").glob("*.json"))) == 2


def test_what_waits_behind_a_dead_letter_is_reported_as_held_not_as_due(tmp_path, monkeypatch):
    monkeypatch.setenv("MFGSYNC_TEST_SECRET", "s3cret")
    _setup(tmp_path, "{kind: webhook, url: 'http://127.0.0.1:9/refused', secret_env: MFGSYNC_TEST_SECRET}")
    _ingest(tmp_path, envelope("item.upserted", item("PMP-100", "v1")),
            envelope("item.upserted", item("PMP-100", "v2"), time="2026-11-22T11:00:00Z"))
    report = json.loads(run(tmp_path, "work", "--until-idle", "--json").stdout)
    assert report == {"attempted": 1, "next_retry_in_seconds": None, "pending": 1, "held_by_dead_letter": 1,
                      "dead_letters": 1}
    text = run(tmp_path, "work", "--until-idle").stdout
    assert "1 held behind 1 dead letters" in text


def test_status_and_lineage_answer_from_the_command_line(tmp_path):
    _setup(tmp_path, f'{{kind: dropfolder, path: "{tmp_path}/out"}}')
    _ingest(tmp_path, envelope("item.upserted", item("PMP-100"), correlationid="ECO-9"))
    status = json.loads(run(tmp_path, "status", "--json").stdout)
    assert status["deliveries"]["pending"] == 1 and status["deliveries"]["due_now"] == 1
    run(tmp_path, "work", "--until-idle")
    tree = json.loads(run(tmp_path, "lineage", "ECO-9", "--json").stdout)
    assert tree["correlation_id"] == "ECO-9"
    assert [(n["kind"], n["parent"] is None) for n in tree["nodes"]] == [
        ("message", True), ("effect", False), ("delivery", False)]
    assert "NOT_FOUND" in run(tmp_path, "lineage", "NO-SUCH", expect=1).stderr
