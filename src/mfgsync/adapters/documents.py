"""Partner files (X12, EDIFACT, B2MML, PLM BOM CSV) as envelopes for the pipeline.

The formats library turns a file into canonical documents; this adapter only wraps each in an
envelope: its event type, a message id that is the same every time the same document arrives
(so a re-sent file is a duplicate), and the sending system. A file that cannot be read at all
is handed on whole, with the format's reason code, to be quarantined — nothing is lost.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from mfgsync import formats
from mfgsync.envelope import new_envelope
from mfgsync.model.identifiers import shown
from mfgsync.adapters.decode import Decoded, kept_raw
from mfgsync.rules.findings import Finding

EVENT_OF_ENTITY = {
    "PurchaseOrder": "po.created", "PoAcknowledgement": "po.acknowledged", "ShipNotice": "asn.received",
    "Invoice": "invoice.received", "ProductionReport": "production.reported",
    "ProductionOrder": "production.released", "Bom": "bom.released", "Routing": "routing.released",
}
DEFAULT_SOURCE = {"x12": "supplier", "edifact": "supplier", "b2mml": "mes", "plm-csv": "plm"}
KEPT_UNREADABLE_CHARS = 4 * 1024 * 1024  # of an unreadable file, what its quarantine keeps whole


# The version of the mappings from partner formats to canonical documents: every envelope a
# file adapter makes carries it (as `<format>/<version>`), so lineage shows which mapping made it.
MAPPING_VERSION = "1"


def envelopes_from_file(path: Path, fmt: str, source: str | None) -> Iterator[dict[str, Any] | Decoded]:
    text = formats.decode(path.read_bytes())
    try:
        fmt = formats.detect(text) if fmt == "auto" else fmt
        parsed = formats.parse_any(text, fmt)
    except formats.FormatError as exc:
        yield _unreadable(path, text, exc, source)
        return
    sender = source or DEFAULT_SOURCE.get(fmt, "unknown")
    now = datetime.now(timezone.utc)
    for message_id, correlation, document in _documents(parsed, fmt, path.name):
        event_type = EVENT_OF_ENTITY.get(document.get("entity") or document["type"])
        if event_type is None:
            continue  # functional acknowledgements (997, CONTRL) are receipts, not business events
        yield new_envelope(sender, message_id, event_type, document["data"], now, subject=path.name,
                           correlationid=correlation, mappingversion=f"{fmt}/{MAPPING_VERSION}")


def _documents(parsed: dict[str, Any], fmt: str, file_name: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(message id, correlation id, document): the documents of one interchange, or of one
    file, share a correlation id, so whatever they cause can be followed back to it."""
    if "interchanges" in parsed:
        for interchange in parsed["interchanges"]:
            correlation = f"{fmt}:{interchange['sender']}:{interchange['control_number']}"
            for n, document in enumerate(interchange["documents"]):
                number = document.get("control_number") or str(n + 1)
                yield f"{correlation}:{number}", correlation, document
        return
    for document in parsed["documents"]:
        digest = hashlib.sha256(json.dumps(document["data"], sort_keys=True).encode()).hexdigest()[:16]
        document = {**document, "entity": document["type"]}
        yield f"{fmt}:{document['type']}:{digest}", _file_correlation(fmt, file_name), document


def _file_correlation(fmt: str, file_name: str) -> str:
    """The file's name where it is plain printable text of a sane length, else its digest."""
    if file_name.isprintable() and len(file_name) <= 150:
        return f"{fmt}:{file_name}"
    return f"{fmt}:" + hashlib.sha256(file_name.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def _unreadable(path: Path, text: str, error: formats.FormatError, source: str | None) -> Decoded:
    where = ", ".join(f"{name} {value}" for name in ("segment", "tag", "line", "column")
                      if (value := getattr(error, name, None)) is not None)
    name = path.name if path.name.isprintable() else shown(path.name)
    message = f"{name}: {error.message}" + (f" ({where})" if where else "")
    digest = hashlib.sha256(text.encode("utf-8", "backslashreplace")).hexdigest()[:40]
    return Decoded(kept_raw(text, KEPT_UNREADABLE_CHARS), f"file\x1f{digest}", source or "unknown",
                   f"{name[:180]}#{digest[:12]}", findings=[Finding(error.code, message)])
