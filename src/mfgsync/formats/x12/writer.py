"""Rendering canonical entities as X12 interchanges."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mfgsync.formats.canonical import Writers, render_body
from mfgsync.formats.partners import DEFAULT_PROFILE, PartnerProfile
from mfgsync.formats.x12 import ack855, ack997, asn856, inv810, po850
from mfgsync.formats.x12.common import Context
from mfgsync.formats.x12.envelope import EnvelopeSettings, Interchange, wrap
from mfgsync.formats.x12.syntax import write_segments
from mfgsync.model.entities import Invoice, PoAcknowledgement, PurchaseOrder, ShipNotice

WRITERS: Writers = {
    "850": (PurchaseOrder, po850.write), "855": (PoAcknowledgement, ack855.write),
    "856": (ShipNotice, asn856.write), "810": (Invoice, inv810.write), "997": (None, ack997.write),
}


def render_many(documents: list[tuple[str, Any]], settings: EnvelopeSettings = EnvelopeSettings(),
                profile: PartnerProfile = DEFAULT_PROFILE, newline: bool = True) -> str:
    """One interchange holding `documents` ((set id, entity or dict) pairs), one group per kind."""
    ctx = Context(profile, sender=settings.sender, receiver=settings.receiver, on=settings.on)
    sets = [(set_id, render_body(WRITERS, set_id, document, ctx)) for set_id, document in documents]
    delimiters = settings.delimiters
    if settings.version >= "004020" and delimiters.repetition is None:
        delimiters = replace(delimiters, repetition="^")
    return write_segments(wrap(sets, settings), delimiters, newline)


def render(set_id: str, document: Any, settings: EnvelopeSettings = EnvelopeSettings(),
           profile: PartnerProfile = DEFAULT_PROFILE, newline: bool = True) -> str:
    return render_many([(set_id, document)], settings, profile, newline)


def render_997(interchange: Interchange, on_settings: EnvelopeSettings = EnvelopeSettings(),
               profile: PartnerProfile = DEFAULT_PROFILE) -> str:
    """997s answering every group of a received interchange, addressed back to its sender."""
    settings = replace(on_settings, sender=interchange.receiver, receiver=interchange.sender,
                       sender_qualifier=interchange.receiver_qualifier or "ZZ",
                       receiver_qualifier=interchange.sender_qualifier or "ZZ",
                       version=(interchange.groups[0].version[:6] if interchange.groups else "") or "004010")
    sets = [("997", body) for body in ack997.acknowledgements(interchange)]
    delimiters = settings.delimiters
    if settings.version >= "004020" and delimiters.repetition is None:
        delimiters = replace(delimiters, repetition="^")
    return write_segments(wrap(sets, settings), delimiters)
