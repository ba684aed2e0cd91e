"""A hub killed with SIGKILL at any moment loses nothing and duplicates no effect.

Each trial starts ingestion and delivery in a child process and kills it at a random instant;
each trial's input is the last one's plus newly arrived messages, as a restarted feed would be.
After the last trial the whole input is ingested and delivered to completion. Then every input
message must be in the inbox exactly once (applied or quarantined), every delivery must be in
the recording exactly once, and each entity's deliveries must be in the order they were applied.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, text
from tests.support.messages import envelope, item

TRIALS = 20

CHILD = """
import sys
from mfgsync.app import build_hub
from mfgsync.config import load_settings
from mfgsync.adapters.files import read_messages
from pathlib import Path
hub = build_hub(load_settings(sys.argv[1]), sys.argv[2])
print("ready", flush=True)
hub.intake.ingest(read_messages(Path(sys.argv[3])), batch_size=int(sys.argv[4]))
hub.worker.run_until_idle()
print("done", flush=True)
"""


def _input(entities=40, versions=TRIALS) -> tuple[list[list[dict]], int]:
    """Messages in arrival order, one list per trial: each entity gets a new version per trial."""
    arrivals, invalid = [], 0
    for v in range(versions):
        messages = []
        for e in range(entities):
            messages.append(envelope("item.upserted", item(f"P{e:03d}", f"P{e:03d} v{v}"),
                                     time=f"2026-11-22T10:{v:02d}:00Z", message_id=f"m-{e}-{v}"))
        messages.append(envelope("item.upserted", {"item_id": f"BAD{v}", "base_uom": "FURLONG"},
                                 message_id=f"bad-{v}"))
        invalid += 1
        messages += messages[:5]  # duplicates within the feed
        arrivals.append(messages)
    return arrivals, invalid


def _write(path, arrivals: list[list[dict]]) -> None:
    path.write_text("\n".join(json.dumps(m) for batch in arrivals for m in batch) + "\n")


@pytest.mark.slow
def test_a_hub_killed_at_random_moments_applies_and_delivers_everything_exactly_once(tmp_path, database_url):
    recording = tmp_path / "recording.jsonl"
    config = tmp_path / "hub.yaml"
    config.write_text(f'systems: {{rec: {{kind: recorder, path: "{recording}"}}}}\n'
                      f"subscriptions: {{item.upserted: [rec]}}\n"
                      f"retry: {{base_seconds: 0, max_seconds: 0, lease_seconds: 0.5}}\n")
    url = database_url
    source = tmp_path / "input.jsonl"
    arrivals, invalid = _input()
    messages = [m for batch in arrivals for m in batch]
    rng = random.Random(20261122)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    killed = 0
    for trial in range(TRIALS):
        _write(source, arrivals[:trial + 1])
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(config), url, str(source), str(rng.choice([7, 20, 50]))],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.05 + 0.01 * trial))  # inside the run, which grows with the feed
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            killed += 1
        child.wait()
        time.sleep(0.6)  # let a killed worker's leases expire, as they would
    assert killed >= TRIALS // 4, "the trials must actually interrupt the hub"
    finish = subprocess.run([sys.executable, "-c", CHILD, str(config), url, str(source), "50"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert finish.stdout.split() == ["ready", "done"], finish.stderr

    distinct = {m["id"] for m in messages}
    engine = create_engine(url)
    with engine.connect() as c:
        outcomes = dict(c.execute(text("SELECT message_id, outcome FROM inbox")).all())
        quarantined = c.execute(text("SELECT COUNT(*) FROM exceptions WHERE kind = 'quarantine'")).scalar()
        deliveries = c.execute(text("SELECT id, entity_key, status FROM outbox ORDER BY id")).all()
    engine.dispose()
    assert set(outcomes) == distinct
    assert sum(1 for o in outcomes.values() if o == "quarantined") == invalid == quarantined
    assert all(status == "delivered" for _, _, status in deliveries)

    recorded = [json.loads(line) for line in recording.read_text().splitlines() if line.strip()]
    keys = [r["key"] for r in recorded]
    assert len(keys) == len(set(keys)) == len(deliveries), "each delivery recorded exactly once"
    order_applied: dict[str, list[str]] = {}
    for outbox_id, entity, _ in deliveries:
        order_applied.setdefault(entity, []).append(f"rec-{outbox_id:010d}")
    order_received: dict[str, list[str]] = {}
    for r in recorded:
        order_received.setdefault(r["entity_key"], []).append(r["key"])
    assert order_received == order_applied, "per-entity order kept across crashes"
    final = {r["entity_key"]: r["envelope"]["data"]["description"] for r in recorded}
    assert all(final[f"ITEM:P{e:03d}"] == f"P{e:03d} v{TRIALS - 1}" for e in range(40))
