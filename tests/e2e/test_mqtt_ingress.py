"""MES events over MQTT through a real Mosquitto: every message is ingested once, a repeat is a
duplicate, a malformed one is quarantined beside its neighbours, and what the hub did not commit
stays with the broker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

import paho.mqtt.client as mqtt
import pytest

from mfgsync.app import build_hub
from mfgsync.config import parse_settings
from tests.conftest import need_service
from tests.support.shop_floor import items, movement
from tests.support.state import balance

pytestmark = pytest.mark.services


def _publish(topic: str, payloads: list[str | bytes]) -> None:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    for payload in payloads:
        client.publish(topic, payload, qos=1).wait_for_publish(timeout=10)
    client.loop_stop()
    client.disconnect()


def _ingress(tmp_path, topic: str, client_id: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "MFGSYNC_DATABASE_URL": f"sqlite:///{tmp_path}/hub.db", "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("MFGSYNC_CONFIG", None)
    return subprocess.Popen([sys.executable, "-m", "mfgsync.cli", "mqtt", "ingest", "--topic", topic, "--source", "wms",
                             "--client-id", client_id, "--json", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_subscribed(process: subprocess.Popen) -> None:
    line = process.stderr.readline()
    assert "subscribed" in line, line + process.stderr.read()


def test_mes_events_over_mqtt_are_ingested_once_each(tmp_path):
    need_service("Mosquitto", "127.0.0.1", 1883)
    hub = build_hub(parse_settings("{}"), f"sqlite:///{tmp_path}/hub.db")
    hub.intake.ingest(items(("BOLT", "C62")))
    hub.close()
    topic, client_id = f"mfgsync-test/{uuid.uuid4().hex}/moves", f"mfgsync-test-{uuid.uuid4().hex[:8]}"
    receipts = [json.dumps(movement(f"R-{n}", "receipt", "BOLT", 2)) for n in range(20)]
    process = _ingress(tmp_path, topic, client_id, "--max-messages", "25", "--idle-seconds", "20")
    _wait_subscribed(process)
    hostile = ["{truncated", b"\xff\xfe\x00 not text", json.dumps({"specversion": "1.0", "id": "x" * 5000})]
    _publish(topic, receipts + receipts[:2] + hostile)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    report = json.loads(out)
    assert (report["accepted"], report["duplicates"], report["quarantined"]) == (20, 2, 3)
    hub = build_hub(parse_settings("{}"), f"sqlite:///{tmp_path}/hub.db")
    assert balance(hub, "BOLT", "P1", "MAIN") == 40
    hub.close()


def test_a_message_the_hub_did_not_commit_is_sent_again_by_the_broker(tmp_path):
    """The ingress dies before its batch commits (the store is locked): the broker keeps the
    unacknowledged message for the session and hands it over when the ingress comes back."""
    need_service("Mosquitto", "127.0.0.1", 1883)
    hub = build_hub(parse_settings("{}"), f"sqlite:///{tmp_path}/hub.db")
    hub.intake.ingest(items(("BOLT", "C62")))
    hub.close()
    topic, client_id = f"mfgsync-test/{uuid.uuid4().hex}/moves", f"mfgsync-test-{uuid.uuid4().hex[:8]}"
    first = _ingress(tmp_path, topic, client_id, "--max-messages", "1", "--idle-seconds", "20")
    _wait_subscribed(first)
    import sqlite3
    lock = sqlite3.connect(f"{tmp_path}/hub.db", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # the next commit cannot happen
    _publish(topic, [json.dumps(movement("R-1", "receipt", "BOLT", 7))])
    time.sleep(2)
    first.kill()
    first.communicate()
    lock.execute("ROLLBACK")
    lock.close()
    again = _ingress(tmp_path, topic, client_id, "--max-messages", "1", "--idle-seconds", "20")
    out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    assert json.loads(out)["accepted"] == 1
    hub = build_hub(parse_settings("{}"), f"sqlite:///{tmp_path}/hub.db")
    assert balance(hub, "BOLT", "P1", "MAIN") == 7
    hub.close()
