"""Whatever arrives, the pipeline accepts it or quarantines it with a reason — it never raises."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfgsync.adapters.decode import KEPT_PREFIX_CHARS
from mfgsync.app import build_hub
from mfgsync.config import parse_settings
from mfgsync.rules.reasons import CATALOGUE
from tests.conftest import FakeClock
from tests.support.messages import bom, envelope, item

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)

VALID = [
    envelope("item.upserted", item("PMP-100", "Pump")),
    envelope("bom.released", bom("PMP-100", "A", {"BOLT": 4})),
    envelope("inventory.moved", {"movement_id": "M1", "kind": "receipt", "item_id": "BOLT", "qty": 3,
                                 "uom": "C62", "plant_id": "P1", "to_location": "A1"}, source="wms"),
    envelope("po.created", {"po_number": "45001", "supplier_id": "S1", "status": "draft",
                            "lines": [{"line_no": 1, "item_id": "BOLT", "qty": 10, "uom": "EA"}]}, source="erp"),
]


def _mutations(document: dict):
    """A valid envelope with one part removed, replaced or added, anywhere in it."""
    paths = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                paths.append(path + (key,))
                walk(value, path + (key,))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                paths.append(path + (index,))
                walk(value, path + (index,))

    walk(document, ())

    @st.composite
    def mutate(draw):
        doc = json.loads(json.dumps(document))
        path = draw(st.sampled_from(paths))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["delete", "replace", "add"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(json_values)
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=10))] = draw(json_values)
        return doc

    return mutate()


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    folder = tmp_path_factory.mktemp("properties")
    hub = build_hub(parse_settings("systems: {erp: {kind: memory}}\nsubscriptions: {item.upserted: [erp]}"),
                    f"sqlite:///{folder}/hub.db", clock=FakeClock())
    hub.intake.ingest(VALID)
    yield hub
    hub.close()


def _assert_accounted_for(hub, raw) -> None:
    report = hub.intake.ingest([raw])
    assert report.total == 1
    if report.quarantined:
        assert report.by_reason and set(report.by_reason) <= set(CATALOGUE)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=json_values)
def test_any_json_document_is_accepted_or_quarantined_with_a_reason(hub, document):
    _assert_accounted_for(hub, json.dumps(document))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200))
def test_any_bytes_are_accepted_or_quarantined_with_a_reason(hub, raw):
    _assert_accounted_for(hub, raw)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_mutation_of_a_valid_envelope_is_accepted_or_quarantined_with_a_reason(hub, data):
    original = data.draw(st.sampled_from(VALID))
    mutated = data.draw(_mutations(original))
    mutated["id"] = data.draw(st.uuids()).hex if isinstance(mutated, dict) and data.draw(st.booleans()) \
        else mutated.get("id")
    _assert_accounted_for(hub, json.dumps(mutated))


def test_a_message_over_the_size_limit_is_quarantined_with_a_bounded_prefix_and_its_hash(hub):
    raw = json.dumps(envelope("item.upserted", item("BIG", "x" * (5 * 1024 * 1024))))
    report = hub.intake.ingest([raw])
    assert report.by_reason == {"PAYLOAD_TOO_LARGE": 1}
    [row] = hub.exceptions.list(code="PAYLOAD_TOO_LARGE")
    payload = hub.exceptions.get(row["id"])["payload"]
    assert payload.startswith(raw[:KEPT_PREFIX_CHARS]) and len(payload) < KEPT_PREFIX_CHARS + 500
    assert hashlib.sha256(raw.encode()).hexdigest() in payload, "the hash still identifies the original"
    assert hub.intake.ingest([raw]).duplicates == 1, "sent again, it is the same message"


def test_deeply_nested_json_is_quarantined_not_a_crash(hub):
    report = hub.intake.ingest(["[" * 100_000 + "]" * 100_000])
    assert report.quarantined == 1
