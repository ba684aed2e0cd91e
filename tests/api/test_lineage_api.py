"""Lineage is machine-checkable: one engineering change followed through every stage the hub
has — ECO → BOM to ERP (both plants) and MES → PO impact → PO → acknowledgement → ASN → receipt
→ release → consumption — and read back whole from the API, each node after its cause, times in order."""

from __future__ import annotations

from datetime import datetime, timezone

from mfgsync.connectors.memory import MemoryConnector

from tests.api.conftest import make_api
from tests.conftest import FakeClock
from tests.support import erp_stand_in
from tests.support.messages import bom, envelope, item

CONFIG = erp_stand_in.config("""  P1: {receives: ["*"]}
  P2: {receives: ["PMP-*"]}
""")
ECO = "ECO-9"


def _at(minute: int) -> str:
    return f"2026-12-01T09:{minute:02d}:00Z"


def _followed(message: dict, minute: int) -> dict:
    return {**message, "correlationid": ECO, "time": _at(minute)}


def the_plant() -> list[dict]:
    po_line = {"line_no": 1, "item_id": "SEAL-A", "qty": 40, "uom": "C62", "need_date": "2026-12-20"}
    return [*(envelope("item.upserted", item(i), time=_at(0)) for i in ("PMP-100", "SEAL-A", "SEAL-B")),
            envelope("supplier.upserted", {"supplier_id": "SUP-A", "name": "Sealtec"}, source="supplier", time=_at(0)),
            envelope("bom.released", bom("PMP-100", "A", {"SEAL-A": 1}, status="released",
                                         effective_from="2026-11-01"), time=_at(0)),
            envelope("production.released", {"order_id": "PRD-1", "item_id": "PMP-100", "qty": 20, "plant_id": "P1",
                                             "bom_revision": "A", "status": "planned", "start_date": "2026-12-20"},
                     source="erp", time=_at(0)),
            envelope("po.created", {"po_number": "PO-1", "supplier_id": "SUP-A", "status": "approved",
                                    "lines": [po_line]}, source="erp", time=_at(0))]


def the_change() -> list[dict]:
    line = {"line_no": 1, "item_id": "SEAL-B", "qty": 20, "uom": "C62", "need_date": "2026-12-18"}
    moved = {"kind": "receipt", "item_id": "SEAL-B", "qty": 20, "uom": "C62", "plant_id": "P1", "to_location": "A1"}
    return [
        _followed(envelope("eco.approved", {"eco_id": ECO, "item_id": "PMP-100", "from_revision": "A",
                                            "to_revision": "B", "effective_from": "2026-12-15"}), 1),
        _followed(envelope("bom.released", bom("PMP-100", "B", {"SEAL-B": 1}, status="released",
                                               effective_from="2026-12-15")), 2),
        _followed(envelope("po.created", {"po_number": "PO-2", "supplier_id": "SUP-A", "status": "sent",
                                          "lines": [line]}, source="erp"), 3),
        _followed(envelope("po.acknowledged", {"po_number": "PO-2", "ack_id": "ACK-1", "ack_type": "accepted",
                                               "lines": [{"line_no": 1, "status": "accepted"}]},
                           source="supplier"), 4),
        _followed(envelope("asn.received", {"asn_id": "ASN-1", "supplier_id": "SUP-A", "lines": [
            {"po_number": "PO-2", "po_line_no": 1, "item_id": "SEAL-B", "qty": 20, "uom": "C62"}]},
            source="supplier"), 5),
        _followed(envelope("inventory.moved", {"movement_id": "GR-1", **moved}, source="wms"), 6),
        _followed(envelope("production.released", {"order_id": "PRD-1", "item_id": "PMP-100", "qty": 20,
                                                   "plant_id": "P1", "bom_revision": "B", "status": "released",
                                                   "start_date": "2026-12-20"}, source="erp"), 7),
        _followed(envelope("production.reported", {"report_id": "RPT-1", "order_id": "PRD-1", "plant_id": "P1",
                                                   "movements": [{"movement_id": "RPT-1-1", "kind": "consumption",
                                                                  "item_id": "SEAL-B", "qty": 2, "uom": "C62",
                                                                  "plant_id": "P1", "from_location": "A1"}]},
                           source="mes"), 8)]


def test_one_change_is_followed_through_every_stage_with_causes_before_effects(make_hub, monkeypatch):
    erp_stand_in.allow_stand_in(monkeypatch)
    clock = FakeClock(datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc).timestamp())
    hub = make_hub(CONFIG, connectors={"erp": MemoryConnector(), "mes": MemoryConnector()}, clock=clock)
    api = make_api(hub, clock)
    assert hub.intake.ingest(the_plant()).quarantined == 0
    release, *follow_ups = (lambda m: [m[:2], *([x] for x in m[2:])])(the_change())
    for arriving in (release, *follow_ups):  # each stage a minute after the one before
        clock.advance(60)
        assert hub.intake.ingest(arriving).quarantined == 0, hub.exceptions.list(kind="quarantine")
        hub.worker.run_until_idle()
    clock.now = datetime(2026, 12, 15, 0, 0, 1, tzinfo=timezone.utc).timestamp()  # the revision's effective date
    hub.worker.run_until_idle()

    tree = api.client.get(f"/api/v1/lineage/{ECO}", headers=api.as_("planner")).json()
    nodes = tree["nodes"]
    messages = [n["event_type"] for n in nodes if n["kind"] == "message"]
    assert messages == ["eco.approved", "bom.released", "po.created", "po.acknowledged", "asn.received",
                        "inventory.moved", "production.released", "production.reported"]
    erp_boms = {n["entity_key"] for n in nodes if n["kind"] == "delivery" and n["system"] == "erp"
                and n["entity_key"].startswith("BOM:")}
    assert erp_boms == {"BOM:PMP-100@P1", "BOM:PMP-100@P2"}
    assert any(n["kind"] == "delivery" and n["system"] == "mes" for n in nodes), "MES got the release"
    impact = [n for n in nodes if n["kind"] == "exception"]
    assert "supply_chain" in {n["system"] for n in impact}, "the PO impact, for supply chain"
    assert all(n["parent"] and n["parent"].startswith("message:") for n in impact)
    assert any(n["kind"] == "schedule" and n["status"] == "fired" for n in nodes), "the default switch fired"

    times = [n["at"] for n in nodes]
    assert times == sorted(times)
    position = {n["id"]: i for i, n in enumerate(nodes)}
    assert all(position[n["parent"]] < position[n["id"]] for n in nodes if n["parent"])
    assert sum(1 for n in nodes if n["parent"] is None) == len(messages), "every node but a message has its cause"

    status = api.client.get(f"/api/v1/ecos/{ECO}/status", headers=api.as_("engineering")).json()
    assert {(t["target"], t["plant_id"], t["status"]) for t in status["targets"]} == {
        ("erp", "P1", "confirmed"), ("erp", "P2", "confirmed"), ("mes", None, "delivered")}
