"""The README's tour runs as written: every `mfgsync` line of it, in order, from a checkout."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from mfgsync.cli import build_app

ROOT = Path(__file__).resolve().parents[2]
SLOW = {"bench"}  # takes minutes; the README says the tour test leaves it out


def tour_lines() -> list[str]:
    """The `mfgsync` lines of the shell block under "A tour from the command line"."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## A tour from the command line", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.startswith("mfgsync ")]


def test_the_tour_names_only_files_a_checkout_ships():
    named = [word for line in tour_lines() for word in shlex.split(line, comments=True) if "/" in word]
    assert named and all((ROOT / path).is_file() for path in named), named


def test_every_line_of_the_tour_runs_as_written(tmp_path, monkeypatch):
    # A fresh directory that holds what a checkout holds, so the store starts empty.
    for shipped in ("src", "examples"):
        (tmp_path / shipped).symlink_to(ROOT / shipped)
    monkeypatch.chdir(tmp_path)
    app, runner = build_app(), CliRunner()
    ran = []
    for line in tour_lines():
        words = shlex.split(line, comments=True)[1:]
        if words[0] in SLOW:
            continue
        result = runner.invoke(app, words, env={"MFGSYNC_CONFIG": None, "MFGSYNC_DATABASE_URL": None,
                                                "MFGSYNC_ROLE": None})
        assert result.exit_code == 0, f"{line}\n{result.stderr}{result.exception!r}"
        if "--json" in words:
            json.loads(result.stdout)  # exactly one JSON document, nothing else on stdout
        ran.append(words)
    assert len(ran) >= 15 and any(w[0] == "plan" for w in ran), ran


def test_ingest_says_which_layout_it_read_for_each_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lines, array, document = (tmp_path / name for name in ("a.jsonl", "b.json", "c.json"))
    envelope = {"specversion": "1.0", "id": "plm-1", "source": "plm", "type": "item.upserted",
                "time": "2026-11-22T10:00:00Z", "data": {"item_id": "PMP-100", "base_uom": "C62"}}
    lines.write_text(json.dumps(envelope) + "\n" + json.dumps({**envelope, "id": "plm-2"}) + "\n")
    array.write_text(json.dumps([{**envelope, "id": "plm-3"}]))
    document.write_text(json.dumps({**envelope, "id": "plm-4"}, indent=2))
    edi = ROOT / "examples" / "purchase-order-850.edi"
    paths = [str(p) for p in (lines, array, document, edi)]
    app, env = build_app(), {"MFGSYNC_CONFIG": None, "MFGSYNC_DATABASE_URL": None}
    human = CliRunner().invoke(app, ["ingest", *paths], env=env)
    assert human.exit_code == 0, human.stderr
    for path, layout in zip(paths, ("JSON lines", "a JSON array", "a single JSON document", "X12")):
        assert f"{path}: read as {layout}" in " ".join(human.stdout.split())
    document = json.loads(CliRunner().invoke(app, ["ingest", *paths, "--json"], env=env).stdout)
    assert document["files"] == [{"path": p, "layout": layout} for p, layout in
                                 zip(paths, ("jsonl", "json-array", "json-document", "x12"))]
    assert document["duplicates"] == document["total"], "the --json document's counts stay as they were"
