"""A connector that keeps deliveries in memory: for tests, with scripted failures."""

from __future__ import annotations

from mfgsync.connectors.base import Delivery, PermanentError, TransientError


class MemoryConnector:
    def __init__(self, fail_times: int = 0, always_fail: bool = False, permanent: bool = False):
        self.received: list[Delivery] = []
        self.attempts = 0
        self.fail_times = fail_times
        self.always_fail = always_fail
        self.permanent = permanent

    def deliver(self, delivery: Delivery) -> None:
        self.attempts += 1
        if self.always_fail or self.fail_times > 0:
            self.fail_times -= 1
            if self.permanent:
                raise PermanentError("target rejected the message")
            raise TransientError("target unavailable")
        self.received.append(delivery)
