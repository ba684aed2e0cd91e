"""Receiving a partner's interchanges under its envelope policy, and the answers they are owed.

`strict` (the readers' own behaviour): a broken envelope rejects the interchange whole, answered
by a TA1 (X12) or a CONTRL whose UCI rejects it. `lenient`: control-number and count mismatches
in envelopes and trailers become warnings on the interchange, its documents are still read, and
the acknowledgement reports the fault (TA1 and AK5/AK9 `E`, accepted with errors noted; a
CONTRL UCI acknowledging with the syntax error code). Any other fault is handled as in strict.

Each interchange comes back as a summary (the `interchange.received` payload less the partner:
control number, digest of its text, status, warnings, errors, the functional acknowledgements it
carried, the replies the hub owes) and its sound business documents. Pure.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from mfgsync.formats.bulk import collector_paused
from mfgsync.formats.documents import Document
from mfgsync.formats.edifact import contrl
from mfgsync.formats.edifact import envelope as edifact_envelope
from mfgsync.formats.edifact import reader as edifact_reader
from mfgsync.formats.edifact import syntax as edifact_syntax
from mfgsync.formats.edifact.common import Context as EdifactContext
from mfgsync.formats.errors import FormatError
from mfgsync.formats.partners import PartnerProfile
from mfgsync.formats.x12 import ack997, ta1
from mfgsync.formats.x12 import envelope as x12_envelope
from mfgsync.formats.x12 import reader as x12_reader
from mfgsync.formats.x12 import syntax as x12_syntax
from mfgsync.formats.x12.common import Context as X12Context

# Faults a lenient partner policy records as warnings: numbers and counts in envelopes and trailers.
TOLERATED = frozenset({"X12_CONTROL_NUMBER_MISMATCH", "X12_GROUP_COUNT_MISMATCH", "X12_SET_COUNT_MISMATCH",
                       "X12_SE_COUNT_MISMATCH", "EDIFACT_REFERENCE_MISMATCH", "EDIFACT_COUNT_MISMATCH",
                       "EDIFACT_UNT_COUNT_MISMATCH"})
ACKNOWLEDGEMENTS = {"FunctionalAcknowledgement": "997", "ControlMessage": "CONTRL"}


@dataclass
class Received:
    summary: dict[str, Any]
    documents: list[Document] = field(default_factory=list)  # business documents, in order


def receive(text: str, fmt: str, profile: PartnerProfile, lenient: bool) -> list[Received]:
    """Every interchange of `text` (X12 or EDIFACT). A file too broken to find an envelope in
    raises FormatError, as the readers do."""
    with collector_paused():
        if fmt == "x12":
            return [_x12(raw, profile, lenient) for raw in x12_syntax.split_interchanges(text)]
        return [_edifact(raw, profile, lenient) for raw in edifact_syntax.split_interchanges(text)]


def _text(error: FormatError) -> str:
    return f"{error.code}: {error}"[:2000]


def _split(errors: list[FormatError], lenient: bool) -> tuple[list[FormatError], list[FormatError]]:
    """(warnings, faults) of a list of envelope errors under the policy."""
    warned = [e for e in errors if lenient and e.code in TOLERATED]
    return warned, [e for e in errors if e not in warned]


def _digest(segments: list) -> str:
    return hashlib.sha256(json.dumps(segments, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _summary(fmt: str, control: str, sender: str, receiver: str, segments: list, warnings: list[FormatError],
             faults: list[FormatError]) -> dict[str, Any]:
    status = "rejected" if faults else "accepted_with_warnings" if warnings else "accepted"
    return {"format": fmt, "control_number": control, "sender": sender, "receiver": receiver,
            "digest": _digest(segments), "status": status, "warnings": [_text(w) for w in warnings],
            "errors": [_text(f) for f in faults], "documents": 0, "functional_acks": [], "replies": []}


# --- X12 ---

def _x12(raw: x12_syntax.RawInterchange, profile: PartnerProfile, lenient: bool) -> Received:
    interchange = x12_envelope.read_envelope(raw)
    warnings, faults = _split(interchange.errors, lenient)
    summary = _summary("x12", interchange.control_number, interchange.sender, interchange.receiver,
                       raw.segments, warnings, faults)
    received = Received(summary)
    summary["functional_acks"] += _ta1s_in(raw.segments)
    if not faults:
        ctx = X12Context(profile, sender=interchange.sender, receiver=interchange.receiver)
        refused: list[FormatError] = []
        for group in interchange.groups:
            body = _read_group(group, ctx, lenient, received, warnings, refused)
            if group.functional_id != "FA":  # a 997 is not acknowledged in turn
                summary["replies"].append({"type": "997", "body": body})
        _settle(summary, warnings, refused, received)
    if interchange.acknowledgement_requested or interchange.errors:
        interchange.errors = faults or warnings
        segment = ta1.segment(interchange)
        if not faults and warnings:
            segment[4] = "E"  # accepted, with the errors noted
        summary["replies"].insert(0, {"type": "TA1", "body": dict(zip(
            ("control_number", "date", "time", "status", "note"), segment[1:]))})
    summary["documents"] = len(received.documents)
    return received


def _read_group(group: x12_envelope.Group, ctx: X12Context, lenient: bool, received: Received,
                warnings: list[FormatError], refused: list[FormatError]) -> dict[str, Any]:
    """Read the group's sound sets into `received` (the faults of the others into `refused`);
    the 997 body answering the group."""
    noted: set[int] = set()  # sets read despite tolerated faults: acknowledged `E`
    for index, ts in enumerate(group.sets):
        tolerated, _ = _split(ts.errors, lenient)
        if ts.errors and len(tolerated) == len(ts.errors):
            warnings.extend(tolerated)
            noted.add(index)
        if not ts.errors or index in noted:
            try:
                _keep(received, x12_reader.read_set(ts, ctx))
            except FormatError as exc:
                ts.errors.append(exc)
                noted.discard(index)
    group_warned, group_faults = _split(group.errors, lenient)
    warnings.extend(group_warned)
    refused += group_faults + [e for index, ts in enumerate(group.sets) if index not in noted for e in ts.errors]
    body = ack997.read(ack997.acknowledge_group(group), 0, ctx)
    for index in noted:
        body["sets"][index]["status"] = "E"
    accepted = sum(1 for s in body["sets"] if s.get("status") in ("A", "E"))
    body["sets_accepted"] = str(accepted)
    if group.errors and len(group_warned) == len(group.errors) or (noted and accepted == len(group.sets)):
        body["status"] = "E" if accepted == len(group.sets) else "P"
    return body


def _ta1s_in(segments: list) -> list[dict[str, Any]]:
    """TA1s a partner sent answering the hub's interchanges (between ISA and the first group)."""
    found = []
    for segment in segments[1:]:
        if segment[0] != "TA1":
            if segment[0] in ("ISB", "ISE"):
                continue
            break
        found.append({"type": "TA1", "control_number": x12_syntax.element(segment, 1).strip(),
                      "status": x12_syntax.element(segment, 4), "note": x12_syntax.element(segment, 5)})
    return found


