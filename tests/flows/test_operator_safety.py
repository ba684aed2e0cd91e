"""What operators may do to exceptions, and what the hub keeps of it: approval judged on what is
applied, four eyes that are really two people, owner roles, and replays that keep their evidence.
Also: entity keys that never collide and staleness judged on values, through the hub."""

from __future__ import annotations

import json

import pytest

from mfgsync.connectors.memory import MemoryConnector
from mfgsync.pipeline.exception_queue import Actor, ExceptionError, NotPermitted

from tests.support.messages import bom, envelope, item
from tests.support.state import balance, entity

SENSITIVE = "approval_required: [po.created]"
ADMIN = Actor("ops1", "admin")


def _audit(hub, action: str) -> list[dict]:
    with hub.store.reading() as read:
        return [json.loads(row[5]) for row in read.audit_rows() if row[3] == action]


def _bolts_order() -> dict:
    return envelope("po.created", {"po_number": "4500099999", "supplier_id": "S1", "lines": [
        {"line_no": 10, "item_id": "BOLT", "qty": 99999, "uom": "C62"}]}, source="erp")


def _with_reference_data(hub) -> None:
    hub.intake.ingest([envelope("item.upserted", item("BOLT", "Bolt")),
                       envelope("supplier.upserted", {"supplier_id": "S1", "name": "Northfast"}, source="erp")])


def _quarantined_bom(hub) -> dict:
    """A BOM with a zero quantity, quarantined for engineering."""
    hub.intake.ingest([envelope("item.upserted", item("PMP-100", "Pump")), envelope("item.upserted", item("BOLT")),
                       envelope("bom.released", bom("PMP-100", "A", {"BOLT": 0}))])
    [exception] = hub.exceptions.list(code="QTY_PER_NOT_POSITIVE")
    return exception


# --- item 8: approval cannot be bypassed ---


def test_a_sensitive_replacement_for_an_unreadable_message_waits_for_a_second_person(make_hub):
    hub = make_hub(SENSITIVE)
    _with_reference_data(hub)
    hub.intake.ingest(["{not json"])
    [garbage] = hub.exceptions.list(code="MALFORMED_JSON")
    outcome = hub.exceptions.replay(garbage["id"], ADMIN, _bolts_order())
    assert outcome.status == "pending_approval", "the replacement's type decides approval"
    assert entity(hub, "PO:4500099999") is None, "nothing is applied before a second person approves"
    assert hub.exceptions.get(garbage["id"])["status"] == "pending_approval", "the exception is not closed"
    assert hub.exceptions.approve(garbage["id"], Actor("lead2", "admin")).detail == "applied"
    assert entity(hub, "PO:4500099999")["lines"][0]["qty"] == 99999


def test_a_replacement_of_another_type_is_refused_not_applied(make_hub):
    hub = make_hub(SENSITIVE)
    _with_reference_data(hub)
    exception = _quarantined_bom(hub)
    replacement = {**_bolts_order(), "source": "plm", "id": json.loads(exception["payload"])["id"]}
    with pytest.raises(ExceptionError, match="keep the original's type"):
        hub.exceptions.replay(exception["id"], ADMIN, replacement)
    after = hub.exceptions.get(exception["id"])
    assert (after["status"], after["payload"], after["original_payload"]) == \
        ("open", exception["payload"], None), "a refused correction changes nothing"
    assert entity(hub, "PO:4500099999") is None


def test_a_replacement_under_another_source_or_id_is_refused(make_hub):
    hub = make_hub()
    exception = _quarantined_bom(hub)
    original = json.loads(exception["payload"])
    for changed in ({"source": "erp"}, {"id": "plm-other"}):
        with pytest.raises(ExceptionError, match="keep the original's"):
            hub.exceptions.replay(exception["id"], ADMIN, {**original, **changed})
    assert hub.exceptions.get(exception["id"])["status"] == "open"


def test_four_eyes_compare_names_case_insensitively(make_hub):
    hub = make_hub(SENSITIVE)
    _with_reference_data(hub)
    hub.intake.ingest(["{not json"])
    [garbage] = hub.exceptions.list(code="MALFORMED_JSON")
    hub.exceptions.replay(garbage["id"], Actor("buyer1", "admin"), _bolts_order())
    with pytest.raises(NotPermitted) as refused:
        hub.exceptions.approve(garbage["id"], Actor("Buyer1", "admin"))
    assert refused.value.code == "NOT_PERMITTED"
    assert entity(hub, "PO:4500099999") is None and hub.exceptions.get(garbage["id"])["status"] == "pending_approval"


