"""Decode's shortcuts give exactly what the long way gives: the same envelope, entity and key for
a sound message, the same findings (codes, messages, fields) for a hostile one.

The long way is decode with its shortcuts turned off: every text read by json, every timestamp
parsed by pydantic, the message id checked a second time for the key.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfgsync.adapters import decode as decoding
from mfgsync.adapters.decode import decode
from mfgsync.model import timestamps
from tests.support.hostile import DEEP_NESTING, IDENTIFIER_TEXTS, NUMBER_TEXTS, TIMES

LIMIT = 4 * 1024 * 1024
NOW = 1_795_000_000.0


@contextmanager
def the_long_way():
    with mock.patch.object(decoding, "_FAST_JSON_MAX_CHARS", -1), \
            mock.patch.object(timestamps, "_plain_utc", lambda text: None), \
            mock.patch.object(timestamps, "_KNOWN_TIMES", {}), \
            mock.patch.object(decoding, "_envelope_identity",
                              lambda text, document, envelope: decoding._identity(text, document)):
        yield


def judgement(raw) -> tuple:
    decoded = decode(raw, LIMIT, now=NOW)
    return (decoded.raw, decoded.msg_key, decoded.source, decoded.message_id, decoded.event_type,
            decoded.envelope and (decoded.envelope.model_dump(), decoded.envelope.model_extra),
            decoded.entity and (type(decoded.entity), decoded.entity.model_dump(), decoded.entity.model_fields_set),
            sorted(decoded.fields_set), [(f.code, f.message, f.field) for f in decoded.findings])


def same_either_way(raw) -> None:
    quick = judgement(raw)
    again = judgement(raw)  # now from the memory of timestamps, too
    with the_long_way():
        slow = judgement(raw)
    assert quick == slow
    assert again == slow


def typed(value):
    """`value` with the type of every part, so 1, True and Decimal(1) are told apart."""
    if isinstance(value, dict):
        return ("dict", [(key, typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", [typed(item) for item in value])
    return (type(value).__name__, str(value))


def read(reader, text):
    try:
        return typed(reader(text))
    except Exception as exc:  # noqa: BLE001 - the exception is the result being compared
        return (type(exc).__name__, str(exc))


ATTRIBUTES = IDENTIFIER_TEXTS | st.sampled_from(["wms", " wms ", "mes-1", "\x1cwms\x1f", "\u3000id\u3000", "id\x85"])
STAMPS = TIMES | st.sampled_from(["2026-11-23T00:03:22Z", " 2026-11-23T00:03:22Z ", "2026-11-23t00:03:22z",
                                  "2026-11-23T00:03:22.5Z", "2026-11-23T00:03:22+01:00", "2026-13-01T00:00:00Z",
                                  "2026-11-23T00:03:60Z", "0000-01-01T00:00:00Z", "2026-11-23T00:03:22\x00",
                                  "２０２６-11-23T00:03:22Z", "2199-12-31T23:59:59Z", "2500-01-01T00:00:00Z"]) \
    | st.builds("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format, st.integers(0, 9999), st.integers(0, 13),
                st.integers(0, 32), st.integers(0, 25), st.integers(0, 61), st.integers(0, 61))
NUMBERS = st.integers() | st.integers(-10**45, 10**45) | st.decimals(allow_nan=False, allow_infinity=False) \
    | st.floats(allow_nan=False, allow_infinity=False) | NUMBER_TEXTS | st.booleans() | st.none()
VALUES = ATTRIBUTES | NUMBERS | st.sampled_from(["C62", " c62 ", "EA", "FURLONG", "receipt", "consumption"])


@st.composite
def messages(draw):
    data = {"movement_id": draw(ATTRIBUTES | st.just("MV-1")), "kind": draw(st.sampled_from(["receipt", "issue", "x"])),
            "item_id": draw(ATTRIBUTES | st.just("C-0001")), "qty": draw(NUMBERS), "uom": draw(VALUES),
            "plant_id": "P1", "from_location": "LINE"}
    data.update(draw(st.dictionaries(st.sampled_from(["occurred_at", "lot_id", "reason", "bogus", "qty"]),
                                     VALUES | STAMPS, max_size=2)))
    document = {"specversion": draw(st.sampled_from(["1.0", "1.0", "2.0"])), "id": draw(ATTRIBUTES | st.just("m-1")),
                "source": draw(ATTRIBUTES | st.just("wms")),
                "type": draw(st.sampled_from(["inventory.moved", " inventory.moved ", "item.upserted", "x.y"])),
                "time": draw(STAMPS), "data": data}
    document.update(draw(st.dictionaries(st.sampled_from(["sequence", "subject", "correlationid"]), VALUES, max_size=2)))
    return document


def as_text(document, ensure_ascii: bool) -> str:
    return json.dumps(document, ensure_ascii=ensure_ascii, default=str)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages(), st.booleans())
def test_a_message_is_judged_the_same_with_or_without_the_shortcuts(document, ensure_ascii):
    same_either_way(as_text(document, ensure_ascii))
    same_either_way(document)


@settings(max_examples=300, deadline=None)
@given(messages(), st.data())
def test_a_broken_text_is_judged_the_same_with_or_without_the_shortcuts(document, data):
    text = as_text(document, ensure_ascii=data.draw(st.booleans()))
    at = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 3))
    inserted = data.draw(st.sampled_from(["", "0", "-", ".", "e", "E+", "\\", '"', "\\ud800", "\\udc00", "\t", "\x00",
                                          "\x1f", "\u00a0", "NaN", "Infinity", " ", ",", "}", "]", "[", "1" * 45, "\ud800"]))
    same_either_way(text[:at] + inserted + text[at + cut:])


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**50, 10**50) | st.text(st.characters(exclude_categories=())),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4), max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(JSON_VALUES, st.booleans(), NUMBER_TEXTS)
def test_json_text_is_read_as_json_reads_it(value, ensure_ascii, number):
    text = decoding.storable_text(json.dumps(value, ensure_ascii=ensure_ascii))
    assert read(decoding._json_document, text) == read(decoding._JSON.decode, text)
    with_number = decoding.storable_text(json.dumps([value, 0]))[:-2] + number + "]"
    assert read(decoding._json_document, with_number) == read(decoding._JSON.decode, with_number)


def nesting(reader, text):
    """How deep `text` reads, or the kind of exception: json's own message for too deep a text
    depends on how deep the caller's stack already is, so only its kind is compared."""
    try:
        value = reader(text)
    except Exception as exc:  # noqa: BLE001 - the exception is the result being compared
        return type(exc).__name__
    depth = 0
    while isinstance(value, (list, dict)) and value:
        value, depth = (value[0] if isinstance(value, list) else next(iter(value.values()))), depth + 1
    return depth


@settings(max_examples=20, deadline=None)
@given(DEEP_NESTING | st.integers(300, 520).map(lambda depth: "[" * depth + "]" * depth))
def test_deep_nesting_is_read_as_json_reads_it(text):
    assert nesting(decoding._json_document, text) == nesting(decoding._JSON.decode, text)
