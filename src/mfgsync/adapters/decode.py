"""Turning raw input into an envelope and a canonical entity, or into findings that say why not.

Nothing here raises for bad input: every failure becomes reason-coded findings, and the raw
text is kept so the message can be fixed and replayed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

import msgspec
from pydantic import ValidationError

from mfgsync.adapters.code_maps import translate
from mfgsync.envelope import PAYLOAD, SOURCE_PATTERN, Envelope, EventType
from mfgsync.model.base import Canonical
from mfgsync.model.identifiers import MAX_MESSAGE_ID_CHARS, identifier_problem, shown
from mfgsync.model.numbers import MAX_NUMBER_CHARS, NumberOutOfRange, bounded, bounded_int
from mfgsync.model.timestamps import DEFAULT_FUTURE_SKEW_SECONDS, future_problem
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
    # The envelope was read from JSON text by the hub's decoder, so its data holds only text
    # keys, lists, text, ints, Decimals, booleans and None (what content_hash can write fast).
    from_text: bool = False

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
        path = ".".join([prefix] + [_part(p) for p in problem["loc"]]) if prefix else ".".join(map(_part, problem["loc"]))
        findings.append(Finding(code, f"{path or 'message'}: {problem['msg']}", path or None))
    return findings


def _part(part: object) -> str:
    """A path part as safe text: a field name sent with NUL or a lone surrogate is escaped."""
    text = str(part)
    return text if text.isprintable() else shown(text)


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not a JSON number")


# One decoder for every message: json.loads with hooks builds a new decoder per call, which
# costs more than parsing a typical message. Numbers are range-checked as they are read, before
# anything converts them (model/numbers.py); NaN and Infinity are not JSON.
_JSON = json.JSONDecoder(parse_float=bounded, parse_int=bounded_int, parse_constant=_not_json)
# msgspec reads a typical message in a fraction of json's time, and where it reads a text at all
# it reads it as _JSON does: floats through the same range check, ints, strings, duplicate names
# alike. Where it may not, json reads the text: any text msgspec refuses (so every finding keeps
# json's wording), an integer of MAX_NUMBER_CHARS digits or more (msgspec has no hook to refuse it
# by length), and a text long enough to nest deeper than json's recursion limit (msgspec goes a few
# levels deeper).
_FAST_JSON = msgspec.json.Decoder(float_hook=bounded)
_FAST_JSON_MAX_CHARS = 1024
_DIGITS_AS_ZERO = bytes(ord("0") if chr(byte).isdigit() and byte < 128 else ord(" ") for byte in range(256))
_LONG_DIGIT_RUN = b"0" * MAX_NUMBER_CHARS  # a '-' and this many digits is already too long
KEPT_PREFIX_CHARS = 64 * 1024  # of an oversized message, what the quarantine keeps besides its hash


def _json_document(text: str) -> Any:
    """`text` read as JSON, exactly as _JSON reads it (or its exception)."""
    if len(text) <= _FAST_JSON_MAX_CHARS:
        encoded = text.encode("utf-8")  # storable_text leaves no lone surrogate
        if _LONG_DIGIT_RUN not in encoded.translate(_DIGITS_AS_ZERO):
            try:
                return _FAST_JSON.decode(encoded)
            except Exception:  # json decides what is wrong and says so in its words
                pass
    return _JSON.decode(text)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "backslashreplace")).hexdigest()


def _raw_key(text: str) -> str:
    return "raw\x1f" + _digest(text)[:40]


def storable_text(raw: str | bytes | dict) -> str:
    """The raw message as text both stores can keep. PostgreSQL text holds no NUL and UTF-8 no
    lone surrogate, so each is written as its JSON escape (`\\u0000`, `\\ud800`): inside a JSON
    string that reads back as the same character, so the judgement is the same on either store."""
    if isinstance(raw, dict):
        return json.dumps(raw, default=str)
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    if "\x00" in text:
        text = text.replace("\x00", "\\u0000")
    if text.isascii():  # the common case: no surrogate, so nothing to look for
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def kept_raw(text: str, limit: int) -> str:
    """What a quarantine keeps of a raw message: all of it up to `limit` characters; beyond,
    its first KEPT_PREFIX_CHARS and a note with its size and SHA-256, which still identify it."""
    if len(text) <= limit:
        return text
    kept = text[:KEPT_PREFIX_CHARS]
    return (f"{kept}\n[truncated: the first {len(kept)} of {len(text)} characters are kept; "
            f"sha256 {_digest(text)}]")


def _too_large(text: str, size: int, max_bytes: int) -> Decoded:
    digest = _digest(text)
    return Decoded(kept_raw(text, KEPT_PREFIX_CHARS), "raw\x1f" + digest[:40], "unknown", "", findings=[
        Finding("PAYLOAD_TOO_LARGE", f"message of {size} bytes exceeds the limit of {max_bytes}; sha256 {digest}")])


def _malformed(text: str, message: str, code: str = "MALFORMED_JSON") -> Decoded:
    return Decoded(text, _raw_key(text), "unknown", "", findings=[Finding(code, message)])


def decode(raw: str | bytes | dict, max_bytes: int, source_override: str | None = None,
           code_maps: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None, *,
           now: float | None = None, max_future_skew_seconds: float = DEFAULT_FUTURE_SKEW_SECONDS) -> Decoded:
    """One message judged: an envelope and entity, or findings. `now` (epoch seconds) enables the
    check that `time` is at most `max_future_skew_seconds` ahead of the hub's clock."""
    size = len(raw) if isinstance(raw, bytes) else None
    text = storable_text(raw)
    if (size or len(text)) > max_bytes:
        return _too_large(text, size or len(text), max_bytes)
    try:
        document: Any = raw if isinstance(raw, dict) else _json_document(text)
    except NumberOutOfRange as exc:
        return _malformed(text, f"number out of range: {exc}", exc.code)
    except (ValueError, RecursionError) as exc:
        return _malformed(text, f"not JSON: {str(exc)[:200]}")
    if not isinstance(document, dict):
        return _malformed(text, f"a message must be a JSON object, not {type(document).__name__}")
    if source_override:
        document = {**document, "source": source_override}
    decoded = _decode_envelope(text, document, code_maps or {})
    decoded.from_text = not isinstance(raw, dict)
    if decoded.envelope is not None and now is not None:
        problem = future_problem(decoded.envelope.time, now, max_future_skew_seconds)
        if problem:
            decoded.findings.insert(0, Finding("TIMESTAMP_IN_FUTURE", problem, "time"))
    return decoded


