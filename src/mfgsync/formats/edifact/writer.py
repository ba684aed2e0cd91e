"""Rendering canonical entities as EDIFACT interchanges."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mfgsync.formats.canonical import Writers, render_body
from mfgsync.formats.edifact import contrl, desadv, invoic, orders, ordrsp
from mfgsync.formats.edifact.common import Context
from mfgsync.formats.edifact.envelope import EnvelopeSettings, Interchange, wrap
from mfgsync.formats.edifact.syntax import characters, write_segments
from mfgsync.formats.partners import DEFAULT_PROFILE, PartnerProfile
from mfgsync.model.entities import Invoice, PoAcknowledgement, PurchaseOrder, ShipNotice

WRITERS: Writers = {
    "ORDERS": (PurchaseOrder, orders.write), "ORDRSP": (PoAcknowledgement, ordrsp.write),
    "DESADV": (ShipNotice, desadv.write), "INVOIC": (Invoice, invoic.write), "CONTRL": (None, contrl.write),
}


def render_many(documents: list[tuple[str, Any]], settings: EnvelopeSettings = EnvelopeSettings(),
                profile: PartnerProfile = DEFAULT_PROFILE, newline: bool = True) -> str:
    chars = characters(settings.service_chars)
    ctx = Context(profile, settings.sender, settings.recipient, chars.decimal_point, settings.on)
    messages = [(kind, render_body(WRITERS, kind, document, ctx)) for kind, document in documents]
    return write_segments(wrap(messages, settings), chars, with_una=True, newline=newline)


def render(kind: str, document: Any, settings: EnvelopeSettings = EnvelopeSettings(),
           profile: PartnerProfile = DEFAULT_PROFILE, newline: bool = True) -> str:
    return render_many([(kind, document)], settings, profile, newline)


def render_contrl(interchange: Interchange, settings: EnvelopeSettings = EnvelopeSettings()) -> str:
    """A CONTRL answering `interchange`, addressed back to its sender."""
    settings = replace(settings, sender=interchange.recipient or settings.sender,
                       recipient=interchange.sender or settings.recipient)
    return write_segments(wrap([("CONTRL", contrl.acknowledge(interchange))], settings), characters())
