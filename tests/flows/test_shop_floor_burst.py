"""A shift-change burst of 50,000 consumption events across 200 items and 3 plants, shuffled
within each item's stream, with 5% duplicates (half of them re-sent under new message ids):
the ledger ends equal to an independent recomputation, with one ledger entry and one delivery
per distinct movement — on SQLite in one process, and on PostgreSQL with two processes
ingesting at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from decimal import Decimal

import pytest

from mfgsync.app import build_hub
from mfgsync.config import parse_settings
from mfgsync.demo.shift_burst import PLANTS, expected_balances, shift_burst
from mfgsync.model import keys

pytestmark = pytest.mark.slow
CONFIG = "systems: {erp: {kind: memory}}\nsubscriptions: {inventory.moved: [erp]}\n"
BATCH = 1000


def _assert_ledger_matches(url: str, burst) -> None:
    hub = build_hub(parse_settings(CONFIG), url, run_migrations=False)
    expected = expected_balances(burst)
    per_stream = Counter((mv["item_id"], mv["plant_id"]) for mv in burst.consumptions)
    with hub.store.reading() as read:
        held = {(b["item_id"], b["plant_id"]): b for b in read.balances() if b["location_id"] == "LINE"}
        assert {k: Decimal(str(b["qty"])) for k, b in held.items()} == expected
        assert {b["uom"] for b in held.values()} == {"C62", "KGM"}, "balances are kept in base units"
        for item_id in list(burst.items)[:40]:
            for plant in PLANTS:
                ledger = read.ledger(keys.balance(item_id, plant, "LINE", None, "available"))
                assert len(ledger) == 1 + per_stream[(item_id, plant)], "one ledger entry per distinct movement"
        delivered = sum(read.outbox_counts()["erp"].values())
    hub.close()
    assert delivered == len(burst.consumptions) + len(burst.items) * len(PLANTS), "no duplicate effect"


def test_the_burst_on_sqlite_ends_in_the_recomputed_balances(tmp_path):
    burst = shift_burst()
    url = f"sqlite:///{tmp_path}/hub.db"
    hub = build_hub(parse_settings(CONFIG), url)
    report = hub.intake.ingest(burst.messages, batch_size=BATCH)
    hub.close()
    assert report.quarantined == 0
    assert report.accepted == len(burst.consumptions) + 4 * len(burst.items)
    assert report.duplicates == len(burst.messages) - report.accepted
    _assert_ledger_matches(url, burst)


def test_the_burst_on_postgresql_with_two_ingesting_processes_ends_in_the_recomputed_balances(tmp_path, postgres_url):
    burst = shift_burst()
    build_hub(parse_settings(CONFIG), postgres_url).close()  # migrated before either process starts
    setup = 4 * len(burst.items)
    feed = burst.messages[setup:]
    batches = [feed[i:i + BATCH] for i in range(0, len(feed), BATCH)]
    files = []
    for half in (0, 1):
        path = tmp_path / f"half-{half}.jsonl"
        lines = burst.messages[:setup] + [m for b in batches[half::2] for m in b]  # both open the plant
        path.write_text("".join(line + "\n" for line in lines))
        files.append(path)
    (tmp_path / "hub.yaml").write_text(CONFIG)
    env = {**os.environ, "MFGSYNC_DATABASE_URL": postgres_url, "MFGSYNC_CONFIG": str(tmp_path / "hub.yaml"),
           "PYTHONPATH": os.pathsep.join(sys.path)}
    children = [subprocess.Popen([sys.executable, "-m", "mfgsync.cli", "ingest", str(path), "--json"], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for path in files]
    outputs = [child.communicate(timeout=900) for child in children]
    for child, (out, err) in zip(children, outputs):
        assert child.returncode == 0, err[-2000:]
    counts = [json.loads(out) for out, _ in outputs]
    assert sum(c["quarantined"] for c in counts) == 0
    assert sum(c["accepted"] for c in counts) == len(burst.consumptions) + setup
    _assert_ledger_matches(postgres_url, burst)
