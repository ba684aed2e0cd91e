"""Rendering canonical entities as X12 interchanges."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mfgsync.formats.canonical import Writers, render_body
from mfgsync.formats.partners import DEFAULT_PROFILE, PartnerProfile
from mfgsync.formats.x12 import ack855, ack997, asn856, inv810, po850, ta1
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
    return _write(wrap(sets, settings), settings, newline)


def render(set_id: str, document: Any, settings: EnvelopeSettings = EnvelopeSettings(),
           profile: PartnerProfile = DEFAULT_PROFILE, newline: bool = True) -> str:
    return render_many([(set_id, document)], settings, profile, newline)


def render_997(interchange: Interchange, on_settings: EnvelopeSettings = EnvelopeSettings(),
               profile: PartnerProfile = DEFAULT_PROFILE) -> str:
    """997s answering every group of a received interchange, addressed back to its sender."""
    settings = _reply(interchange, on_settings, (interchange.groups[0].version[:6] if interchange.groups else ""))
    return _write(wrap([("997", body) for body in ack997.acknowledgements(interchange)], settings), settings)


def render_ta1(interchange: Interchange, on_settings: EnvelopeSettings = EnvelopeSettings()) -> str:
    """An interchange holding one TA1 that answers a received interchange's envelope.

    A TA1 stands between ISA and IEA, in no group, so the reply's IEA counts no groups.
    """
    settings = _reply(interchange, on_settings, "004010" if interchange.version < "00500" else "005010")
    segments = wrap([], settings)
    segments.insert(1, ta1.segment(interchange))
    return _write(segments, settings)


def _reply(interchange: Interchange, on_settings: EnvelopeSettings, version: str) -> EnvelopeSettings:
    """Settings addressing a reply back to the sender of `interchange`, in its version."""
    return replace(on_settings, sender=interchange.receiver, receiver=interchange.sender,
                   sender_qualifier=interchange.receiver_qualifier or "ZZ",
                   receiver_qualifier=interchange.sender_qualifier or "ZZ",
                   version=version or "004010")


def _write(segments: list, settings: EnvelopeSettings, newline: bool = True) -> str:
    delimiters = settings.delimiters
    if settings.version >= "004020" and delimiters.repetition is None:
        delimiters = replace(delimiters, repetition="^")  # ISA11 is a repetition separator from 00402 on
    return write_segments(segments, delimiters, newline)
