"""Ingestion over HTTP is `mfgsync ingest`: the same pipeline, the same counts, each message
audited under the key that sent it; a signed webhook is checked before anything is read."""

from __future__ import annotations

import json

from mfgsync.connectors.webhook import sign

from tests.api.conftest import PLM_SECRET, make_api
from tests.support.messages import envelope, item
from tests.support.state import entity


def audit_rows(hub) -> list[tuple]:
    with hub.store.reading() as read:
        return list(read.audit_rows())


def test_one_message_is_applied_and_audited_under_the_sending_key(api):
    message = envelope("item.upserted", item("PMP-100"))
    response = api.client.post("/api/v1/ingest/plm", headers=api.as_("source:plm"), content=json.dumps(message))
    assert response.status_code == 200
    assert response.json() == {"accepted": 1, "duplicates": 0, "stale": 0, "quarantined": 0, "alerts": 0,
                               "total": 1, "by_reason": {}}
    assert entity(api.hub, "ITEM:PMP-100")["description"] == "item PMP-100"
    assert [row[2] for row in audit_rows(api.hub) if row[3] == "message.applied"] == ["key:plm-system"]


def test_the_path_names_the_source_whatever_the_envelope_claims(api):
    forged = envelope("item.upserted", item("PMP-100"), source="erp")
    api.client.post("/api/v1/ingest/plm", headers=api.as_("source:plm"), content=json.dumps(forged))
    [applied] = [json.loads(row[5]) for row in audit_rows(api.hub) if row[3] == "message.applied"]
    assert applied.get("source", "plm") == "plm"
    with api.hub.store.reading() as read:
        assert read.history("ITEM:PMP-100")[0]["source"] == "plm"


def test_a_batch_counts_as_ingest_does_and_a_bad_message_is_quarantined_beside_good_ones(api):
    good = [envelope("item.upserted", item(f"ITEM-{n}")) for n in range(3)]
    body = "\n".join([json.dumps(m) for m in good] + ['{"specversion": "1.0", "id": "cut', json.dumps(good[0])])
    response = api.client.post("/api/v1/ingest/plm/batch", headers=api.as_("source:plm"), content=body)
    assert response.json() | {"by_reason": None} == {"accepted": 3, "duplicates": 1, "stale": 0, "quarantined": 1,
                                                     "alerts": 0, "total": 5, "by_reason": None}
    assert response.json()["by_reason"] == {"MALFORMED_JSON": 1}
    as_array = api.client.post("/api/v1/ingest/plm/batch", headers=api.as_("admin"), content=json.dumps(good))
    assert as_array.json()["duplicates"] == 3


def _signed(body: bytes, at: float, secret: str = PLM_SECRET) -> dict[str, str]:
    timestamp = str(int(at))
    return {"X-Mfgsync-Timestamp": timestamp, "X-Mfgsync-Signature": sign(secret, timestamp, body)}


def test_a_signed_webhook_is_ingested(api):
    body = json.dumps(envelope("item.upserted", item("SEAL-40"))).encode()
    response = api.client.post("/api/v1/webhooks/plm", content=body,
                               headers={**api.as_("source:plm"), **_signed(body, api.clock())})
    assert response.status_code == 200 and response.json()["accepted"] == 1


def test_a_tampered_or_stale_webhook_is_refused_and_audited(api):
    body = json.dumps(envelope("item.upserted", item("SEAL-40"))).encode()
    tampered = body.replace(b"SEAL-40", b"SEAL-41")
    cases = [(tampered, _signed(body, api.clock())), (body, _signed(body, api.clock() - 3600)),
             (body, _signed(body, api.clock(), secret="guessed")), (body, {})]
    for sent, headers in cases:
        response = api.client.post("/api/v1/webhooks/plm", content=sent, headers={**api.as_("source:plm"), **headers})
        assert (response.status_code, response.json()["code"]) == (401, "SIGNATURE_INVALID")
    refused = [row for row in audit_rows(api.hub) if row[3] == "webhook.refused"]
    assert len(refused) == len(cases) and {row[2] for row in refused} == {"key:plm-system"}
    assert entity(api.hub, "ITEM:SEAL-40") is None and entity(api.hub, "ITEM:SEAL-41") is None


def test_a_webhook_for_a_source_without_a_secret_is_not_served(api):
    body = b"{}"
    response = api.client.post("/api/v1/webhooks/mes", content=body,
                               headers={**api.as_("source:mes"), **_signed(body, api.clock())})
    assert response.status_code == 404


def test_an_oversized_body_is_refused_before_it_is_read(make_hub):
    from tests.conftest import FakeClock
    clock = FakeClock()
    api = make_api(make_hub(clock=clock), clock, max_body_bytes=1000)
    big = json.dumps(envelope("item.upserted", item("PMP-100", description="x" * 2000)))
    response = api.client.post("/api/v1/ingest/plm", headers=api.as_("source:plm"), content=big)
    assert (response.status_code, response.json()["code"]) == (413, "PAYLOAD_TOO_LARGE")

    def chunks():  # no Content-Length: counted as it streams in
        for _ in range(5):
            yield b"x" * 400
    streamed = api.client.post("/api/v1/ingest/plm", headers=api.as_("source:plm"), content=chunks())
    assert streamed.status_code == 413
    assert entity(api.hub, "ITEM:PMP-100") is None


def test_a_key_over_its_rate_is_told_when_to_come_back(make_hub):
    from tests.conftest import FakeClock
    clock = FakeClock()
    api = make_api(make_hub(clock=clock), clock, rate_per_second=1, burst=3)
    answers = [api.client.get("/api/v1/kpis", headers=api.as_("planner")).status_code for _ in range(5)]
    assert answers[:3] == [200, 200, 200] and answers[3:] == [429, 429]
    refused = api.client.get("/api/v1/kpis", headers=api.as_("planner"))
    assert refused.json()["code"] == "RATE_LIMITED" and int(refused.headers["retry-after"]) >= 1
    assert api.client.get("/api/v1/kpis", headers=api.as_("engineering")).status_code == 200  # per key
    clock.advance(1.1)  # a token comes back after a second
    assert api.client.get("/api/v1/kpis", headers=api.as_("planner")).status_code == 200
