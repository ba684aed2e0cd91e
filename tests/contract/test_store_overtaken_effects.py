"""The store's contract for effects that events overtake: a scheduled check cancelled because
what it watched for came in time never fires, and the open exceptions of a code on an entity
are closed when a late acknowledgement arrives. Memory, SQLite and PostgreSQL alike."""

from __future__ import annotations

import json

from tests.contract.store_rows import AT


def _schedule(store, key: str, due_at: float) -> None:
    with store.writing() as uow:
        uow.add_scheduled([{"due_at": due_at, "effect": json.dumps({"check": key}), "effect_key": key,
                            "correlation_id": None, "causation_id": None, "mapping_version": None, "at": AT}])


def _raise(store, entity_key: str, code: str, kind: str = "workflow") -> None:
    with store.writing() as uow:
        uow.add_exceptions([{"kind": kind, "msg_key": None, "source": None, "event_type": "scheduled",
                             "entity_key": entity_key, "codes": code, "reasons": "[]", "owner_role": "supply_chain",
                             "payload": None, "outbox_id": None, "at": AT, "correlation_id": None,
                             "causation_id": None, "mapping_version": None}])


def test_a_cancelled_check_never_fires_and_the_others_still_do(store):
    _schedule(store, "due:fa:SENTX:northfast|1", 100.0)
    _schedule(store, "due:fa:SENTX:northfast|2", 100.0)
    with store.writing() as uow:
        uow.cancel_scheduled(["due:fa:SENTX:northfast|1", "due:fa:never-scheduled"], AT)
    with store.reading() as read:
        assert read.scheduled_due(500.0) == 1, "the cancelled check is no longer due"
    with store.writing() as uow:
        due = uow.claim_scheduled(500.0, "w1", 30, 10)
    assert [s.effect_key for s in due] == ["due:fa:SENTX:northfast|2"]


def test_cancelling_a_check_that_already_fired_changes_nothing(store):
    _schedule(store, "due:ack:PO:1", 100.0)
    with store.writing() as uow:
        [effect] = uow.claim_scheduled(200.0, "w1", 30, 10)
        assert uow.fired([(effect.id, effect.fence)], "w1", AT) == {effect.id}
    with store.writing() as uow:
        uow.cancel_scheduled(["due:ack:PO:1"], AT)
        assert uow.claim_scheduled(900.0, "w1", 30, 10) == []


def test_a_late_acknowledgement_closes_only_the_open_exceptions_of_its_code_on_its_entity(store):
    _raise(store, "SENTX:northfast|1", "EDI_ACK_OVERDUE")
    _raise(store, "SENTX:northfast|1", "EDI_INTERCHANGE_REJECTED")
    _raise(store, "SENTX:northfast|2", "EDI_ACK_OVERDUE")
    _raise(store, "SENTX:northfast|1", "EDI_ACK_OVERDUE", kind="quarantine")
    with store.writing() as uow:
        uow.resolve_exceptions([{"entity_key": "SENTX:northfast|1", "code": "EDI_ACK_OVERDUE", "by": "pipeline",
                                 "note": "acknowledged late"}], "2026-11-23T10:00:00.000000Z")
    with store.reading() as read:
        rows = read.exceptions(status=None).rows
    left = sorted((r["entity_key"], r["codes"], r["kind"], r["status"]) for r in rows)
    assert left == [("SENTX:northfast|1", "EDI_ACK_OVERDUE", "quarantine", "open"),
                    ("SENTX:northfast|1", "EDI_ACK_OVERDUE", "workflow", "resolved"),
                    ("SENTX:northfast|1", "EDI_INTERCHANGE_REJECTED", "workflow", "open"),
                    ("SENTX:northfast|2", "EDI_ACK_OVERDUE", "workflow", "open")]
    closed = next(r for r in rows if r["status"] == "resolved")
    assert (closed["resolved_by"], closed["note"]) == ("pipeline", "acknowledged late")
