"""Rendering canonical entities as X12 interchanges."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from pydantic import BaseModel

from mfgsync.formats.canonical import build
from mfgsync.formats.errors import FormatError
from mfgsync.formats.partners import DEFAULT_PROFILE, PartnerProfile
from mfgsync.formats.x12 import ack855, ack997, asn856, inv810, po850
from mfgsync.formats.x12.common import Context
from mfgsync.formats.x12.envelope import EnvelopeSettings, Interchange, wrap
from mfgsync.formats.x12.syntax import write_segments
from mfgsync.model.entities import Invoice, PoAcknowledgement, PurchaseOrder, ShipNotice

WRITERS: dict[str, tuple[type[BaseModel] | None, Callable[[Any, Context], list]]] = {
    "850": (PurchaseOrder, po850.write), "855": (PoAcknowledgement, ack855.write),
    "856": (ShipNotice, asn856.write), "810": (Invoice, inv810.write), "997": (None, ack997.write),
}


def _body(set_id: str, document: Any, ctx: Context) -> list:
    if set_id not in WRITERS:
        raise FormatError("EDI_UNSUPPORTED_MESSAGE", f"cannot render transaction set {set_id!r}")
    model, write = WRITERS[set_id]
    if model is not None and not isinstance(document, model):
        if not isinstance(document, dict):
            raise FormatError("INVALID_FIELD", f"a {set_id} is rendered from a {model.__name__} object")
        document = build(model, document)
    return write(document, ctx)


def render_many(documents: list[tuple[str, Any]], settings: EnvelopeSettings = EnvelopeSettings(),
                profile: PartnerProfile = DEFAULT_PROFILE, newline: bool = True) -> str:
    """One interchange holding `documents` ((set id, entity or dict) pairs), one group per kind."""
    ctx = Context(profile, sender=settings.sender, receiver=settings.receiver, on=settings.on)
    sets = [(set_id, _body(set_id, document, ctx)) for set_id, document in documents]
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
