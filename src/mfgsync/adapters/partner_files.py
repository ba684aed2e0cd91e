"""A trading partner's EDI file as envelopes: one `interchange.received` per interchange, then
its business documents (855/ORDRSP, 856/DESADV, 810/INVOIC, …).

Message ids carry the partner, the interchange control number and the digest of the
interchange's text, so the same file again is a duplicate, and a control number used again for
other content is a new interchange message that the rules refuse. Documents keep the
interchange's correlation id. Supplier documents name the supplier the partner serves, and a
line that names the item only by the supplier's number gets the hub's item from the sourcing
rules (`catalogue`: supplier item id -> item id).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from mfgsync.adapters.documents import EVENT_OF_ENTITY, MAPPING_VERSION
from mfgsync.envelope import new_envelope
from mfgsync.formats.receipt import Received, receive


def interchange_envelopes(text: str, fmt: str, partner: Any, now: datetime,
                          catalogue: Mapping[str, str] | None = None) -> list[tuple[dict, list[dict]]]:
    """(the interchange's envelope, its documents' envelopes) per interchange of `text`."""
    lenient = partner.envelope_policy == "lenient"
    return [_envelopes(received, fmt, partner, now, catalogue or {})
            for received in receive(text, fmt, partner.partner_profile(), lenient)]


def internal_items(data: dict[str, Any], catalogue: Mapping[str, str]) -> dict[str, Any]:
    """Lines naming an item only by the supplier's number (or with it standing in for the
    buyer's) carry the hub's item id the sourcing rules give that number."""
    lines = data.get("lines")
    if not isinstance(lines, list):
        return data
    for line in lines:
        theirs = line.get("supplier_item_id")
        if theirs in catalogue and line.get("item_id") in (None, theirs):
            line["item_id"] = catalogue[theirs]
    return data


def _envelopes(received: Received, fmt: str, partner: Any, now: datetime,
               catalogue: Mapping[str, str]) -> tuple[dict, list[dict]]:
    summary = {**received.summary, "partner": partner.name}
    identity = f"{fmt}:{partner.name}:{summary['control_number']}#{summary['digest'][:12]}"
    correlation = f"{fmt}:{partner.name}:{summary['control_number']}"
    version = f"{fmt}/{MAPPING_VERSION}"
    head = new_envelope(partner.name, identity, "interchange.received", summary, now, correlationid=correlation,
                        mappingversion=version)
    documents = []
    for n, document in enumerate(received.documents):
        event_type = EVENT_OF_ENTITY.get(document.entity)
        if event_type is None:
            continue
        data = internal_items(document.data_json(), catalogue)
        if "supplier_id" in data:
            data["supplier_id"] = partner.supplier_id or partner.name
        documents.append(new_envelope(partner.name, f"{identity}:{document.control_number or n + 1}", event_type,
                                      data, now, correlationid=correlation, mappingversion=version))
    return head, documents
