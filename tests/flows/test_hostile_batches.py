"""One hostile message in a batch of a thousand is quarantined with its code; the other 999 are
applied, on SQLite and on PostgreSQL alike, and running the same input again changes nothing."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfgsync.adapters.files import file_layout, read_messages
from mfgsync.rules.reasons import CATALOGUE
from tests.conftest import FakeClock
from tests.support.hostile import DEEP_NESTING, IDENTIFIER_TEXTS, NUMBER_TEXTS, TIMES
from tests.support.messages import envelope, item
from tests.support.state import entity


def good(n: int, prefix: str = "GOOD") -> list[str]:
    return [json.dumps(envelope("item.upserted", item(f"{prefix}-{i}"), message_id=f"plm-{prefix}-{i}"))
            for i in range(n)]


def hostile_item(replace: str = "", by: str = "", **fields) -> str:
    """An item upsert as JSON text, with `replace` swapped for `by` in its text (for values JSON
    cannot be given by json.dumps: enormous literals, lone surrogates, raw bytes)."""
    text = json.dumps(envelope("item.upserted", item("HOSTILE", **fields), message_id="plm-hostile"))
    return text.replace(replace, by, 1) if replace else text


def attribute(name: str, value) -> str:
    document = envelope("item.upserted", item("HOSTILE"), message_id="plm-hostile")
    document[name] = value
    return json.dumps(document)


HOSTILE_CLASSES = {
    "an enormous exponent": (hostile_item('"safety_stock": 0', '"safety_stock": 1e999999999', safety_stock=0),
                             "NUMBER_OUT_OF_RANGE"),
    "a tiny exponent": (hostile_item('"safety_stock": 0', '"safety_stock": 1e-999999999', safety_stock=0),
                        "NUMBER_OUT_OF_RANGE"),
    "an integer of 5000 digits": (hostile_item('"safety_stock": 0', '"safety_stock": ' + "9" * 5000, safety_stock=0),
                                  "NUMBER_OUT_OF_RANGE"),
    "NaN": (hostile_item('"safety_stock": 0', '"safety_stock": NaN', safety_stock=0), "MALFORMED_JSON"),
    "an enormous exponent as text": (hostile_item(safety_stock="1e999999999"), "NUMBER_OUT_OF_RANGE"),
    "a time whose UTC conversion overflows": (attribute("time", "9999-12-31T23:59:59-01:00"), "TIMESTAMP_OUT_OF_RANGE"),
    "a time before year 1 in UTC": (attribute("time", "0001-01-01T00:00:00+01:00"), "TIMESTAMP_OUT_OF_RANGE"),
    "the year 999": (attribute("time", "0999-01-01T00:00:00Z"), "TIMESTAMP_OUT_OF_RANGE"),
    "a time years ahead of the hub's clock": (attribute("time", "2099-01-01T00:00:00Z"), "TIMESTAMP_IN_FUTURE"),
    "a numeric time": (attribute("time", 1_795_000_000), "ENVELOPE_INVALID"),
    "a boolean sequence": (attribute("sequence", True), "ENVELOPE_INVALID"),
    "an empty specversion": (attribute("specversion", ""), "ENVELOPE_INVALID"),
    "a lone surrogate in id": (hostile_item('"plm-hostile"', '"\\ud800"'), "ENVELOPE_INVALID"),
    "a lone surrogate in type": (hostile_item('"item.upserted"', '"\\ud800"'), "UNKNOWN_EVENT_TYPE"),
    "a lone surrogate in an item id": (hostile_item('"HOSTILE"', '"\\udfffX"'), "IDENTIFIER_INVALID"),
    "NUL in an item id": (hostile_item('"HOSTILE"', '"HOST\\u0000ILE"'), "IDENTIFIER_INVALID"),
    # PostgreSQL text holds no NUL, so a raw one is read (and kept) as its escape: the same id.
    "a raw NUL byte": (hostile_item('"HOSTILE"', '"HOST\x00ILE"').encode(), "IDENTIFIER_INVALID"),
    "a control character in the message id": (hostile_item('"plm-hostile"', '"plm\\u001b[2J"'), "IDENTIFIER_INVALID"),
    "a key separator in an item id": (hostile_item('"HOSTILE"', '"HOST|ILE"'), "IDENTIFIER_INVALID"),
    "an item id longer than any key allows": (hostile_item('"HOSTILE"', '"' + "H" * 5000 + '"'), "IDENTIFIER_INVALID"),
    "deep nesting": ("[" * 100_000 + "]" * 100_000, "MALFORMED_JSON"),
    "an oversized message": (hostile_item(description="x" * (5 * 1024 * 1024)), "PAYLOAD_TOO_LARGE"),
}


@pytest.mark.parametrize("hostile_class", HOSTILE_CLASSES)
def test_one_hostile_message_among_a_thousand_is_quarantined_and_the_other_999_applied(make_hub, hostile_class):
    raw, code = HOSTILE_CLASSES[hostile_class]
    hub = make_hub()
    messages = good(999)
    messages.insert(500, raw)
    report = hub.intake.ingest(messages)
    assert (report.accepted, report.quarantined, dict(report.by_reason)) == (999, 1, {code: 1}), report.to_json()
    assert entity(hub, "ITEM:GOOD-998") is not None and entity(hub, "ITEM:HOSTILE") is None
    again = hub.intake.ingest(messages)
    assert (again.duplicates, again.accepted) == (1000, 0), "a second run of the same input changes nothing"


def test_a_time_in_2099_is_quarantined_and_does_not_freeze_the_entity(make_hub):
    clock = FakeClock(1_795_000_000.0)  # 2026-11-18T11:06:40Z
    hub = make_hub(clock=clock)
    ahead = envelope("item.upserted", item("PMP-300", "from a clock in 2099"), time="2099-01-01T00:00:00Z")
    assert dict(hub.intake.ingest([ahead]).by_reason) == {"TIMESTAMP_IN_FUTURE": 1}
    now = envelope("item.upserted", item("PMP-300", "real update"), time="2026-11-18T11:06:00Z")
    assert hub.intake.ingest([now]).accepted == 1, "a real update after it is not stale"
    clock.advance(-200)  # a sender 160 s ahead of the hub is within the default window of 300 s
    within = envelope("item.upserted", item("PMP-301"), time="2026-11-18T11:06:00Z")
    assert hub.intake.ingest([within]).accepted == 1


def test_an_id_padded_with_whitespace_is_a_duplicate_of_the_plain_id(make_hub):
    hub = make_hub()
    plain = envelope("item.upserted", item("PMP-100"), message_id="plm-77")
    assert hub.intake.ingest([json.dumps(plain)]).accepted == 1
    padded = {**plain, "id": "  plm-77\t", "data": item("PMP-100", "changed under the same id")}
    assert hub.intake.ingest([json.dumps(padded)]).accepted == 0
    assert entity(hub, "ITEM:PMP-100")["description"] == "item PMP-100"


def test_a_pretty_printed_envelope_file_is_ingested_as_one_message(make_hub, tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(envelope("item.upserted", item("PMP-200")), indent=2))
    assert file_layout(path) == "json-document"
    report = make_hub().intake.ingest(read_messages(path))
    assert (report.accepted, report.quarantined) == (1, 0)


def test_a_deeply_nested_array_file_is_one_quarantine_and_its_neighbours_are_applied(make_hub, tmp_path):
    path = tmp_path / "many.json"
    first, second = good(2, "ARR")
    path.write_text(f"[{first},\r\n{'[' * 1000 + ']' * 1000},\r{second}]")
    report = make_hub().intake.ingest(read_messages(path))
    assert (report.accepted, report.quarantined, dict(report.by_reason)) == (2, 1, {"MALFORMED_JSON": 1})


PLACES = ["id", "source", "type", "time", "subject", "correlationid", "sequence", "specversion",
          "data.item_id", "data.description", "data.revision", "data.safety_stock", "data.lead_time_days", "data"]
HOSTILE = NUMBER_TEXTS.map(lambda text: ("literal", text)) | IDENTIFIER_TEXTS.map(lambda text: ("value", text)) \
    | TIMES.map(lambda value: ("value", value)) | DEEP_NESTING.map(lambda text: ("literal", text))


def placed(place: str, hostile: tuple[str, object], item_id: str) -> str:
    kind, value = hostile
    document = envelope("item.upserted", item(item_id), message_id=f"plm-{item_id}")
    parent, name = (document["data"], place[5:]) if place.startswith("data.") else (document, place)
    parent[name] = "\x00HOSTILE\x00"
    return json.dumps(document).replace('"\\u0000HOSTILE\\u0000"', value if kind == "literal" else json.dumps(value))


@pytest.fixture
def hub(make_hub):
    return make_hub()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(place=st.sampled_from(PLACES), hostile=HOSTILE)
def test_any_hostile_value_anywhere_is_accounted_for_and_loses_no_neighbour(hub, place, hostile):
    run = uuid.uuid4().hex[:8]
    neighbours = good(4, run)
    batch = neighbours[:2] + [placed(place, hostile, f"H-{run}")] + neighbours[2:]
    report = hub.intake.ingest(batch)
    assert report.total == 5 and report.accepted >= 4, report.to_json()
    assert set(report.by_reason) <= set(CATALOGUE)
    assert all(entity(hub, f"ITEM:{run}-{i}") is not None for i in range(4))
