"""The command line as outside checks call it: one JSON document on stdout, errors on stderr."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.support.cli import run
from tests.support.messages import bom, envelope, item


@pytest.fixture
def workdir(tmp_path):
    config = tmp_path / "hub.yaml"
    config.write_text(f'systems: {{archive: {{kind: dropfolder, path: "{tmp_path}/out"}}}}\n'
                      "subscriptions: {item.upserted: [archive], bom.released: [archive]}\n")
    return tmp_path


def _feed(workdir: Path) -> Path:
    path = workdir / "plant.jsonl"
    messages = [envelope("item.upserted", item("PMP-100", "Pump")), envelope("item.upserted", item("BOLT", "Bolt")),
                envelope("bom.released", bom("PMP-100", "A", {"BOLT": 4})),
                envelope("bom.released", bom("PMP-100", "B", {"GEAR": 1}), time="2026-11-22T11:00:00Z")]
    path.write_text("\n".join(json.dumps(m) for m in messages) + "\nnot json\n")
    return path


def test_ingest_prints_counts_by_outcome_and_reason_as_one_json_document(workdir):
    feed = _feed(workdir)
    first = json.loads(run(workdir, "ingest", str(feed), "--json").stdout)
    assert first["accepted"] == 3 and first["quarantined"] == 2
    assert first["by_reason"] == {"COMPONENT_UNKNOWN": 1, "MALFORMED_JSON": 1}
    second = json.loads(run(workdir, "ingest", str(feed), "--json").stdout)
    assert second["duplicates"] == 5 and second["accepted"] == 0
    assert (workdir / "mfgsync-data" / "mfgsync.db").exists(), "the embedded store lives under ./mfgsync-data"


def test_work_until_idle_delivers_and_get_shows_the_canonical_state(workdir):
    run(workdir, "ingest", str(_feed(workdir)))
    assert json.loads(run(workdir, "work", "--until-idle", "--json").stdout) == \
        {"attempted": 3, "next_retry_in_seconds": None, "pending": 0, "held_by_dead_letter": 0, "dead_letters": 0}
    assert len(list((workdir / "out").glob("*.json"))) == 3
    state = json.loads(run(workdir, "get", "bom", "PMP-100", "--revision", "A", "--json").stdout)
    line = state["lines"][0]
    assert (line["line_no"], line["component_id"], line["qty_per"], line["uom"], line["scrap_pct"]) == \
        (10, "BOLT", 4, "C62", 0), "canonical names, Rec 20 units, quantities as JSON numbers"
    missing = run(workdir, "get", "item", "NOPE", "--json", expect=1)
    assert missing.stdout == "" and "NOT_FOUND" in missing.stderr


def test_a_quarantined_bom_is_fixed_and_replayed_from_the_command_line(workdir):
    run(workdir, "ingest", str(_feed(workdir)))
    listed = json.loads(run(workdir, "exceptions", "list", "--json", "--code", "COMPONENT_UNKNOWN").stdout)
    [exception] = listed["exceptions"]
    assert exception["owner_role"] == "engineering"
    fix = workdir / "fix.json"
    fix.write_text(json.dumps(bom("PMP-100", "B", {"BOLT": 6})))
    outcome = json.loads(run(workdir, "exceptions", "replay", str(exception["id"]), "--data", str(fix), "--json").stdout)
    assert outcome["status"] == "replayed"
    assert json.loads(run(workdir, "get", "bom", "PMP-100", "--json").stdout)["revision"] == "B"
    shown = json.loads(run(workdir, "exceptions", "show", str(exception["id"]), "--json").stdout)
    assert shown["status"] == "replayed" and shown["resolved_by"] == "tester"


def test_audit_verify_fails_once_a_row_is_edited(workdir):
    run(workdir, "ingest", str(_feed(workdir)))
    assert json.loads(run(workdir, "audit", "verify", "--json").stdout)["ok"] is True
    with sqlite3.connect(workdir / "mfgsync-data" / "mfgsync.db") as db:
        db.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 2")
    report = json.loads(run(workdir, "audit", "verify", "--json", expect=1).stdout)
    assert report["ok"] is False and any("row 2" in p for p in report["problems"])


def test_a_bad_configuration_is_reported_with_its_line_and_a_non_zero_exit(workdir):
    (workdir / "hub.yaml").write_text("retry:\n  max_attempts: many\n")
    result = run(workdir, "kpi", "--json", expect=2)
    assert result.stdout == "" and "hub.yaml:2" in result.stderr and "CONFIG_INVALID" in result.stderr


def test_kpi_reports_dead_letters_and_exception_age(workdir):
    run(workdir, "ingest", str(_feed(workdir)))
    figures = json.loads(run(workdir, "kpi", "--json").stdout)
    assert figures["messages"]["quarantined"] == 2 and figures["dead_letter_depth"] == 0
    assert figures["exceptions_open"] == {"quarantine:admin": 1, "quarantine:engineering": 1}


def test_get_history_lists_every_applied_revision_oldest_first(workdir):
    run(workdir, "ingest", str(_feed(workdir)))
    fix = workdir / "fix.json"
    fix.write_text(json.dumps(bom("PMP-100", "B", {"BOLT": 6})))
    [exception] = json.loads(run(workdir, "exceptions", "list", "--json", "--code", "COMPONENT_UNKNOWN").stdout)["exceptions"]
    run(workdir, "exceptions", "replay", str(exception["id"]), "--data", str(fix))
    history = json.loads(run(workdir, "get", "bom", "PMP-100", "--history", "--json").stdout)
    assert [h["data"]["revision"] for h in history["history"]] == ["A", "B"]
    assert history["entity_key"] == "BOM:PMP-100@*"
