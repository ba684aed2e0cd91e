"""Promises the README makes about the command line and the targets, each held by a test."""

from __future__ import annotations

import ast
import json
import multiprocessing
from pathlib import Path

import typer.main

from mfgsync.cli import build_app
from mfgsync.connectors.base import Delivery
from mfgsync.connectors.files import RecorderConnector

from tests.support.cli import run

CLI_SOURCE = Path(__file__).resolve().parents[2] / "src" / "mfgsync" / "cli"
# Commands whose output is not a report: a server, a worker loop, benchmarks' figures, the
# schema upgrade's one line, and rendered EDI text.
NOT_REPORTING = {"serve", "worker", "bench", "db upgrade", "edi render"}


def _commands(command=None, prefix: str = ""):
    command = command or typer.main.get_command(build_app())
    if hasattr(command, "commands"):
        for name, child in command.commands.items():
            yield from _commands(child, f"{prefix} {name}".strip())
    else:
        yield prefix, {option for parameter in command.params for option in getattr(parameter, "opts", [])}


def test_every_reporting_command_takes_json():
    missing = [name for name, options in _commands() if name not in NOT_REPORTING and "--json" not in options]
    assert missing == []


def test_every_error_the_command_line_reports_carries_a_reason_code():
    uncoded = []
    for path in CLI_SOURCE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "fail":
                if len(node.args) < 2 and not any(k.arg == "code" for k in node.keywords):
                    uncoded.append(f"{path.name}:{node.lineno}")
    assert uncoded == []


def test_a_worker_refuses_a_store_that_is_behind_with_its_reason_code(tmp_path):
    refused = run(tmp_path, "worker", expect=2)
    assert "STORE_NOT_MIGRATED" in refused.stderr and "mfgsync db upgrade" in refused.stderr


def _record(path: str, keys: list[str]) -> None:
    recorder = RecorderConnector(path)
    for key in keys:
        recorder.deliver(Delivery(key, "rec", "item.upserted", f"ITEM:{key}", json.dumps({"id": key})))


def test_the_recorder_records_each_delivery_key_once_with_several_workers_appending(tmp_path):
    path = str(tmp_path / "recording.jsonl")
    keys = [f"k{n:03d}" for n in range(150)]
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_record, args=(path, order)) for order in (keys, keys[::-1], keys)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0, 0]
    recorded = [json.loads(line)["key"] for line in Path(path).read_text().splitlines()]
    assert sorted(recorded) == keys, "every key once, none lost"
