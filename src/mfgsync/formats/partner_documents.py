"""The hub's own interchanges to a trading partner, under the control number allocated for them.

Purchase orders go out as an X12 850 or an EDIFACT ORDERS, changes and cancellations as an 860
or an ORDERS with the change or cancellation function; the hub's answers to what a partner sent
(997s and a TA1, or a CONTRL) are rendered from the reply bodies `formats.receipt` worked out.
Pure: canonical entities and numbers in, EDI text and the sets it holds out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, time
from typing import Any

from mfgsync.formats.edifact import contrl
from mfgsync.formats.edifact import envelope as edifact_envelope
from mfgsync.formats.edifact import orders_change
from mfgsync.formats.edifact.common import Context as EdifactContext
from mfgsync.formats.edifact.syntax import characters
from mfgsync.formats.edifact.syntax import write_segments as write_edifact
from mfgsync.formats.partners import PartnerProfile
from mfgsync.formats.x12 import ack997, po850, po860
from mfgsync.formats.x12 import envelope as x12_envelope
from mfgsync.formats.x12.common import Context as X12Context
from mfgsync.formats.x12.syntax import Delimiters
from mfgsync.formats.x12.syntax import write_segments as write_x12
from mfgsync.model.entities import PurchaseOrder


@dataclass(frozen=True)
class Addressing:
    """Who an interchange is from and to, its number and date, as a partner's settings give them."""
    format: str  # x12 or edifact
    sender: str
    receiver: str
    control_number: int
    on: date
    at: time
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    version: str = "004010"  # X12
    directory: str = "D96A"  # EDIFACT
    ta1_requested: bool = False  # X12 ISA14


@dataclass(frozen=True)
class Rendered:
    text: str
    sets: list[tuple[str, str]]  # (set id or message type, its control number), in order
    group_control_number: str | None


def render_order(po: PurchaseOrder, purpose: str, to: Addressing, profile: PartnerProfile) -> Rendered:
    """An order (`order`), its change (`change`) or its cancellation (`cancel`)."""
    if to.format == "x12":
        ctx = X12Context(profile, sender=to.sender, receiver=to.receiver, on=to.on)
        set_id, body = ("850", po850.write(po, ctx)) if purpose == "order" else ("860", po860.write(po, ctx, purpose))
        return _x12([(set_id, body)], to)
    ctx = EdifactContext(profile, to.sender, to.receiver, ".", to.on)
    return _edifact([("ORDERS", orders_change.write(po, ctx, purpose))], to)


def render_replies(replies: list[dict[str, Any]], to: Addressing, profile: PartnerProfile) -> Rendered:
    """The hub's answers to one received interchange: 997s (and a TA1) or a CONTRL."""
    if to.format == "x12":
        ctx = X12Context(profile, sender=to.sender, receiver=to.receiver, on=to.on)
        sets = [("997", ack997.write(r["body"], ctx)) for r in replies if r["type"] == "997"]
        ta1 = [r["body"] for r in replies if r["type"] == "TA1"]
        return _x12(sets, to, ta1[0] if ta1 else None)
    ctx = EdifactContext(profile, to.sender, to.receiver, ".", to.on)
    return _edifact([("CONTRL", contrl.write(r["body"], ctx)) for r in replies if r["type"] == "CONTRL"], to)


def _x12(sets: list[tuple[str, list]], to: Addressing, ta1: dict[str, str] | None = None) -> Rendered:
    settings = x12_envelope.EnvelopeSettings(
        sender=to.sender, receiver=to.receiver, sender_qualifier=to.sender_qualifier,
        receiver_qualifier=to.receiver_qualifier, control_number=to.control_number, version=to.version,
        on=to.on, at=to.at)
    segments = x12_envelope.wrap(sets, settings)
    if to.ta1_requested:
        segments[0][14] = "1"
    if ta1 is not None:  # a TA1 stands between ISA and the first group
        segments.insert(1, ["TA1", ta1["control_number"], ta1["date"], ta1["time"], ta1["status"], ta1["note"]])
    delimiters = Delimiters() if to.version < "004020" else replace(Delimiters(), repetition="^")
    numbers = [(s[1], s[2]) for s in segments if s[0] == "ST"]
    group = next((s[6] for s in segments if s[0] == "GS"), None)
    return Rendered(write_x12(segments, delimiters), numbers, group)


def _edifact(messages: list[tuple[str, list]], to: Addressing) -> Rendered:
    directory = (to.directory[0], to.directory.lstrip("D").lstrip("."))
    settings = edifact_envelope.EnvelopeSettings(
        sender=to.sender, recipient=to.receiver, sender_qualifier=to.sender_qualifier,
        recipient_qualifier=to.receiver_qualifier, reference=str(to.control_number), directory=directory,
        on=to.on, at=to.at)
    segments = edifact_envelope.wrap(messages, settings)
    numbers = [(s[2][0], s[1]) for s in segments if s[0] == "UNH"]
    return Rendered(write_edifact(segments, characters(), with_una=True), numbers, None)
