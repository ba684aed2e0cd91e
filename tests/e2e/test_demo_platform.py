"""The demo's procurement platform sends Steelco's documents over the hub's signed webhook, to a
real uvicorn server, with its own source key: each is audited under that key."""

from __future__ import annotations

import threading

from mfgsync.demo import live_messages
from mfgsync.demo.platform import KEY_NAME, SECRET_ENV, SOURCE, PlatformWebhook
from mfgsync.demo.traffic import feed_live_traffic

from tests.browser.conftest import Plant

NOW = 1_795_000_000.0  # a fixed run: the same live messages each time


def test_the_platforms_messages_arrive_through_the_signed_webhook(tmp_path, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "demo-platform-secret")
    plant = Plant(tmp_path)
    plant.start()
    try:
        key = plant.keys_store.create(KEY_NAME, f"source:{SOURCE}", "test")
        platform = PlatformWebhook(plant.url, key, "demo-platform-secret")
        feed_live_traffic(plant.hub.intake, threading.Event(), lambda: NOW, interval=0, limit=100,
                          platform=platform.send)
        with plant.hub.store.reading() as read:
            by_platform = [r for r in read.audit_rows() if r[2] == f"key:{KEY_NAME}" and r[3] == "message.applied"]
    finally:
        plant.stop()
    from_platform = [m for m in live_messages(lambda: NOW, 100) if m["source"] == SOURCE]
    assert [m["type"] for m in from_platform] == ["po.acknowledged", "asn.received"]  # Steelco's order
    assert len(by_platform) == len(from_platform)
