"""`mfgsync exceptions ...` as operators run it: roles from MFGSYNC_ROLE, identities from the OS
user or MFGSYNC_ACTOR, corrections that keep their evidence, and lists a page at a time."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest

from mfgsync.app import build_hub
from mfgsync.config import parse_settings

from tests.support.cli import run
from tests.support.messages import bom, envelope, item

SETTINGS = "approval_required: [po.created]\n"


@contextmanager
def _embedded_hub(workdir):
    """The hub the commands in `workdir` open, opened in this process to set up and read back."""
    hub = build_hub(parse_settings(SETTINGS), f"sqlite:///{workdir}/mfgsync-data/mfgsync.db")
    try:
        yield hub
    finally:
        hub.close()


@pytest.fixture
def plant(tmp_path):
    """A hub where replaying a purchase order needs approval, with one BOM quarantined for
    engineering (exception 1) and one unreadable message (exception 2)."""
    (tmp_path / "hub.yaml").write_text(SETTINGS)
    (tmp_path / "mfgsync-data").mkdir()
    with _embedded_hub(tmp_path) as hub:
        hub.intake.ingest([envelope("item.upserted", item("PMP-100", "Pump")), envelope("item.upserted", item("BOLT")),
                           envelope("supplier.upserted", {"supplier_id": "S1", "name": "Northfast"}, source="erp"),
                           envelope("bom.released", bom("PMP-100", "A", {"BOLT": 0}))])
        hub.intake.ingest(["{not json"])
    return tmp_path


def _exception(workdir, exception_id: int) -> dict:
    with _embedded_hub(workdir) as hub:
        return hub.exceptions.get(exception_id)


def _file(workdir, name: str, document: dict) -> str:
    (workdir / name).write_text(json.dumps(document))
    return str(workdir / name)


def _bolts_order(source: str = "erp", message_id: str = "erp-bolts") -> dict:
    return envelope("po.created", {"po_number": "4500099999", "supplier_id": "S1", "lines": [
        {"line_no": 10, "item_id": "BOLT", "qty": 99999, "uom": "C62"}]}, source=source, message_id=message_id)


def _show(workdir, exception_id: int) -> dict:
    return json.loads(run(workdir, "exceptions", "show", str(exception_id), "--json").stdout)


def test_a_role_that_does_not_own_an_exception_is_refused_with_not_permitted(plant):
    fix = _file(plant, "fix.json", bom("PMP-100", "A", {"BOLT": 8}))
    for command in (["resolve", "1", "--note", "not mine"], ["replay", "1", "--data", fix]):
        refused = run(plant, "exceptions", *command, "--json", expect=2, MFGSYNC_ROLE="warehouse")
        assert refused.stdout == "" and "NOT_PERMITTED" in refused.stderr
    assert _exception(plant, 1)["status"] == "open"


def test_a_replacement_of_another_type_is_refused_and_changes_nothing(plant):
    original = _exception(plant, 1)
    order = _file(plant, "order.json", _bolts_order("plm", original["message_id"]))
    refused = run(plant, "exceptions", "replay", "1", "--data", order, expect=2)
    assert "EXCEPTION_STATE" in refused.stderr and "keep the original's type" in refused.stderr
    after = _exception(plant, 1)
    assert (after["status"], after["payload"], after["original_payload"]) == ("open", original["payload"], None)


def test_a_sensitive_replacement_of_an_unreadable_message_needs_someone_else_whatever_the_case(plant):
    order = _file(plant, "order.json", _bolts_order())
    outcome = json.loads(run(plant, "exceptions", "replay", "2", "--data", order, "--json",
                             MFGSYNC_ACTOR="buyer1").stdout)
    assert outcome["status"] == "pending_approval"
    refused = run(plant, "exceptions", "approve", "2", expect=2, MFGSYNC_ACTOR="Buyer1")
    assert "NOT_PERMITTED" in refused.stderr
    approved = json.loads(run(plant, "exceptions", "approve", "2", "--json", MFGSYNC_ACTOR="lead2").stdout)
    assert (approved["status"], approved["detail"]) == ("replayed", "applied"), "applied only now"


def test_show_keeps_the_original_payload_beside_the_correction(plant):
    original = _exception(plant, 1)["payload"]
    fix = _file(plant, "fix.json", bom("PMP-100", "A", {"BOLT": 8}))
    run(plant, "exceptions", "replay", "1", "--data", fix, MFGSYNC_ROLE="engineering")
    shown = _show(plant, 1)
    assert shown["status"] == "replayed" and shown["original_payload"] == original
    assert json.loads(shown["payload"])["data"]["lines"][0]["qty_per"] == 8


def test_exceptions_list_pages_through_600_and_says_when_more_exist(tmp_path):
    (tmp_path / "mfgsync-data").mkdir()
    with _embedded_hub(tmp_path) as hub:
        assert hub.intake.ingest([f"not json {n}" for n in range(600)]).quarantined == 600
    first = json.loads(run(tmp_path, "exceptions", "list", "--json").stdout)
    assert len(first["exceptions"]) == 100 and first["more"] is True, "a page of 100 by default"
    second = json.loads(run(tmp_path, "exceptions", "list", "--json", "--after", str(first["next_after"]),
                            "--limit", "500").stdout)
    ids = [e["id"] for e in first["exceptions"] + second["exceptions"]]
    assert len(second["exceptions"]) == 500 and second["more"] is False and second["next_after"] is None
    assert ids == sorted(set(ids)) and len(ids) == 600, "the next page continues where the first ended"
    table = run(tmp_path, "exceptions", "list", "--limit", "5").stdout
    assert f"--after {first['exceptions'][4]['id']}" in table, "the human list says how to go on"


def test_bench_pipeline_refuses_a_negative_event_count_at_once_and_documents_the_option(tmp_path):
    refused = run(tmp_path, "bench", "pipeline", "--events", "-5", expect=2)
    assert "--events" in refused.stderr and "-5" in refused.stderr and "Traceback" not in refused.stderr
    assert refused.stdout == ""
    assert "--events" in run(tmp_path, "bench", "pipeline", "--help").stdout
