"""The README's supplier commands run as written, from a checkout: an order goes out as an 850,
its 855 comes back, the planner's exceptions name the late work orders and the hub answers with
a 997."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from mfgsync.cli import build_app

ROOT = Path(__file__).resolve().parents[2]


def supplier_lines() -> tuple[dict[str, str], list[str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Suppliers: orders out", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```sh\n(.*?)```", section, re.S)[-1]
    env = dict(line[len("export "):].split("=", 1) for line in block.splitlines() if line.startswith("export "))
    return env, [line for line in block.splitlines() if line.startswith("mfgsync ")]


def test_every_supplier_command_of_the_readme_runs_as_written(tmp_path, monkeypatch):
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    env, lines = supplier_lines()
    app, runner = build_app(), CliRunner()
    outputs = {}
    for line in lines:
        words = shlex.split(line, comments=True)[1:]
        result = runner.invoke(app, words, env={**env, "MFGSYNC_DATABASE_URL": None, "MFGSYNC_ROLE": None})
        assert result.exit_code == 0, f"{line}\n{result.stderr}{result.exception!r}"
        if "--json" in words:
            outputs[" ".join(words[:2])] = json.loads(result.stdout)
    po = outputs["get po"]
    assert po["status"] == "acknowledged"
    assert [(l["status"], l["committed_qty"]) for l in po["lines"]] == [("changed", 80), ("rejected", 0),
                                                                         ("accepted", 200)]
    planner = [x for x in outputs["exceptions list"]["exceptions"] if x["owner_role"] == "planner"]
    assert any("WO-1" in x["reasons"][0]["message"] for x in planner)
    sent = outputs["suppliers interchanges"]["sent"]
    assert [(r["control_number"], r["purpose"]) for r in sent] == [("1", "order"), ("2", "acknowledgement")]
    assert sorted(p.name for p in (tmp_path / "edi/northfast/out").iterdir()) == [
        "northfast-000000001-order.edi", "northfast-000000002-acknowledgement.edi"]
    assert outputs["kpi --json"]["po_ack_turnaround_seconds"]["by_partner"]["northfast"]["count"] == 1
    assert outputs["suppliers catalogue"]["accepted"] == 2
