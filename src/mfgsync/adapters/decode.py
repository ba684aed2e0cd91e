"""Turning raw input into an envelope and a canonical entity, or into findings that say why not.

Nothing here raises for bad input: every failure becomes reason-coded findings, and the raw
text is kept so the message can be fixed and replayed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

from pydantic import ValidationError

from mfgsync.adapters.code_maps import translate
from mfgsync.envelope import PAYLOAD, Envelope
from mfgsync.model.base import Canonical
from mfgsync.rules.findings import Finding
from mfgsync.rules.reasons import CATALOGUE


@dataclass
class Decoded:
    raw: str
    msg_key: str
    source: str
    message_id: str
    envelope: Envelope | None = None
    entity: Canonical | None = None
    fields_set: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    event_type: str | None = None

    @property
    def ok(self) -> bool:
        return self.entity is not None and not self.findings


def _findings_from(error: ValidationError, prefix: str) -> list[Finding]:
    findings = []
    for problem in error.errors()[:20]:
        kind = problem["type"]
        if kind in CATALOGUE:
            code = kind
        elif kind == "missing":
            code = "MISSING_ATTRIBUTE"
        elif kind == "extra_forbidden":
            code = "UNKNOWN_FIELD"
        else:
            code = "INVALID_FIELD"
        path = ".".join([prefix] + [str(p) for p in problem["loc"]]) if prefix else ".".join(map(str, problem["loc"]))
        findings.append(Finding(code, f"{path or 'message'}: {problem['msg']}", path or None))
    return findings


# One decoder for every message: json.loads with a parse_float builds a new decoder per call,
# which costs more than parsing a typical message.
_JSON = json.JSONDecoder(parse_float=Decimal)


def _raw_key(raw: str) -> str:
    return "raw\x1f" + hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()[:40]


def _text(raw: str | bytes | dict) -> str:
    if isinstance(raw, dict):
        return json.dumps(raw, default=str)
    if isinstance(raw, bytes):
        return raw.decode("utf-8", errors="replace")
    return raw


def decode(raw: str | bytes | dict, max_bytes: int, source_override: str | None = None,
           code_maps: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None) -> Decoded:
    text = _text(raw)
    if len(text) > max_bytes:
        return Decoded(text, _raw_key(text), "unknown", "", findings=[
            Finding("PAYLOAD_TOO_LARGE", f"message of {len(text)} bytes exceeds the limit of {max_bytes}")])
    try:
        document: Any = raw if isinstance(raw, dict) else _JSON.decode(text)
    except (ValueError, RecursionError) as exc:
        return Decoded(text, _raw_key(text), "unknown", "", findings=[
            Finding("MALFORMED_JSON", f"not JSON: {str(exc)[:200]}")])
    if not isinstance(document, dict):
        return Decoded(text, _raw_key(text), "unknown", "", findings=[
            Finding("MALFORMED_JSON", f"a message must be a JSON object, not {type(document).__name__}")])
    if source_override:
        document = {**document, "source": source_override}
    return _decode_envelope(text, document, code_maps or {})


def _identity(text: str, document: dict) -> tuple[str, str, str]:
    source, message_id = document.get("source"), document.get("id")
    if isinstance(source, str) and isinstance(message_id, str) and source and message_id \
            and len(source) <= 64 and len(message_id) <= 200:
        return f"{source}\x1f{message_id}", source, message_id
    return _raw_key(text), str(source)[:64] if source else "unknown", ""


def _decode_envelope(text: str, document: dict, code_maps: Mapping[str, Mapping[str, Mapping[str, str]]]) -> Decoded:
    msg_key, source, message_id = _identity(text, document)
    event_type = document.get("type") if isinstance(document.get("type"), str) else None
    try:
        envelope = Envelope.model_validate(document)
    except ValidationError as exc:
        findings = _findings_from(exc, "")
        if any(p["loc"] == ("type",) for p in exc.errors()):
            findings.insert(0, Finding("UNKNOWN_EVENT_TYPE", f"unknown event type {str(document.get('type'))[:80]!r}", "type"))
        findings = [f if f.code != "INVALID_FIELD" else Finding("ENVELOPE_INVALID", f.message, f.field)
                    for f in findings if not (f.code == "INVALID_FIELD" and f.field == "type")]
        return Decoded(text, msg_key, source, message_id, findings=findings, event_type=event_type)
    decoded = Decoded(text, msg_key, source, message_id, envelope=envelope, event_type=envelope.type)
    data = translate(envelope.data, code_maps[envelope.source]) if envelope.source in code_maps else envelope.data
    try:
        decoded.entity = PAYLOAD[envelope.type].model_validate(data)
    except ValidationError as exc:
        decoded.findings = _findings_from(exc, "data")
        return decoded
    decoded.fields_set = set(envelope.data)
    return decoded
