"""Whatever a partner's file or a platform's call holds — cut short, garbled, repeated, oversized,
signed wrong — the hub keeps it or refuses it with a reason code, never crashes, and never
applies part of an interchange it refused. On SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfgsync.rules.reasons import CATALOGUE
from tests.conftest import FakeClock
from tests.support.messages import envelope
from tests.support.suppliers import (T0, DAY, EdiPartner, Platform, acknowledgement, at, open_hub, order,
                                     plant_messages)


@pytest.fixture
def hub(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("PROCURE_SECRET", "platform-shared-secret")
    clock = FakeClock(T0.timestamp() + DAY)
    opened = open_hub(tmp_path, database_url, clock)
    opened.intake.ingest(plant_messages("northfast") + plant_messages("procure")[-1:])
    opened.intake.ingest([envelope("po.created", order("4500000001", "northfast"), source="erp", time=at(0)),
                          envelope("po.created", order("4500000002", "procure"), source="erp", time=at(0))])
    yield opened
    opened.close()


def _damaged(text: str):
    return st.one_of(
        st.integers(0, len(text)).map(lambda cut: text[:cut]),
        st.tuples(st.integers(0, len(text) - 1), st.characters()).map(lambda p: text[:p[0]] + p[1] + text[p[0] + 1:]),
        st.tuples(st.integers(0, len(text)), st.text(max_size=30)).map(lambda p: text[:p[0]] + p[1] + text[p[0]:]),
        st.just(text + text), st.just("\x00" * 100 + text), st.binary(max_size=300).map(lambda b: b.decode("latin-1")))


def test_a_partner_file_of_nothing_but_control_characters_is_quarantined_whole_on_either_store(hub):
    """PostgreSQL text holds no NUL: the file is kept with it escaped, as every raw message is."""
    supplier = EdiPartner(hub, "northfast", "x12", "ACMEMFG", "NORTHFAST")
    report = supplier.receive("\x00\x01\x00")
    assert (report.quarantined, set(report.by_reason)) == (1, {"FORMAT_UNKNOWN"})
    [kept] = hub.exceptions.list(kind="quarantine")
    assert kept["source"] == "northfast"


def _po(hub, number):
    with hub.store.reading() as read:
        return read.entity(f"PO:{number}")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_damaged_partner_file_is_kept_or_refused_with_a_code_and_never_half_applied(hub, data):
    supplier = EdiPartner(hub, "northfast", "x12", "ACMEMFG", "NORTHFAST")
    sound = supplier.document("855", acknowledgement("4500000001", "ACK-H"), control_number=4242)
    text = data.draw(_damaged(sound))
    before = _po(hub, "4500000001")
    report = supplier.receive(text)
    assert report.total >= 1, "every file leaves a trace: applied, duplicate or quarantined"
    assert set(report.by_reason) <= set(CATALOGUE)
    with hub.store.reading() as read:
        acknowledged = [a for a in read.entities_of_type("po_ack") if a["po_number"] == "4500000001"]
    if not acknowledged:
        assert _po(hub, "4500000001") == before, "an acknowledgement not applied changed nothing of its order"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.binary(max_size=400), st.just(b"[" * 5000 + b"]" * 5000),
                      st.just(json.dumps({"events": [{"id": "x", "type": "po.acknowledged", "data": {}}]}).encode())),
       timestamp=st.one_of(st.just("1795000000"), st.text(max_size=14), st.just("9" * 40)),
       signature=st.one_of(st.just("sha256=" + "0" * 64), st.text(max_size=80)))
def test_a_hostile_webhook_call_is_refused_with_a_code_and_audited(hub, body, timestamp, signature):
    partner = hub.settings.systems["procure"]
    from mfgsync.pipeline.supplier_webhooks import receive_call

    outcome = receive_call(hub.intake, hub.store, partner, {"X-Mfgsync-Timestamp": timestamp,
                                                            "X-Mfgsync-Signature": signature}, body)
    assert not outcome.accepted and outcome.code in CATALOGUE
    assert _po(hub, "4500000002")["lines"][0]["status"] == "open"


def test_a_signed_call_with_unreadable_events_is_refused_and_a_sound_one_applied(hub):
    bad = Platform.call(hub, [{"id": "evt-9", "type": "po.shipped", "data": {}}])
    assert (bad.accepted, bad.code) == (False, "INVALID_FIELD")
    broken = Platform.call(hub, [{"id": "evt-10", "type": "po.acknowledged", "data": {"po_number": "4500000002"}}])
    assert broken.accepted and broken.report.quarantined == 1, "a readable call whose event breaks the model is kept"
    good = Platform.call(hub, [{"id": "evt-11", "type": "po.acknowledged",
                                "data": acknowledgement("4500000002", "ACK-W")}])
    assert good.accepted and _po(hub, "4500000002")["status"] == "acknowledged"