def test_a_role_that_does_not_own_an_exception_can_neither_resolve_nor_replay_it(make_hub):
    hub = make_hub()
    exception = _quarantined_bom(hub)
    warehouse = Actor("wh1", "warehouse")
    for act in (lambda: hub.exceptions.resolve(exception["id"], warehouse, "not mine"),
                lambda: hub.exceptions.replay(exception["id"], warehouse),
                lambda: hub.exceptions.replay(exception["id"], warehouse, bom("PMP-100", "A", {"BOLT": 8}))):
        with pytest.raises(NotPermitted) as refused:
            act()
        assert refused.value.code == "NOT_PERMITTED"
    after = hub.exceptions.get(exception["id"])
    assert (after["status"], after["payload"]) == ("open", exception["payload"])
    assert hub.exceptions.replay(exception["id"], Actor("eng1", "engineering"),
                                 bom("PMP-100", "A", {"BOLT": 8})).detail == "applied", "the owner role may"


# --- item 9: a replay keeps its evidence ---


def test_a_corrected_replay_keeps_the_original_and_audits_what_changed(make_hub):
    hub = make_hub()
    exception = _quarantined_bom(hub)
    hub.exceptions.replay(exception["id"], Actor("eng1", "engineering"), bom("PMP-100", "A", {"BOLT": 8}))
    after = hub.exceptions.get(exception["id"])
    assert after["original_payload"] == exception["payload"], "the original is kept beside the correction"
    assert json.loads(after["payload"])["data"]["lines"][0]["qty_per"] == 8
    [replayed] = _audit(hub, "exception.replayed")
    assert replayed["changes"] == [{"path": "$.data.lines[0].qty_per", "old": 0, "new": 8}]


def test_a_replay_waiting_for_approval_audits_what_the_correction_changes(make_hub):
    hub = make_hub(SENSITIVE)
    _with_reference_data(hub)
    hub.intake.ingest(["{not json"])
    [garbage] = hub.exceptions.list(code="MALFORMED_JSON")
    hub.exceptions.replay(garbage["id"], ADMIN, _bolts_order())
    [requested] = _audit(hub, "exception.replay_requested")
    [change] = requested["changes"]
    assert (change["path"], change["old"]) == ("$", "{not json"), "an unreadable original is replaced whole"
    assert "po.created" in change["new"] and change["new"].endswith("…"), "the replacement, cut to a line"


def test_the_audited_diff_of_a_large_correction_is_bounded(make_hub):
    hub = make_hub()
    hub.intake.ingest([envelope("item.upserted", item("PMP-100", "Pump", no_such_field="x"))])
    [exception] = hub.exceptions.list(code="UNKNOWN_FIELD")
    fields = {f"note_{n:02d}": "y" * 500 for n in range(30)}
    hub.exceptions.replay(exception["id"], ADMIN, item("PMP-100", "Pump", **fields))
    [audited] = _audit(hub, "exception.replay_failed")
    assert len(audited["changes"]) == 20 and audited["changes_omitted"] == 11, "31 differ: 30 notes, 1 field"
    assert all(len(json.dumps(c)) < 300 for c in audited["changes"]), "long values are cut"


def test_a_dead_letter_takes_no_correction(make_hub):
    rejecting = MemoryConnector(always_fail=True, permanent=True)
    hub = make_hub("systems: {erp: {kind: memory}}\nsubscriptions: {item.upserted: [erp]}",
                   connectors={"erp": rejecting})
    hub.intake.ingest([envelope("item.upserted", item("PMP-100", "Pump"))])
    hub.worker.run_until_idle()
    [dead] = hub.exceptions.list(kind="dead_letter")
    with pytest.raises(ExceptionError, match="takes no correction"):
        hub.exceptions.replay(dead["id"], ADMIN, item("PMP-100", "Something else"))
    assert hub.exceptions.get(dead["id"])["original_payload"] is None


