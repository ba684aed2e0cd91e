"""A trading partner's EDI file as envelopes: one `interchange.received` per interchange, then
its business documents (855/ORDRSP, 856/DESADV, 810/INVOIC, …).

Message ids carry the partner, the interchange control number and the digest of the
interchange's text, so the same file again is a duplicate, and a control number used again for
other content is a new interchange message that the rules refuse. Documents keep the
interchange's correlation id. Supplier documents name the supplier the partner serves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mfgsync.adapters.documents import EVENT_OF_ENTITY, MAPPING_VERSION
from mfgsync.envelope import new_envelope
from mfgsync.formats.receipt import Received, receive


def interchange_envelopes(text: str, fmt: str, partner: Any, now: datetime
                          ) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(the interchange's envelope, its documents' envelopes) per interchange of `text`."""
    lenient = partner.envelope_policy == "lenient"
    return [_envelopes(received, fmt, partner, now) for received in receive(text, fmt, partner.partner_profile(),
                                                                             lenient)]


def _envelopes(received: Received, fmt: str, partner: Any, now: datetime) -> tuple[dict, list[dict]]:
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
        data = document.data_json()
        if "supplier_id" in data:
            data["supplier_id"] = partner.supplier_id or partner.name
        documents.append(new_envelope(partner.name, f"{identity}:{document.control_number or n + 1}", event_type,
                                      data, now, correlationid=correlation, mappingversion=version))
    return head, documents
