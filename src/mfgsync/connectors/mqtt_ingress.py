"""The shop-floor ingress over MQTT (e.g. Mosquitto): MES events as JSON envelopes on topics.

Each message's payload is one envelope (or a JSON array or JSON lines of them) from the
configured source. The subscription is QoS 1 in a persistent session under a fixed client id,
and a message is acknowledged to the broker only after the batch holding it has committed: a
crash before the commit leaves it with the broker, which sends it again, and the hub counts the
repeat as a duplicate. Nothing is lost and nothing is booked twice.
"""

from __future__ import annotations

import queue
import sys
import time
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlparse

import paho.mqtt.client as mqtt

from mfgsync.adapters.files import messages_in_text
from mfgsync.pipeline.batch import IngestReport
from mfgsync.pipeline.intake import Intake

DEFAULT_URL = "mqtt://127.0.0.1:1883"


@dataclass(frozen=True)
class Received:
    mid: int
    qos: int
    payload: bytes


class MqttIngress:
    def __init__(self, url: str, topics: list[str], client_id: str, on_ready: Callable[[], None] | None = None):
        parsed = urlparse(url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 1883
        self.topics, self.on_ready = topics, on_ready
        self.inbox: queue.Queue[Received] = queue.Queue()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False,
                                  manual_ack=True)
        self.client.on_connect = self._connected
        self.client.on_message = lambda client, userdata, message: self.inbox.put(
            Received(message.mid, message.qos, message.payload))

    def _connected(self, client, userdata, flags, reason_code, properties) -> None:
        client.subscribe([(topic, 1) for topic in self.topics])
        if self.on_ready:
            self.on_ready()

    def run(self, intake: Intake, source: str, max_messages: int | None, idle_seconds: float,
            batch_size: int = 500) -> IngestReport:
        """Ingest until `max_messages` arrived, or none came for `idle_seconds`."""
        total, seen = IngestReport(), 0
        self.client.connect(self.host, self.port)
        self.client.loop_start()
        try:
            while max_messages is None or seen < max_messages:
                batch = self._take(batch_size if max_messages is None else min(batch_size, max_messages - seen),
                                   idle_seconds)
                if not batch:
                    break
                messages = [m for r in batch for m in messages_in_text(r.payload.decode("utf-8", "replace"))]
                total.add(intake.ingest(messages, source=source))
                for received in batch:  # committed: the broker may forget them now
                    self.client.ack(received.mid, received.qos)
                seen += len(batch)
        finally:
            self.client.loop_stop()
            self.client.disconnect()
        return total

    def _take(self, limit: int, idle_seconds: float) -> list[Received]:
        batch: list[Received] = []
        deadline = time.monotonic() + idle_seconds
        while len(batch) < limit:
            try:
                wait = max(0.0, deadline - time.monotonic()) if not batch else 0.05
                batch.append(self.inbox.get(timeout=wait))
            except queue.Empty:
                break
        return batch


def announce_ready() -> None:
    sys.stderr.write("mqtt: subscribed\n")
    sys.stderr.flush()
