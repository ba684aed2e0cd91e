"""One hostile envelope is judged, never fatal: a coded finding, a storable key, in bounded time."""

from __future__ import annotations

import hashlib
import json
import time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfgsync.adapters.decode import KEPT_PREFIX_CHARS, Decoded, decode
from mfgsync.model.entities import InventoryMovement, Item
from mfgsync.rules.reasons import CATALOGUE
from tests.support.hostile import DEEP_NESTING, IDENTIFIER_TEXTS, NUMBER_TEXTS, TIMES
from tests.support.messages import envelope

LIMIT = 4 * 1024 * 1024
NOW = 1_795_000_000.0  # 2026-11-18T11:06:40Z


def movement(**fields) -> dict:
    return {"movement_id": "M1", "kind": "receipt", "item_id": "BOLT", "qty": 3, "uom": "C62",
            "plant_id": "P1", "to_location": "A1", **fields}


def moved(data: dict | None = None, **attributes) -> dict:
    return envelope("inventory.moved", data or movement(), source="wms", **attributes)


def judged(raw, **keywords) -> Decoded:
    """`raw` decoded, holding it to what the stores need: codes catalogued, keys storable."""
    started = time.perf_counter()
    decoded = decode(raw, LIMIT, **keywords)
    # A hang guard, not a speed figure: generous, so a loaded machine never trips it.
    assert time.perf_counter() - started < 10, "judging one message never hangs"
    assert {f.code for f in decoded.findings} <= set(CATALOGUE)
    for text in (decoded.raw, decoded.msg_key, decoded.source, decoded.message_id, decoded.event_type or "",
                 *(f.message for f in decoded.findings)):
        text.encode("utf-8")  # UTF-8 holds no lone surrogate
        assert "\x00" not in text, "PostgreSQL text holds no NUL"
    if decoded.ok:
        decoded.entity.model_dump_json()  # an accepted entity always serialises
    return decoded


def codes(decoded: Decoded) -> set[str]:
    return {f.code for f in decoded.findings}


def with_number(text: str) -> str:
    """An inventory movement whose qty is the JSON number literal `text`, exactly as sent."""
    return json.dumps(moved(movement(qty=0))).replace('"qty": 0', f'"qty": {text}')


# --- numbers (item 1) ---

@pytest.mark.parametrize("literal", ["1e999999999", "1E+999999999999999999", "-1e5000", "1e16"])
def test_a_number_with_an_enormous_exponent_is_quarantined_not_parsed(literal):
    assert codes(judged(with_number(literal))) == {"NUMBER_OUT_OF_RANGE"}


@pytest.mark.parametrize("literal", ["1e-999999999", "1e-13", "0.00000000000000000000000000001"])
def test_a_number_with_a_tiny_exponent_or_too_many_digits_is_quarantined(literal):
    assert codes(judged(with_number(literal))) == {"NUMBER_OUT_OF_RANGE"}


def test_an_integer_of_thousands_of_digits_is_refused_before_int_reads_it():
    assert codes(judged(with_number("1" + "0" * 4400))) == {"NUMBER_OUT_OF_RANGE"}


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json_numbers(literal):
    assert codes(judged(with_number(literal))) == {"MALFORMED_JSON"}


@pytest.mark.parametrize("text", ["1e999999999", "1e-999999999", "1e5000", "1" + "0" * 4400])
def test_a_quantity_sent_as_text_is_held_to_the_same_range(text):
    assert codes(judged(moved(movement(qty=text)))) == {"NUMBER_OUT_OF_RANGE"}


@pytest.mark.parametrize("literal, value", [("999999999999999.9999999999999", "999999999999999.9999999999999"),
                                            ("1e-12", "1E-12"), ("1.5E+14", "1.5E+14"), ("0e-999999999", "0")])
def test_numbers_inside_the_documented_range_are_read_exactly(literal, value):
    decoded = judged(with_number(literal))
    assert decoded.ok and decoded.entity.qty == Decimal(value)


def test_a_conversion_factor_with_an_enormous_exponent_is_refused_by_the_model():
    with pytest.raises(ValueError, match="NUMBER_OUT_OF_RANGE|not a finite number"):
        Item.model_validate({"item_id": "A", "safety_stock": "1e999999999"})