# --- EDIFACT ---

def _edifact(raw: edifact_syntax.RawInterchange, profile: PartnerProfile, lenient: bool) -> Received:
    interchange = edifact_envelope.read_envelope(raw)
    warnings, faults = _split(interchange.errors, lenient)
    summary = _summary("edifact", interchange.reference, interchange.sender, interchange.recipient,
                       raw.segments, warnings, faults)
    received = Received(summary)
    ctx = EdifactContext(profile, interchange.sender, interchange.recipient, interchange.decimal_mark)
    refused: list[FormatError] = []
    if not faults:
        for message in interchange.messages:
            tolerated, _ = _split(message.errors, lenient)
            if message.errors and len(tolerated) == len(message.errors):
                warnings.extend(tolerated)
                message.errors = []
            if not message.errors:
                try:
                    _keep(received, edifact_reader.read_message(message, ctx))
                except FormatError as exc:
                    message.errors.append(exc)
            refused += message.errors
    interchange.errors = faults
    body = contrl.read(contrl.acknowledge(interchange), 0, ctx)
    if warnings and not faults:
        body["error"] = contrl.SYNTAX_ERROR_CODES.get(warnings[0].code, "12")  # acknowledged, fault reported
    if not faults:
        _settle(summary, warnings, refused, received)
    only_contrl = interchange.messages and all(m.type == "CONTRL" for m in interchange.messages)
    if faults or not only_contrl:  # a CONTRL is not acknowledged in turn
        summary["replies"].append({"type": "CONTRL", "body": body})
    summary["documents"] = len(received.documents)
    return received


def _settle(summary: dict[str, Any], warnings: list[FormatError], refused: list[FormatError],
            received: Received) -> None:
    """An interchange whose envelope stood: its warnings, the faults of the parts refused, and
    its status — accepted, accepted_with_warnings, partially_accepted or rejected."""
    summary["warnings"] = [_text(w) for w in warnings]
    summary["errors"] = [_text(f) for f in refused][:100]
    if refused:
        summary["status"] = "partially_accepted" if received.documents or summary["functional_acks"] else "rejected"
    elif warnings:
        summary["status"] = "accepted_with_warnings"


def _keep(received: Received, document: Document) -> None:
    kind = ACKNOWLEDGEMENTS.get(document.entity)
    if kind:
        received.summary["functional_acks"].append({"type": kind, **document.data})
    else:
        received.documents.append(document)


def parse_leniently(text: str, profile: PartnerProfile) -> dict[str, Any]:
    """The `edi parse` document of a file read under the lenient policy: each interchange with
    its sound documents, the warnings its envelope faults became, and what still rejected parts."""
    from mfgsync.formats import detect

    fmt = detect(text)
    if fmt not in ("x12", "edifact"):
        raise FormatError("FORMAT_UNKNOWN", f"expected X12 or EDIFACT, found {fmt}")
    return {"interchanges": [
        {"control_number": r.summary["control_number"], "sender": r.summary["sender"],
         "receiver": r.summary["receiver"], "status": r.summary["status"], "warnings": r.summary["warnings"],
         "errors": r.summary["errors"], "documents": [d.to_json() for d in r.documents],
         "functional_acks": r.summary["functional_acks"]}
        for r in receive(text, fmt, profile, lenient=True)]}