# --- item 4: entity keys never collide ---


def _receipt(location: str, plant: str, qty: int = 5, kind: str = "receipt") -> dict:
    side = "to_location" if kind == "receipt" else "from_location"
    return envelope("inventory.moved", {"movement_id": f"M-{kind}-{plant}-{location}", "kind": kind,
                                        "item_id": "BOLT", "qty": qty, "uom": "C62", "plant_id": plant,
                                        side: location}, source="wms")


def test_identifiers_holding_a_key_separator_are_refused_so_two_balances_never_share_a_key(make_hub):
    hub = make_hub()
    hub.intake.ingest([envelope("item.upserted", item("BOLT"))])
    report = hub.intake.ingest([_receipt("MAIN|X", "P1"), _receipt("X", "P1|MAIN", 3, kind="issue")])
    assert (report.quarantined, report.by_reason) == (2, {"IDENTIFIER_INVALID": 2})
    assert balance(hub, "BOLT", "P1", "MAIN|X") is None and balance(hub, "BOLT", "P1|MAIN", "X") is None
    hub.intake.ingest([_receipt("X", "P1", 5)])
    assert balance(hub, "BOLT", "P1", "X") == 5


# --- item 5: staleness is judged on values ---


def _description(hub, *updates: dict) -> str:
    hub.intake.ingest(list(updates))
    return entity(hub, "ITEM:PMP-100")["description"]


@pytest.mark.parametrize("order", ["old first", "new first"])
def test_an_update_from_1901_is_older_than_one_from_2026_in_either_arrival_order(make_hub, order):
    old = envelope("item.upserted", item("PMP-100", "1901"), time="1901-06-01T00:00:00Z")
    new = envelope("item.upserted", item("PMP-100", "2026"), time="2026-06-01T00:00:00Z")
    assert _description(make_hub(), *([old, new] if order == "old first" else [new, old])) == "2026"


@pytest.mark.parametrize("order", ["9 first", "10 first"])
def test_sequence_10_is_newer_than_9_at_the_same_time_in_either_arrival_order(make_hub, order):
    nine = envelope("item.upserted", item("PMP-100", "nine"), sequence=9)
    ten = envelope("item.upserted", item("PMP-100", "ten"), sequence=10)
    assert _description(make_hub(), *([nine, ten] if order == "9 first" else [ten, nine])) == "ten"


# --- item 17: exceptions are listed a page at a time ---


def test_600_exceptions_are_listed_a_page_at_a_time_and_each_page_says_whether_more_follow(make_hub):
    hub = make_hub()
    hub.intake.ingest([f"not json {n}" for n in range(600)])
    pages = [hub.exceptions.page(limit=100)]
    while pages[-1].more:
        pages.append(hub.exceptions.page(after_id=pages[-1].next_after, limit=250))
    assert [len(p.rows) for p in pages] == [100, 250, 250] and pages[-1].next_after is None
    ids = [row["id"] for page in pages for row in page.rows]
    assert ids == sorted(set(ids)), "each page continues where the last ended, nothing twice"


def test_a_correction_waiting_for_approval_cannot_be_swapped_by_another_replay(make_hub):
    from mfgsync.pipeline.exception_queue import Actor, ExceptionError
    hub = make_hub("approval_required: [po.created]")
    hub.intake.ingest(['{"id": "broken-1", "source": "erp", "type": "po.created"'])
    [exception] = hub.exceptions.list()
    order = {"specversion": "1.0", "id": "po-9", "source": "erp", "type": "po.created", "time": "2026-11-22T10:00:00Z",
             "data": {"po_number": "PO-9", "supplier_id": "NORTHFAST", "status": "approved",
                      "lines": [{"line_no": 1, "item_id": "BOLT", "qty": 10, "uom": "C62"}]}}
    buyer = Actor("buyer1", "admin")
    assert hub.exceptions.replay(exception["id"], buyer, order).status == "pending_approval"
    with pytest.raises(ExceptionError, match="waits for approval"):
        hub.exceptions.replay(exception["id"], buyer, {**order, "data": {**order["data"], "po_number": "PO-99999"}})
    assert '"PO-9"' in hub.exceptions.get(exception["id"])["payload"], "what waits is what was asked for"
