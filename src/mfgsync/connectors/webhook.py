"""A webhook target: an HTTP POST of the envelope, signed with HMAC-SHA256.

Headers: `Idempotency-Key` (the delivery key), `X-Mfgsync-Effect-Key` (the effect's business
identity), `X-Mfgsync-Fence` (grows with each lease of the delivery: a receiver that keeps the
highest fence per key can refuse a stale worker with 409), `X-Mfgsync-Timestamp` and
`X-Mfgsync-Signature: sha256=<hex of HMAC(secret, timestamp + "." + body)>`. Timeouts, 408,
429 and 5xx are retried; any other non-2xx answer is a permanent rejection.
"""

from __future__ import annotations

import hashlib
import hmac
import time

import httpx

from mfgsync.connectors.base import Delivery, PermanentError, TransientError

RETRYABLE = {408, 425, 429}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, tolerance_seconds: float = 300,
           now: float | None = None) -> bool:
    """For receivers (and the hub's own inbound webhooks): signature valid and fresh."""
    try:
        age = abs((now if now is not None else time.time()) - float(timestamp))
    except ValueError:
        return False
    return age <= tolerance_seconds and hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookConnector:
    def __init__(self, url: str, secret: str | None, timeout: float = 10.0, client: httpx.Client | None = None):
        self.url = url
        self._secret = secret
        self._client = client or httpx.Client(timeout=timeout)

    def deliver(self, delivery: Delivery) -> None:
        body = delivery.payload.encode("utf-8")
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "Idempotency-Key": delivery.key,
                   "X-Mfgsync-Event": delivery.event_type, "X-Mfgsync-Timestamp": timestamp,
                   "X-Mfgsync-Effect-Key": delivery.effect_key, "X-Mfgsync-Fence": str(delivery.fence)}
        if self._secret:
            headers["X-Mfgsync-Signature"] = sign(self._secret, timestamp, body)
        try:
            response = self._client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise TransientError(f"{type(exc).__name__} posting to {self.url}") from None
        if response.is_success:
            return
        if response.status_code in RETRYABLE or response.status_code >= 500:
            raise TransientError(f"HTTP {response.status_code} from {self.url}")
        raise PermanentError(f"HTTP {response.status_code} from {self.url}: {response.text[:200]}")