# --- timestamps (item 2) ---

@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"])
def test_a_timestamp_whose_utc_conversion_overflows_is_quarantined_not_a_crash(when):
    assert codes(judged(moved(time=when))) == {"TIMESTAMP_OUT_OF_RANGE"}
    assert codes(judged(moved(movement(occurred_at=when)))) == {"TIMESTAMP_OUT_OF_RANGE"}


@pytest.mark.parametrize("when", ["1899-12-31T23:59:59Z", "2200-01-01T00:00:00Z", "0999-01-01T00:00:00Z"])
def test_a_timestamp_outside_the_sane_years_is_quarantined(when):
    assert codes(judged(moved(time=when))) == {"TIMESTAMP_OUT_OF_RANGE"}


def test_a_time_beyond_the_clock_skew_window_is_quarantined_when_the_hub_gives_its_clock():
    future = moved(time="2099-01-01T00:00:00Z")
    assert codes(judged(future, now=NOW)) == {"TIMESTAMP_IN_FUTURE"}
    assert judged(future).ok, "without a clock (replaying history, tests) no future check runs"
    slightly_ahead = moved(time="2026-11-18T11:10:00Z")  # 200 s ahead
    assert judged(slightly_ahead, now=NOW, max_future_skew_seconds=300).ok
    assert codes(judged(slightly_ahead, now=NOW, max_future_skew_seconds=60)) == {"TIMESTAMP_IN_FUTURE"}


# --- identifiers (items 3 and 7) ---

@pytest.mark.parametrize("attribute", ["id", "type", "source"])
def test_a_lone_surrogate_in_an_envelope_attribute_is_quarantined_with_a_storable_key(attribute):
    raw = json.dumps(moved()).replace(f'"{attribute}": "', f'"{attribute}": "\\ud800', 1)
    decoded = judged(raw)
    assert decoded.findings and decoded.msg_key.startswith("raw\x1f") or attribute == "type"
    assert decoded.event_type is None or attribute != "type"


def test_a_lone_surrogate_in_a_python_string_is_kept_as_its_json_escape():
    raw = json.dumps(moved(message_id="X")).replace('"X"', '"\ud800"')
    decoded = judged(raw)
    assert "\\ud800" in decoded.raw and json.loads(decoded.raw)["id"] == "\ud800"


@pytest.mark.parametrize("item_id", ["PMP\x00100", "A\x1fB", "\x1b[31m", "A\ud800"])
def test_nul_and_control_characters_in_an_identifier_are_refused_with_a_code(item_id):
    assert "IDENTIFIER_INVALID" in codes(judged(moved(movement(item_id=item_id))))


@pytest.mark.parametrize("location", ["MAIN|X", "P1@X", "A#B"])
def test_a_key_separator_in_an_identifier_is_refused(location):
    assert codes(judged(moved(movement(to_location=location)))) == {"IDENTIFIER_INVALID"}


def test_an_identifier_longer_than_every_key_allows_is_refused():
    assert judged(moved(movement(item_id="X" * 64))).ok
    assert codes(judged(moved(movement(item_id="X" * 65)))) == {"IDENTIFIER_INVALID"}


def test_an_id_padded_with_whitespace_has_the_same_idempotency_key_as_the_plain_id():
    plain, padded = judged(moved(message_id="wms-42")), judged(moved(message_id="  wms-42 \t"))
    assert padded.msg_key == plain.msg_key == "wms\x1fwms-42"
    assert padded.envelope.id == padded.message_id == "wms-42"


def test_a_nul_in_the_envelope_id_or_correlation_id_is_refused():
    assert codes(judged(moved(message_id="a\x00b"))) == {"IDENTIFIER_INVALID"}
    assert codes(judged(moved(correlationid="ECO\x00"))) == {"IDENTIFIER_INVALID"}


# --- envelope rules (item 13) ---

@pytest.mark.parametrize("version", ["", "0.3", "1.1", 1.0, None])
def test_an_empty_or_unknown_specversion_is_refused(version):
    assert codes(judged(moved(specversion=version))) == {"ENVELOPE_INVALID"}


