"""Reading X12: interchanges -> envelopes checked -> sets checked against their tables -> canonical."""

from __future__ import annotations

from typing import Any, Callable

from mfgsync.formats.bulk import collector_paused
from mfgsync.formats.documents import Document, InterchangeResult
from mfgsync.formats.errors import FormatError
from mfgsync.formats.partners import DEFAULT_PROFILE, PartnerProfile
from mfgsync.formats.segment_table import validate
from mfgsync.formats.x12 import ack855, ack997, asn856, inv810, po850
from mfgsync.formats.x12.common import Context
from mfgsync.formats.x12.envelope import Interchange, TransactionSet, read_envelope
from mfgsync.formats.x12.syntax import RawInterchange, split_interchanges
from mfgsync.formats.x12.tables import TABLES

Reader = Callable[[list, int, Context, str], Any]

READERS: dict[str, tuple[str, Reader]] = {
    "850": ("PurchaseOrder", lambda s, f, c, n: po850.read(s, f, c)),
    "855": ("PoAcknowledgement", ack855.read),
    "856": ("ShipNotice", lambda s, f, c, n: asn856.read(s, f, c)),
    "810": ("Invoice", lambda s, f, c, n: inv810.read(s, f, c)),
    "997": ("FunctionalAcknowledgement", lambda s, f, c, n: ack997.read(s, f, c)),
}


def read_set(ts: TransactionSet, ctx: Context) -> Document:
    if ts.set_id not in READERS:
        raise FormatError("EDI_UNSUPPORTED_MESSAGE", f"transaction set {ts.set_id!r} is not supported",
                          segment=ts.first - 1, tag="ST")
    validate(TABLES[ts.set_id], ts.tags, ts.first)
    entity, reader = READERS[ts.set_id]
    return Document(ts.set_id, entity, reader(ts.segments, ts.first, ctx, ts.control_number), ts.control_number)


def read_interchanges(text: str, profile: PartnerProfile = DEFAULT_PROFILE,
                      strict: bool = True) -> list[tuple[Interchange, InterchangeResult]]:
    """Every interchange of `text`, with the documents of its sound sets.

    Strict reading raises the first error of the envelope, a group or a set; lenient reading
    records them where they belong (for a TA1 or a 997) and returns the documents that were sound,
    none of an interchange whose envelope is broken.
    """
    file_ctx = Context(profile)  # what one interchange remembered serves the next (Context.for_interchange)
    with collector_paused():
        return [_read_interchange(raw, file_ctx, strict) for raw in split_interchanges(text)]


def _read_interchange(raw: RawInterchange, file_ctx: Context,
                      strict: bool) -> tuple[Interchange, InterchangeResult]:
    interchange = read_envelope(raw)
    result = InterchangeResult(interchange.control_number, interchange.sender, interchange.receiver)
    if interchange.errors:  # a broken envelope rejects the interchange whole (a TA1 says why)
        if strict:
            raise interchange.errors[0]
        return interchange, result
    ctx = file_ctx.for_interchange(interchange.sender, interchange.receiver)
    for group in interchange.groups:
        if strict and group.errors:
            raise group.errors[0]
        for ts in group.sets:
            if not ts.errors:
                try:
                    result.documents.append(read_set(ts, ctx))
                except FormatError as exc:
                    ts.errors.append(exc)
            ts.segments, ts.tags = [], []  # mapped: letting the raw segments go keeps memory flat on large files
            if strict and ts.errors:
                raise ts.errors[0]
    return interchange, result


def read(text: str, profile: PartnerProfile = DEFAULT_PROFILE) -> list[InterchangeResult]:
    return [result for _, result in read_interchanges(text, profile)]
