"""A routing travels with its revision: PLM releases revision B of a pump with its routing, and
the ERP (a real Tryton with production routings) ends with one routing per revision, its steps
in operation order, linked to the BOM of the same revision and set on the product's BOM list."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mfgsync.app import build_hub
from mfgsync.config import parse_settings
from tests.conftest import FakeClock
from tests.support.messages import bom, envelope, item
from tests.support.proxy import ReplyDropper

pytestmark = pytest.mark.tryton

ASSEMBLY = {"op_no": 10, "work_center": "WC-ASSY", "description": "Assemble", "setup_minutes": 15,
            "run_minutes_per_unit": 12, "instruction_ref": "WI-100-10"}
TEST = {"op_no": 20, "work_center": "WC-TEST", "description": "Pressure test", "run_minutes_per_unit": 5}


def _routing(revision: str, *operations: dict) -> dict:
    return {"item_id": "PMP-100", "revision": revision, "status": "released", "effective_from": "2026-12-15",
            "operations": list(operations)}


def _hub(tryton, tmp_path, monkeypatch, url=None):
    monkeypatch.setenv("ERP_PASSWORD", tryton.password)
    text = f"""
systems:
  erp: {{kind: tryton, url: "{url or tryton.url}", database: {tryton.database}, user: {tryton.user},
         password_env: ERP_PASSWORD, timeout_seconds: 30}}
subscriptions: {{item.upserted: [erp], bom.released: [erp], routing.released: [erp]}}
plants: {{P1: {{receives: ["*"], work_centers: [WC-ASSY, WC-TEST]}}}}
retry: {{base_seconds: 0, max_seconds: 0}}
"""
    clock = FakeClock(datetime(2026, 12, 1, tzinfo=timezone.utc).timestamp())
    return build_hub(parse_settings(text), f"sqlite:///{tmp_path}/hub.db", clock=clock)


def _release(revision: str, routing: dict) -> list[dict]:
    return [envelope("bom.released", bom("PMP-100", revision, {"SEAL-B": 1}, status="released",
                                         effective_from="2026-12-15"), correlationid=f"ECO-{revision}"),
            envelope("routing.released", routing, correlationid=f"ECO-{revision}")]


def _drain(hub, rounds: int = 6) -> None:
    for _ in range(rounds):  # a routing may reach Tryton before its BOM: it is retried
        hub.worker.run_until_idle()


def _routings(session) -> dict[str, list[tuple[int, str]]]:
    """Every routing in Tryton: name -> (sequence, operation) of its steps."""
    found = {}
    for routing in session.model("production.routing", "search_read", [], 0, None, [["id", "ASC"]], ["name", "steps"]):
        steps = session.model("production.routing.step", "read", routing["steps"], ["sequence", "operation.name"])
        found[routing["name"]] = sorted((s["sequence"], s["operation."]["name"]) for s in steps)
    return found


def _routing_of_bom(session, bom_name: str) -> str | None:
    [link] = session.model("product.product-production.bom", "search_read", [["bom.name", "=", bom_name]], 0, 1, None,
                           ["routing.name"])
    return (link.get("routing.") or {}).get("name")


def test_a_released_routing_is_one_tryton_routing_per_revision_linked_to_its_bom(tryton, tmp_path, monkeypatch):
    hub = _hub(tryton, tmp_path, monkeypatch)
    items = [envelope("item.upserted", item(i, item_type=k)) for i, k in (("PMP-100", "make"), ("SEAL-B", "buy"))]
    report = hub.intake.ingest([*items, *_release("B", _routing("B", ASSEMBLY, TEST))])
    assert report.accepted == 4, hub.exceptions.list()
    _drain(hub)
    session = tryton.session()
    assert _routings(session) == {"PMP-100 rev B (P1)": [(10, "WC-ASSY Assemble"), (20, "WC-TEST Pressure test")]}
    assert _routing_of_bom(session, "PMP-100 rev B (P1)") == "PMP-100 rev B (P1)"
    assert hub.exceptions.list() == []

    # Revision C drops the test and adds painting: a routing of its own; B's is left as it was.
    paint = {"op_no": 30, "work_center": "WC-ASSY", "description": "Paint"}
    hub.intake.ingest(_release("C", _routing("C", ASSEMBLY, paint)))
    hub.intake.ingest(_release("C", _routing("C", ASSEMBLY, paint)))  # PLM sends it twice
    _drain(hub)
    routings = _routings(session)
    assert routings["PMP-100 rev C (P1)"] == [(10, "WC-ASSY Assemble"), (30, "WC-ASSY Paint")]
    assert routings["PMP-100 rev B (P1)"] == [(10, "WC-ASSY Assemble"), (20, "WC-TEST Pressure test")]
    operations = session.model("production.routing.operation", "search_read", [], 0, None, None, ["name"])
    assert sorted(o["name"] for o in operations) == ["WC-ASSY Assemble", "WC-ASSY Paint", "WC-TEST Pressure test"], \
        "operations are shared between routings, each made once"
    hub.close()


def test_a_routing_whose_answer_was_lost_is_found_on_retry_not_made_twice(tryton, tmp_path, monkeypatch):
    with ReplyDropper(tryton.url, drop={"model.production.routing.create": 1}) as proxy:
        hub = _hub(tryton, tmp_path, monkeypatch, url=proxy.url)
        items = [envelope("item.upserted", item(i, item_type=k)) for i, k in (("PMP-100", "make"), ("SEAL-B", "buy"))]
        hub.intake.ingest([*items, *_release("B", _routing("B", ASSEMBLY, TEST))])
        _drain(hub)
        assert proxy.dropped["model.production.routing.create"] == 1, "the create's answer was lost"
    assert list(_routings(tryton.session())) == ["PMP-100 rev B (P1)"]
    assert hub.exceptions.list() == []
    hub.close()
