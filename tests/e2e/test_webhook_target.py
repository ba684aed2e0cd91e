"""A real HTTP receiver behind a webhook target: signed, idempotent, retried, rejected."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mfgsync.connectors.webhook import sign, verify
from tests.conftest import FakeClock
from tests.support.messages import envelope, item

SECRET = "mes-shared-secret"


class Receiver(BaseHTTPRequestHandler):
    """Answers with the next scripted status; records what it accepted, once per idempotency key."""

    script: list[int] = []
    accepted: dict[str, dict] = {}
    headers: list[tuple[dict, bytes]] = []  # every request's headers and body, as received
    bad_signatures = 0

    def do_POST(self):  # noqa: N802 - the http.server hook name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.headers.append((dict(self.headers), body))
        status = Receiver.script.pop(0) if Receiver.script else 200
        if not verify(SECRET, self.headers["X-Mfgsync-Timestamp"], body, self.headers["X-Mfgsync-Signature"]):
            Receiver.bad_signatures += 1
            status = 401
        elif status == 200:
            Receiver.accepted.setdefault(self.headers["Idempotency-Key"], json.loads(body))
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.script, Receiver.accepted, Receiver.headers, Receiver.bad_signatures = [], {}, [], 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/bom"
    server.shutdown()


def _hub(make_hub, url, monkeypatch, clock):
    monkeypatch.setenv("MES_SECRET", SECRET)
    return make_hub(f"""
systems: {{mes: {{kind: webhook, url: "{url}", secret_env: MES_SECRET, timeout_seconds: 5}}}}
subscriptions: {{item.upserted: [mes]}}
retry: {{max_attempts: 3, base_seconds: 1, max_seconds: 1}}
""", clock=clock)


def test_a_webhook_delivery_is_signed_and_carries_its_idempotency_key(make_hub, receiver, monkeypatch):
    hub = _hub(make_hub, receiver, monkeypatch, FakeClock())
    hub.intake.ingest([envelope("item.upserted", item("PMP-100", "Pump"))])
    hub.worker.run_until_idle()
    assert Receiver.bad_signatures == 0
    [(key, body)] = Receiver.accepted.items()
    assert key == "mes-0000000001" and body["data"]["item_id"] == "PMP-100"


def test_a_webhook_delivery_carries_the_headers_the_readme_names(make_hub, receiver, monkeypatch):
    hub = _hub(make_hub, receiver, monkeypatch, FakeClock())
    hub.intake.ingest([envelope("item.upserted", item("PMP-100", "Pump"))])
    hub.worker.run_until_idle()
    [(headers, body)] = Receiver.headers
    mac = hmac.new(SECRET.encode(), headers["X-Mfgsync-Timestamp"].encode() + b"." + body, hashlib.sha256)
    assert headers["X-Mfgsync-Signature"] == f"sha256={mac.hexdigest()}"
    assert headers["Idempotency-Key"] == "mes-0000000001"
    assert headers["X-Mfgsync-Effect-Key"] and int(headers["X-Mfgsync-Fence"]) >= 1


def test_a_receiver_that_answers_503_is_retried_and_one_that_answers_400_dead_letters(make_hub, receiver, monkeypatch):
    clock = FakeClock()
    hub = _hub(make_hub, receiver, monkeypatch, clock)
    Receiver.script = [503, 200, 400]
    hub.intake.ingest([envelope("item.upserted", item("A")), envelope("item.upserted", item("B"))])
    for _ in range(4):
        hub.worker.run_until_idle()
        clock.advance(2)
    assert len(Receiver.accepted) == 1
    [dead] = hub.exceptions.list(kind="dead_letter")
    assert dead["codes"] == ["DELIVERY_REJECTED"] and "HTTP 400" in dead["reasons"][0]["message"]


def test_a_signature_over_other_bytes_or_an_old_timestamp_does_not_verify():
    body, now = b'{"id": "1"}', 1_800_000_000
    signature = sign(SECRET, str(now), body)
    assert verify(SECRET, str(now), body, signature, now=now)
    assert not verify(SECRET, str(now), body + b" ", signature, now=now)
    assert not verify("other-secret", str(now), body, signature, now=now)
    assert not verify(SECRET, str(now), body, signature, now=now + 3600)
    assert not verify(SECRET, "not-a-time", body, signature, now=now)
