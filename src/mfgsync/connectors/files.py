"""File targets: a drop folder (one file per delivery) and a recorder (an append-only log).

The drop folder writes through a temporary file and an atomic rename, named by the delivery
key, so a redelivery after a crash overwrites the same file: exactly-once effect. The recorder
appends one JSON line per delivery received, redeliveries included, for audits and tests.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from mfgsync.connectors.base import Delivery, TransientError


class DropFolderConnector:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def deliver(self, delivery: Delivery) -> None:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            final = self.path / f"{delivery.key}.json"
            temporary = self.path / f".{delivery.key}.json.tmp"
            with open(temporary, "w", encoding="utf-8") as handle:
                handle.write(delivery.payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, final)
        except OSError as exc:
            raise TransientError(f"cannot write to drop folder: {exc.strerror}") from None


class RecorderConnector:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def deliver(self, delivery: Delivery) -> None:
        line = json.dumps({"key": delivery.key, "target": delivery.target, "event_type": delivery.event_type,
                           "entity_key": delivery.entity_key, "envelope": json.loads(delivery.payload)})
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise TransientError(f"cannot append to recording: {exc.strerror}") from None