def _identity(text: str, document: dict) -> tuple[str, str, str]:
    """The idempotency key, from the source and id exactly as the envelope reads them (stripped);
    when either is unusable, the hash of the raw text, so a re-sent bad message is still one."""
    source, message_id = document.get("source"), document.get("id")
    source = source.strip() if isinstance(source, str) else None
    message_id = message_id.strip() if isinstance(message_id, str) else None
    if source and _SOURCE.fullmatch(source) and message_id \
            and identifier_problem(message_id, MAX_MESSAGE_ID_CHARS, separators="\x1f") is None:
        return f"{source}\x1f{message_id}", source, message_id
    return _raw_key(text), source if source and _SOURCE.fullmatch(source) else "unknown", ""


def _envelope_identity(text: str, document: dict, envelope: Envelope) -> tuple[str, str, str]:
    """_identity of a sound envelope without checking its id again: when source and id were sent
    as text, pydantic stripped only characters str.strip strips and the id passed the same
    identifier check, so they are what _identity would find. (Bytes, which pydantic reads as text
    and _identity does not, go to _identity.)"""
    if type(document.get("source")) is str and type(document.get("id")) is str:
        return f"{envelope.source}\x1f{envelope.id}", envelope.source, envelope.id
    return _identity(text, document)


def _decode_envelope(text: str, document: dict, code_maps: Mapping[str, Mapping[str, Mapping[str, str]]]) -> Decoded:
    try:
        envelope = Envelope.model_validate(document)
    except ValidationError as exc:
        return _refused_envelope(text, document, exc)
    msg_key, source, message_id = _envelope_identity(text, document, envelope)
    decoded = Decoded(text, msg_key, source, message_id, envelope=envelope, event_type=envelope.type)
    data = translate(envelope.data, code_maps[envelope.source]) if envelope.source in code_maps else envelope.data
    try:
        decoded.entity = PAYLOAD[envelope.type].model_validate(data)
    except ValidationError as exc:
        decoded.findings = _findings_from(exc, "data")
        return decoded
    decoded.fields_set = set(envelope.data)
    return decoded


def _refused_envelope(text: str, document: dict, error: ValidationError) -> Decoded:
    msg_key, source, message_id = _identity(text, document)
    sent_type = document.get("type")
    event_type = sent_type.strip() if isinstance(sent_type, str) and sent_type.strip() in _EVENT_TYPES else None
    findings = _findings_from(error, "")
    if any(p["loc"] == ("type",) for p in error.errors()):
        findings.insert(0, Finding("UNKNOWN_EVENT_TYPE", f"unknown event type {shown(sent_type)}", "type"))
    findings = [f if f.code != "INVALID_FIELD" else Finding("ENVELOPE_INVALID", f.message, f.field)
                for f in findings if not (f.code == "INVALID_FIELD" and f.field == "type")]
    return Decoded(text, msg_key, source, message_id, findings=findings, event_type=event_type)


_SOURCE = re.compile(SOURCE_PATTERN)
_EVENT_TYPES = frozenset(EventType)
