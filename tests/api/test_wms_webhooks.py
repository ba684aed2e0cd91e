"""The warehouse's own records over its signed webhook: receipts, put-away, picks, counts, lot and
status changes and snapshots land in the ledger; a forged or stale signature moves nothing; a
record the hub cannot read is quarantined beside its good neighbours."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfgsync.adapters import wms
from mfgsync.connectors.webhook import sign
from tests.api.conftest import make_api
from tests.conftest import FakeClock
from tests.support.messages import envelope, item
from tests.support.state import balance

SECRET = "wms-webhook-secret-for-tests"
CONFIG = "systems: {wms: {kind: source, secret_env: MFGSYNC_TEST_WMS_SECRET}}"


@pytest.fixture
def api(make_hub, monkeypatch):
    monkeypatch.setenv("MFGSYNC_TEST_WMS_SECRET", SECRET)
    clock = FakeClock()
    api = make_api(make_hub(CONFIG, clock=clock), clock)
    api.hub.intake.ingest([envelope("item.upserted", item("BOLT")), envelope("item.upserted", item("SEAL"))])
    return api


def _post(api, records, secret: str = SECRET, age: float = 0):
    body = json.dumps(records).encode()
    timestamp = str(int(api.clock() - age))
    headers = {"X-Mfgsync-Timestamp": timestamp, "X-Mfgsync-Signature": sign(secret, timestamp, body),
               "Authorization": f"Bearer {api.keys['admin']}"}
    return api.client.post("/api/v1/wms/wms", content=body, headers=headers)


def _txn(txn_id: str, kind: str, **fields):
    return {"txn_id": txn_id, "type": kind, "site": "P1", "sku": "BOLT", "unit": "EA",
            "at": f"2026-11-22T10:{len(txn_id):02d}:00Z", **fields}


def test_a_day_of_warehouse_transactions_lands_in_the_ledger_in_the_right_places(api):
    response = _post(api, [
        _txn("T1", "receipt", qty=100, to_loc="DOCK", lot="L1"),
        _txn("T2", "putaway", qty=100, from_loc="DOCK", to_loc="A-01", lot="L1"),
        _txn("T3", "pick", qty=30, from_loc="A-01", to_loc="STAGE", lot="L1"),
        _txn("T4", "issue", qty=10, from_loc="STAGE", lot="L1"),
        _txn("T5", "adjustment", qty=-2, loc="A-01", lot="L1"),
        _txn("T6", "lot_change", qty=8, loc="A-01", lot="L1", new_lot="L1B"),
        _txn("T7", "cycle_count", counted=19, loc="STAGE", lot="L1")])
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 8 and response.json()["quarantined"] == 0
    assert balance(api.hub, "BOLT", "P1", "DOCK", "L1") == 0
    assert balance(api.hub, "BOLT", "P1", "A-01", "L1") == 100 - 30 - 2 - 8
    assert balance(api.hub, "BOLT", "P1", "A-01", "L1B") == 8
    assert balance(api.hub, "BOLT", "P1", "STAGE", "L1") == 19, "the count replaces the booked 20"


def test_a_status_change_blocks_a_lot_and_its_release_frees_it(api):
    _post(api, [_txn("T1", "receipt", qty=40, to_loc="A-01", lot="L9"),
                _txn("T2", "status_change", status="blocked", lot="L9", reason="supplier recall")])
    assert balance(api.hub, "BOLT", "P1", "A-01", "L9", "quality_hold") == 40
    _post(api, [_txn("T33", "status_change", status="released", lot="L9")])
    assert balance(api.hub, "BOLT", "P1", "A-01", "L9") == 40


def test_a_periodic_snapshot_sets_the_counted_balances(api):
    response = _post(api, {"snapshot_id": "SNAP-0600", "type": "snapshot", "site": "P1", "at": "2026-11-22T06:00:00Z",
                           "balances": [{"sku": "SEAL", "loc": "B-02", "qty": 55, "unit": "EA"},
                                        {"sku": "BOLT", "loc": "B-02", "lot": "L3", "qty": 7, "unit": "EA",
                                         "status": "blocked"}]})
    assert response.json()["accepted"] == 1
    assert balance(api.hub, "SEAL", "P1", "B-02") == 55
    assert balance(api.hub, "BOLT", "P1", "B-02", "L3", "quality_hold") == 7


def test_a_forged_or_stale_signature_moves_nothing(api):
    forged = _post(api, [_txn("T1", "receipt", qty=100, to_loc="DOCK")], secret="guessed")
    stale = _post(api, [_txn("T1", "receipt", qty=100, to_loc="DOCK")], age=3600)
    assert (forged.status_code, stale.status_code) == (401, 401)
    assert forged.json()["code"] == "SIGNATURE_INVALID"
    assert balance(api.hub, "BOLT", "P1", "DOCK") is None


def test_a_record_the_hub_cannot_read_is_quarantined_and_its_neighbours_are_applied(api):
    response = _post(api, [_txn("T1", "receipt", qty=5, to_loc="DOCK"), {"txn_id": "T2", "type": "teleport"},
                           "not a record", _txn("T3", "receipt", qty="lots", to_loc="DOCK")])
    assert (response.json()["accepted"], response.json()["quarantined"]) == (1, 3)
    assert balance(api.hub, "BOLT", "P1", "DOCK") == 5
    assert {tuple(e["codes"]) for e in api.hub.exceptions.list()} == {("WMS_RECORD_INVALID",), ("INVALID_FIELD",)}


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
                     max_leaves=25)
_records = st.fixed_dictionaries({"txn_id": st.text(max_size=70), "type": st.sampled_from(
    ["receipt", "putaway", "transfer", "pick", "issue", "adjustment", "cycle_count", "lot_change", "status_change",
     "snapshot", "bogus"])}, optional={"site": _json, "sku": _json, "qty": _json, "unit": _json, "lot": _json,
                                       "at": _json, "balances": _json, "status": _json, "new_lot": _json})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(_records, st.lists(_records, max_size=4), _json, st.binary(max_size=200).map(bytes.hex)))
def test_any_body_translates_to_envelopes_or_judged_quarantines_never_a_crash(body):
    text = body if isinstance(body, str) else json.dumps(body)
    for message in wms.envelopes(text.encode()):
        assert isinstance(message, dict) or message.findings[0].code == "WMS_RECORD_INVALID"


def test_truncated_and_oversized_bodies_are_refused_whole():
    assert wms.envelopes(b'[{"txn_id": "T1", "type": "rec')[0].findings[0].code == "WMS_RECORD_INVALID"
    too_many = json.dumps([{"txn_id": str(n), "type": "receipt"} for n in range(wms.MAX_RECORDS + 1)])
    [refused] = wms.envelopes(too_many.encode())
    assert refused.findings[0].code == "WMS_RECORD_INVALID" and len(refused.raw) < len(too_many)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(records=st.lists(st.one_of(_records, _json), max_size=5))
def test_any_signed_body_is_answered_and_every_record_accounted_for_on_the_store(api, records):
    response = _post(api, records)
    assert response.status_code == 200, response.text
    counts = response.json()
    assert counts["total"] == len(wms.envelopes(json.dumps(records).encode())), "every record is accounted for"
    assert counts["accepted"] + counts["duplicates"] + counts["stale"] + counts["quarantined"] == counts["total"]