def test_a_missing_specversion_is_refused():
    document = moved()
    del document["specversion"]
    assert codes(judged(document)) == {"MISSING_ATTRIBUTE"}


@pytest.mark.parametrize("when", [1_795_000_000, "1795000000", 1.5e9])
def test_a_numeric_time_is_not_read_as_unix_epoch(when):
    assert codes(judged(moved(time=when))) == {"ENVELOPE_INVALID"}


@pytest.mark.parametrize("sequence", [True, "5", 5.0, -1, 2**31])
def test_a_sequence_that_is_not_a_cloudevents_integer_is_refused(sequence):
    assert codes(judged(moved(sequence=sequence))) == {"ENVELOPE_INVALID"}


# --- oversized messages (item 11) ---

def test_an_oversized_message_keeps_a_bounded_prefix_and_its_hash():
    raw = json.dumps(moved(movement(reason="x" * 2000))) + " " * (LIMIT + 10)
    decoded = judged(raw)
    assert codes(decoded) == {"PAYLOAD_TOO_LARGE"}
    assert decoded.raw.startswith(raw[:KEPT_PREFIX_CHARS]) and len(decoded.raw) < KEPT_PREFIX_CHARS + 500
    assert hashlib.sha256(raw.encode()).hexdigest() in decoded.raw
    assert decoded.msg_key == judged(raw).msg_key, "sent again, it is the same message"


def test_oversized_bytes_are_measured_in_bytes():
    raw = json.dumps(moved(movement(reason="é" * 1000))).encode()
    assert codes(decode(raw, len(raw) - 1)) == {"PAYLOAD_TOO_LARGE"}


# --- property: any hostile value anywhere in an envelope ---

HOSTILE = NUMBER_TEXTS.map(lambda text: ("number", text)) | IDENTIFIER_TEXTS.map(lambda text: ("text", text)) \
    | TIMES.map(lambda value: ("value", value)) | DEEP_NESTING.map(lambda text: ("json", text))
PLACES = ["id", "source", "type", "time", "subject", "correlationid", "sequence", "specversion",
          "data.movement_id", "data.item_id", "data.qty", "data.plant_id", "data.to_location", "data.lot_id",
          "data.occurred_at", "data.reason", "data"]


def _placed(place: str, hostile: tuple[str, object]) -> str:
    """A valid movement envelope as JSON text with the hostile value at `place`."""
    kind, value = hostile
    document = moved()
    parent, name = (document["data"], place[5:]) if place.startswith("data.") else (document, place)
    parent[name] = "\x00HOSTILE\x00"
    literal = value if kind in ("number", "json") else json.dumps(value)
    return json.dumps(document).replace('"\\u0000HOSTILE\\u0000"', literal)


@settings(max_examples=300, deadline=None)
@given(place=st.sampled_from(PLACES), hostile=HOSTILE, clock=st.sampled_from([None, NOW]))
def test_any_hostile_value_anywhere_in_an_envelope_is_judged_with_a_code(place, hostile, clock):
    decoded = judged(_placed(place, hostile), now=clock)
    assert decoded.ok or decoded.findings
    if hostile[0] == "number" and place == "data.qty" and decoded.ok:
        assert abs(decoded.entity.qty) < Decimal("1e15")


@settings(max_examples=100, deadline=None)
@given(raw=st.text(st.characters(exclude_categories=()), max_size=300))
def test_any_text_at_all_is_judged_with_a_code(raw):
    judged(raw)
    judged(raw.encode("utf-8", "surrogatepass"))


def test_inventory_movement_model_refuses_what_the_envelope_refuses():
    with pytest.raises(ValueError):
        InventoryMovement.model_validate(movement(plant_id="P1|MAIN"))


def test_a_line_number_longer_than_edi_carries_is_refused():
    order = {"po_number": "45001", "supplier_id": "S1", "lines": [
        {"line_no": 10**12, "item_id": "BOLT", "qty": 1, "uom": "C62"}]}
    assert codes(judged(envelope("po.created", order, source="erp"))) == {"INVALID_FIELD"}
