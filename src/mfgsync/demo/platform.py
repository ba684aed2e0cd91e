"""The demo's procurement platform: Steelco's documents reach the hub as a platform would send
them — over the hub's signed webhook (`POST /api/v1/webhooks/supplier`, HMAC-SHA256 over the
timestamp and body) with the platform's own source key."""

from __future__ import annotations

import json
import time

import httpx

from mfgsync.connectors.webhook import sign

SOURCE = "supplier"  # the configured source the platform sends as (demo/settings.py)
SECRET_ENV = "MFGSYNC_DEMO_PLATFORM_SECRET"
KEY_NAME = "demo-platform"


class PlatformWebhook:
    def __init__(self, base_url: str, key: str, secret: str, timeout: float = 10.0):
        self.url = f"{base_url}/api/v1/webhooks/{SOURCE}"
        self._key, self._secret = key, secret
        self._client = httpx.Client(timeout=timeout)

    def send(self, message: dict) -> None:
        """Post one message, signed; raises unless the hub took it."""
        body = json.dumps(message).encode()
        timestamp = str(int(time.time()))
        response = self._client.post(self.url, content=body, headers={
            "Authorization": f"Bearer {self._key}", "Content-Type": "application/json",
            "X-Mfgsync-Timestamp": timestamp, "X-Mfgsync-Signature": sign(self._secret, timestamp, body)})
        response.raise_for_status()
