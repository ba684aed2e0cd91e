"""File targets: a drop folder (one file per delivery) and a recorder (an append-only log).

The drop folder writes through a temporary file and an atomic rename, named by the delivery
key, so a redelivery after a crash overwrites the same file: exactly-once effect. The recorder
appends one JSON line per delivery and acknowledges a redelivery of a key it already holds
without recording it again — the same exactly-once effect for a log.
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
        self._keys: set[str] | None = None

    def _recorded_keys(self) -> set[str]:
        keys = set()
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    keys.add(json.loads(line)["key"])
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by a crash mid-write
        return keys

    def deliver(self, delivery: Delivery) -> None:
        if self._keys is None:
            self._keys = self._recorded_keys()
        if delivery.key in self._keys:
            return
        line = json.dumps({"key": delivery.key, "target": delivery.target, "event_type": delivery.event_type,
                           "entity_key": delivery.entity_key, "envelope": json.loads(delivery.payload)})
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "ab+") as handle:
                handle.seek(0, os.SEEK_END)
                if handle.tell():
                    handle.seek(-1, os.SEEK_END)
                    if handle.read(1) != b"\n":
                        handle.write(b"\n")  # close a line a crash left open
                handle.write(line.encode("utf-8") + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise TransientError(f"cannot append to recording: {exc.strerror}") from None
        self._keys.add(delivery.key)
