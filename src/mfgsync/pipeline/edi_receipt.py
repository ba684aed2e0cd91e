"""Receiving a trading partner's EDI file: each interchange first, then its documents.

The interchange's own message (`interchange.received`) is decided first: the rules refuse a
control number used before for other content, and its workflow answers it (997/TA1, CONTRL)
and closes what its acknowledgements answer. Only then are its documents ingested — or, when
the interchange was refused, quarantined with EDI_INTERCHANGE_REFUSED, so nothing of a refused
interchange is applied. The decision is read back from the inbox, so receiving the same file
again after a crash between the two steps decides the same way.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mfgsync import formats, queries
from mfgsync.adapters.decode import Decoded, kept_raw, storable_text
from mfgsync.adapters.documents import KEPT_UNREADABLE_CHARS
from mfgsync.adapters.partner_files import interchange_envelopes
from mfgsync.pipeline.batch import IngestReport
from mfgsync.pipeline.intake import Intake
from mfgsync.rules.findings import Finding
from mfgsync.store.port import Store, transact


def receive_file(intake: Intake, store: Store, path: Path, partner: Any) -> IngestReport:
    return receive_text(intake, store, formats.decode(path.read_bytes()), partner, path.name)


def receive_text(intake: Intake, store: Store, text: str, partner: Any, name: str = "<text>") -> IngestReport:
    now = datetime.fromtimestamp(intake.clock(), timezone.utc)
    try:
        fmt = formats.detect(text)
        if fmt not in formats.EDI_FORMATS:
            raise formats.FormatError("FORMAT_UNKNOWN", f"expected X12 or EDIFACT from {partner.name}, found {fmt}")
        pairs = interchange_envelopes(text, fmt, partner, now, _catalogue(store, partner))
    except formats.FormatError as exc:
        return intake.ingest([_unreadable(text, name, partner.name, exc)])
    report = IngestReport()
    for head, documents in pairs:
        report.add(intake.ingest([head]))
        key = f"{partner.name}\x1f{head['id']}"
        outcome = transact(store, lambda uow: uow.inbox_seen([key])).get(key, ("missing", None))[0]
        if outcome == "quarantined":
            report.add(intake.ingest([_refused(d, head) for d in documents]))
        else:
            report.add(intake.ingest(documents))
    return report


def _catalogue(store: Store, partner: Any) -> dict[str, str]:
    """The partner's supplier item numbers and the hub's items they are, from the sourcing rules."""
    with store.reading() as read:
        return queries.supplier_items(read, partner.supplier_id or partner.name)


def _refused(document: dict[str, Any], head: dict[str, Any]) -> Decoded:
    text = json.dumps(document)
    reason = Finding("EDI_INTERCHANGE_REFUSED", f"interchange {head['data']['control_number']} from "
                                                f"{head['source']} was refused; its documents are not applied")
    return Decoded(text, f"{document['source']}\x1f{document['id']}", document["source"], document["id"],
                   findings=[reason], event_type=document["type"])


def _unreadable(text: str, name: str, source: str, error: formats.FormatError) -> Decoded:
    digest = hashlib.sha256(text.encode("utf-8", "backslashreplace")).hexdigest()[:40]
    return Decoded(kept_raw(storable_text(text), KEPT_UNREADABLE_CHARS), f"file\x1f{digest}", source, f"{name[:180]}#{digest[:12]}",
                   findings=[Finding(error.code, f"{name}: {error.message}")])
