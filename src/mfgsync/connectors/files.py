"""File targets: a drop folder (one file per delivery) and a recorder (an append-only log).

The drop folder writes through a temporary file and an atomic rename, named by the delivery
key, so a redelivery after a crash overwrites the same file: exactly-once effect. The recorder
appends one JSON line per delivery and acknowledges a redelivery of a key it already holds
without recording it again — the same exactly-once effect for a log, also with several workers.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from mfgsync.connectors.base import Delivery, TransientError


class DropFolderConnector:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def deliver(self, delivery: Delivery) -> None:
        write_atomically(self.path, f"{delivery.key}.json", delivery.payload)


def write_atomically(folder: Path, name: str, text: str) -> None:
    """`text` as the file `name` in `folder`, whole or not at all: written to a hidden temporary
    file, synced, then renamed over any earlier file of that name."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{name}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, folder / name)
    except OSError as exc:
        raise TransientError(f"cannot write to drop folder: {exc.strerror}") from None


class RecorderConnector:
    """Several workers (threads or processes) may append to one recording: each takes the file's
    lock, first reads what others appended since it last looked, and so records a key once."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._keys: set[str] = set()
        self._read_up_to = 0  # the file offset up to which _keys knows the recording

    def _catch_up(self, handle) -> None:
        handle.seek(self._read_up_to)
        for line in handle.read().decode("utf-8", errors="replace").splitlines():
            try:
                self._keys.add(json.loads(line)["key"])
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a crash mid-write
        self._read_up_to = handle.tell()

    def deliver(self, delivery: Delivery) -> None:
        line = json.dumps({"key": delivery.key, "target": delivery.target, "event_type": delivery.event_type,
                           "entity_key": delivery.entity_key, "envelope": json.loads(delivery.payload)})
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "ab+") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
                self._catch_up(handle)
                if delivery.key in self._keys:
                    return
                if handle.tell():
                    handle.seek(-1, os.SEEK_END)
                    if handle.read(1) != b"\n":
                        handle.write(b"\n")  # close a line a crash left open
                handle.write(line.encode("utf-8") + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
                self._read_up_to = handle.tell()
        except OSError as exc:
            raise TransientError(f"cannot append to recording: {exc.strerror}") from None
        self._keys.add(delivery.key)
