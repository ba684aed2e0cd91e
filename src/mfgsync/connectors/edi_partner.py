"""A trading partner's drop folder: the hub's interchanges out, the partner's in.

Outbound, each delivery is one EDI file in `<dropfolder>/out`, written by atomic rename under
its control-numbered name, so a redelivery after a crash rewrites the same file. Inbound, the
partner drops files in `<dropfolder>/in`; each is taken by renaming it into `processing`
(only one taker wins a file, however many pick up at once), and moved to `archive` once read.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Iterator

from mfgsync.connectors.base import Delivery, PermanentError
from mfgsync.connectors.files import write_atomically


class PartnerDropFolder:
    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)

    def deliver(self, delivery: Delivery) -> None:
        try:
            payload = json.loads(delivery.payload)
            name, text = payload["file_name"], payload["text"]
        except (ValueError, KeyError, TypeError):
            raise PermanentError("a partner delivery carries a file_name and the EDI text") from None
        if not isinstance(name, str) or Path(name).name != name or name.startswith("."):
            raise PermanentError(f"{name!r} is not a plain file name")
        write_atomically(self.folder / "out", name, text)


def pick_up(folder: str | os.PathLike) -> Iterator[Path]:
    """The files waiting in `<folder>/in`, each moved into `processing` first (oldest first)."""
    inbound, processing = Path(folder) / "in", Path(folder) / "processing"
    if not inbound.is_dir():
        return
    processing.mkdir(parents=True, exist_ok=True)
    for path in _waiting(inbound):
        taken = processing / path.name
        try:
            os.rename(path, taken)
        except FileNotFoundError:
            continue  # another taker got it
        yield taken


def _waiting(inbound: Path) -> list[Path]:
    """The complete files in `inbound`, oldest first: a file still being written under a hidden
    name is left alone, and one another taker moved away while this one looked is passed over."""
    found = []
    for path in inbound.iterdir():
        if path.name.startswith("."):
            continue
        try:
            status = path.stat()
        except FileNotFoundError:
            continue
        if stat.S_ISREG(status.st_mode):
            found.append((status.st_mtime, path.name, path))
    return [path for _, _, path in sorted(found)]


def archive(path: Path, folder: str | os.PathLike) -> Path:
    """A file read (applied, refused or quarantined: the store has it) moved out of the way."""
    done = Path(folder) / "archive"
    done.mkdir(parents=True, exist_ok=True)
    target = done / path.name
    os.replace(path, target)
    return target
