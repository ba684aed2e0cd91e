"""Reading EDIFACT: interchanges -> envelopes checked -> messages checked against tables -> canonical."""

from __future__ import annotations

from typing import Any, Callable

from mfgsync.formats.bulk import collector_paused
from mfgsync.formats.documents import Document, InterchangeResult
from mfgsync.formats.edifact import contrl, desadv, invoic, orders, ordrsp
from mfgsync.formats.edifact.common import Context
from mfgsync.formats.edifact.envelope import Interchange, Message, read_envelope
from mfgsync.formats.edifact.syntax import RawInterchange, split_interchanges
from mfgsync.formats.edifact.tables import TABLES
from mfgsync.formats.errors import FormatError
from mfgsync.formats.partners import DEFAULT_PROFILE, PartnerProfile
from mfgsync.formats.segment_table import validate

READERS: dict[str, tuple[str, Callable[..., Any]]] = {
    "ORDERS": ("PurchaseOrder", lambda s, f, c, r: orders.read(s, f, c)),
    "ORDRSP": ("PoAcknowledgement", ordrsp.read),
    "DESADV": ("ShipNotice", lambda s, f, c, r: desadv.read(s, f, c)),
    "INVOIC": ("Invoice", lambda s, f, c, r: invoic.read(s, f, c)),
    "CONTRL": ("ControlMessage", lambda s, f, c, r: contrl.read(s, f, c)),
}


def read_message(message: Message, ctx: Context) -> Document:
    if message.type not in READERS:
        raise FormatError("EDI_UNSUPPORTED_MESSAGE", f"message type {message.type!r} is not supported",
                          segment=message.first - 1, tag="UNH")
    validate(TABLES[message.type], message.tags, message.first)
    entity, reader = READERS[message.type]
    data = reader(message.segments, message.first, ctx, message.reference)
    return Document(message.type, entity, data, message.reference)


def read_interchanges(text: str, profile: PartnerProfile = DEFAULT_PROFILE,
                      strict: bool = True) -> list[tuple[Interchange, InterchangeResult]]:
    """Every interchange of `text` with the documents of its sound messages (see the X12 reader)."""
    with collector_paused():
        return [_read_interchange(raw, profile, strict) for raw in split_interchanges(text)]


def _read_interchange(raw: RawInterchange, profile: PartnerProfile,
                      strict: bool) -> tuple[Interchange, InterchangeResult]:
    interchange = read_envelope(raw)
    result = InterchangeResult(interchange.reference, interchange.sender, interchange.recipient)
    if interchange.errors:  # a broken envelope rejects the interchange whole (a CONTRL's UCI says why)
        if strict:
            raise interchange.errors[0]
        return interchange, result
    ctx = Context(profile, interchange.sender, interchange.recipient, interchange.decimal_mark)
    for message in interchange.messages:
        if not message.errors:
            try:
                result.documents.append(read_message(message, ctx))
            except FormatError as exc:
                message.errors.append(exc)
        message.segments, message.tags = [], []  # mapped: letting the raw segments go keeps memory flat on large files
        if strict and message.errors:
            raise message.errors[0]
    return interchange, result


def read(text: str, profile: PartnerProfile = DEFAULT_PROFILE) -> list[InterchangeResult]:
    return [result for _, result in read_interchanges(text, profile)]
