"""Control numbers towards a partner are unique and without gaps when several processes send
at once: two `mfgsync ingest` processes approve orders for the same supplier side by side, then
two `mfgsync work` processes deliver them, all against one PostgreSQL store (and one SQLite
file). Every interchange in the partner's drop folder carries its own number, 1 to N."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mfgsync import formats
from tests.support.messages import envelope
from tests.support.suppliers import at, config, open_hub, order, plant_messages, sent_files

ORDERS_EACH = 15


def _run_together(commands: list[list[str]], env: dict[str, str]) -> None:
    children = [subprocess.Popen(c, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for c in commands]
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err[-2000:]


@pytest.mark.slow
def test_two_processes_sending_orders_at_once_never_share_or_skip_a_control_number(database_url, tmp_path,
                                                                                  monkeypatch):
    monkeypatch.setenv("PROCURE_SECRET", "platform-shared-secret")
    hub = open_hub(tmp_path, database_url, clock=lambda: 1.8e9)
    hub.intake.ingest(plant_messages("northfast"))
    hub.close()
    (tmp_path / "hub.yaml").write_text(config(tmp_path))
    feeds = []
    for process in range(2):
        feed = tmp_path / f"orders-{process}.jsonl"
        feed.write_text("".join(json.dumps(envelope("po.created", order(f"45{process}{n:05d}", "northfast"),
                                                    source="erp", time=at(0))) + "\n"
                                for n in range(ORDERS_EACH)))
        feeds.append(feed)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "MFGSYNC_CONFIG": str(tmp_path / "hub.yaml"),
           "MFGSYNC_DATABASE_URL": database_url, "PROCURE_SECRET": "platform-shared-secret"}
    command = [sys.executable, "-m", "mfgsync.cli"]
    _run_together([[*command, "ingest", str(feed), "--json"] for feed in feeds], env)
    _run_together([[*command, "work", "--until-idle", "--json"]] * 2, env)

    interchanges = [formats.parse_edi(p.read_text())["interchanges"][0] for p in sent_files(tmp_path, "northfast")]
    numbers = sorted(int(i["control_number"]) for i in interchanges)
    assert numbers == list(range(1, 2 * ORDERS_EACH + 1)), "each number used once, none skipped"
    orders = sorted(d["data"]["po_number"] for i in interchanges for d in i["documents"])
    assert orders == sorted(f"45{p}{n:05d}" for p in range(2) for n in range(ORDERS_EACH)), "each order sent once"
