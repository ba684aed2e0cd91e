"""Trading partners over HTTP: an EDI partner posts its interchange with its own key, and the hub
answers it and applies it as if the file had been dropped; a procurement platform's call is
applied only when signed over its very body."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from fastapi.testclient import TestClient

from mfgsync.api.keys import ApiKeys
from mfgsync.api.server import create_app
from mfgsync.model import keys
from tests.api.conftest import TEST_HASHER
from tests.conftest import FakeClock
from tests.support.messages import envelope
from tests.support.suppliers import SECRET, T0, EdiPartner, at, open_hub, order, plant_messages, sent_files


@pytest.fixture
def partners(tmp_path, database_url, monkeypatch):
    """A buyer's hub with an order sent to northfast (X12), and keys for its partners."""
    monkeypatch.setenv("PROCURE_SECRET", SECRET)
    clock = FakeClock(T0.timestamp())
    hub = open_hub(tmp_path, database_url, clock)
    hub.intake.ingest(plant_messages("northfast"))
    hub.intake.ingest([envelope("po.created", order("4500000001", "northfast"), source="erp", time=at(0))])
    hub.worker.run_until_idle()
    store = ApiKeys(hub.store, clock, TEST_HASHER)
    names = {who: store.create(f"{who}-system", f"source:{who}", "test") for who in ("northfast", "procure")}
    client = TestClient(create_app(hub, keys=store), raise_server_exceptions=False)
    yield hub, client, {who: {"Authorization": f"Bearer {key}"} for who, key in names.items()}, tmp_path
    hub.close()


def test_an_edi_partner_posting_its_997_closes_what_it_answers(partners):
    hub, client, headers, folder = partners
    [sent] = sent_files(folder, "northfast")
    answer = EdiPartner(hub, "northfast", "x12", "ACMEMFG", "NORTHFAST").functional_ack(sent.read_text())
    response = client.post("/api/v1/partners/northfast/interchanges", content=answer.encode(),
                           headers={**headers["northfast"], "Content-Type": "application/edi-x12"})
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] >= 1
    with hub.store.reading() as read:
        [record] = read.entities_of_type("sent_interchange")[:1]
    assert record["status"] == "accepted"


def test_a_partner_may_post_only_as_itself_and_only_where_it_is_a_partner(partners):
    hub, client, headers, _ = partners
    assert client.post("/api/v1/partners/rhein/interchanges", content=b"UNA", headers=headers["northfast"]
                       ).status_code == 403
    assert client.post("/api/v1/partners/procure/interchanges", content=b"ISA", headers=headers["procure"]
                       ).status_code == 404, "the platform is on webhooks, not EDI"


def test_an_unreadable_interchange_is_kept_in_quarantine_not_refused_unread(partners):
    hub, client, headers, _ = partners
    response = client.post("/api/v1/partners/northfast/interchanges", content=b"ISA*00*trunc",
                           headers=headers["northfast"])
    assert response.status_code == 200 and response.json()["quarantined"] == 1
    assert [x["source"] for x in hub.exceptions.list(kind="quarantine")] == ["northfast"]


def _signed(body: bytes, stamp: str, secret: str = SECRET) -> dict[str, str]:
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"X-Mfgsync-Timestamp": stamp, "X-Mfgsync-Signature": f"sha256={mac}", "Content-Type": "application/json"}


def _acknowledgement_call(hub) -> bytes:
    line = {"line_no": 10, "status": "accepted", "qty": 80, "uom": "C62", "promised_date": "2026-12-01"}
    return json.dumps({"events": [{"id": "ack-1", "type": "po.acknowledged", "data": {
        "po_number": "4500000002", "ack_id": "A1", "ack_type": "accepted", "lines": [line]}}]}).encode()


def test_a_platform_call_signed_over_its_body_is_applied_and_a_tampered_one_refused(partners):
    hub, client, headers, _ = partners
    hub.intake.ingest([envelope("supplier.upserted", {"supplier_id": "procure", "name": "Procure"}, source="erp",
                                time=at(-9)),
                       envelope("po.created", order("4500000002", "procure"), source="erp", time=at(0))])
    body, stamp = _acknowledgement_call(hub), str(int(hub.clock()))
    tampered = client.post("/api/v1/partners/procure/events", content=body.replace(b"80", b"95"),
                           headers={**headers["procure"], **_signed(body, stamp)})
    assert tampered.status_code == 401 and tampered.json()["code"] == "WEBHOOK_SIGNATURE_INVALID"
    stale = client.post("/api/v1/partners/procure/events", content=body,
                        headers={**headers["procure"], **_signed(body, str(int(hub.clock()) - 3600))})
    assert stale.status_code == 401 and stale.json()["code"] == "WEBHOOK_TIMESTAMP_STALE"
    with hub.store.reading() as read:
        assert read.entity(keys.purchase_order("4500000002"))["status"] != "acknowledged", "nothing applied"

    applied = client.post("/api/v1/partners/procure/events", content=body,
                          headers={**headers["procure"], **_signed(body, stamp)})
    assert applied.status_code == 200, applied.text
    replayed = client.post("/api/v1/partners/procure/events", content=body,
                           headers={**headers["procure"], **_signed(body, stamp)})
    assert replayed.status_code == 401 and replayed.json()["code"] == "WEBHOOK_REPLAYED"
    with hub.store.reading() as read:
        assert read.entity(keys.purchase_order("4500000002"))["status"] == "acknowledged"
