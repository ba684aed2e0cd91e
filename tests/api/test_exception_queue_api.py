"""The exception queue over HTTP keeps the queue's rules: its owner role or an admin acts on an
exception, a person lists their own role's, a correction keeps the original beside it, and a
sensitive replay waits for a second person."""

from __future__ import annotations

from tests.support.messages import bom, envelope, item


def _engineering_exception(api) -> int:
    api.hub.intake.ingest([envelope("item.upserted", item("PMP-100")),
                           envelope("bom.released", bom("PMP-100", "A", {"GHOST": 1}), message_id="plm-bom-1")])
    [row] = api.hub.exceptions.list()
    return row["id"]


def test_a_person_lists_only_their_own_roles_exceptions(api):
    _engineering_exception(api)
    mine = api.client.get("/api/v1/exceptions", headers=api.as_("engineering")).json()
    assert [x["owner_role"] for x in mine["exceptions"]] == ["engineering"] and mine["more"] is False
    assert "payload" not in mine["exceptions"][0]
    assert api.client.get("/api/v1/exceptions", headers=api.as_("planner")).json()["exceptions"] == []
    asked = api.client.get("/api/v1/exceptions?role=engineering", headers=api.as_("planner"))
    assert asked.status_code == 403
    everyone = api.client.get("/api/v1/exceptions?code=COMPONENT_UNKNOWN", headers=api.as_("admin")).json()
    assert len(everyone["exceptions"]) == 1


def test_exceptions_filter_by_age(api):
    _engineering_exception(api)
    assert len(api.client.get("/api/v1/exceptions?older_than_seconds=0", headers=api.as_("admin")).json()[
        "exceptions"]) == 1
    api.clock.advance(7200)
    young = api.client.get("/api/v1/exceptions?older_than_seconds=86400", headers=api.as_("admin")).json()
    assert young["exceptions"] == []


def test_an_engineer_edits_and_replays_a_quarantined_bom_and_it_leaves_the_queue(api):
    exception_id = _engineering_exception(api)
    api.hub.intake.ingest([envelope("item.upserted", item("SEAL-40"))])
    fixed = bom("PMP-100", "A", {"SEAL-40": 2})
    response = api.client.post(f"/api/v1/exceptions/{exception_id}/replay", headers=api.as_("engineering"),
                               json={"data": fixed})
    assert response.json() == {"id": exception_id, "status": "replayed", "detail": "applied"}
    shown = api.client.get(f"/api/v1/exceptions/{exception_id}", headers=api.as_("engineering")).json()
    assert "GHOST" in shown["original_payload"] and "SEAL-40" in shown["payload"]
    assert api.client.get("/api/v1/exceptions", headers=api.as_("engineering")).json()["exceptions"] == []
    again = api.client.post(f"/api/v1/exceptions/{exception_id}/resolve", headers=api.as_("engineering"), json={})
    assert (again.status_code, again.json()["code"]) == (409, "EXCEPTION_STATE")


def test_a_replay_that_still_breaks_a_rule_stays_open_with_the_new_reason(api):
    exception_id = _engineering_exception(api)
    response = api.client.post(f"/api/v1/exceptions/{exception_id}/replay", headers=api.as_("engineering"),
                               json={"data": bom("PMP-100", "A", {"OTHER-GHOST": 1})})
    assert response.json()["status"] == "open" and "OTHER-GHOST" in response.json()["detail"]


def test_a_correction_that_changes_the_message_id_is_refused(api):
    exception_id = _engineering_exception(api)
    forged = envelope("bom.released", bom("PMP-100", "A", {"PMP-100": 1}), message_id="plm-other")
    response = api.client.post(f"/api/v1/exceptions/{exception_id}/replay", headers=api.as_("admin"),
                               json={"data": forged})
    assert response.status_code == 409 and "id" in response.json()["detail"]


def test_a_sensitive_replay_waits_for_a_second_person_who_is_not_the_requester(api):
    api.hub.intake.ingest([envelope("po.created", {"po_number": "4500000001", "supplier_id": "NOBODY",
                                                   "status": "approved", "lines": []}, source="erp")])
    [row] = api.hub.exceptions.list()
    path = f"/api/v1/exceptions/{row['id']}"
    asked = api.client.post(f"{path}/replay", headers=api.as_("admin"), json={})
    assert asked.json()["status"] == "pending_approval"
    own = api.client.post(f"{path}/approve", headers=api.as_("admin"))
    assert (own.status_code, own.json()["code"]) == (403, "NOT_PERMITTED")
    second = api.client.post(f"{path}/approve", headers=api.as_("other_admin"))
    assert second.status_code == 200 and second.json()["status"] in ("open", "replayed")
    with api.hub.store.reading() as read:
        actions = [(r[2], r[3]) for r in read.audit_rows() if r[3].startswith("exception.")]
    assert ("admin-key", "exception.replay_requested") in actions
    assert ("second-admin", "exception.replay_approved") in actions


def test_entities_read_through_the_read_side(api):
    api.hub.intake.ingest([envelope("item.upserted", item("PMP-100")), envelope("item.upserted", item("SEAL-40")),
                           envelope("bom.released", bom("PMP-100", "A", {"SEAL-40": 2}))])
    headers = api.as_("planner")
    assert api.client.get("/api/v1/entities/item/PMP-100", headers=headers).json()["item_id"] == "PMP-100"
    revision = api.client.get("/api/v1/entities/bom/PMP-100?revision=A", headers=headers).json()
    assert revision["lines"][0]["component_id"] == "SEAL-40"
    history = api.client.get("/api/v1/entities/bom/PMP-100?history=true", headers=headers).json()
    assert len(history["history"]) == 1
    unknown = api.client.get("/api/v1/entities/spaceship/X", headers=headers)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "UNKNOWN_TYPE")
    assert "item" in api.client.get("/api/v1/entities", headers=headers).json()["types"]


def test_the_dashboard_queue_narrows_to_a_reason_code_and_an_age(api):
    ghost = _engineering_exception(api)
    api.clock.advance(2 * 3600)
    api.hub.intake.ingest([envelope("bom.released", bom("PMP-100", "B", {"PHANTOM": 1, "GASKET": 1}), message_id="plm-bom-2")])
    api.client.cookies.set("mfgsync_key", api.keys["engineering"])

    def listed(query: str) -> list[str]:
        page = api.client.get(f"/exceptions{query}")
        assert page.status_code == 200
        return sorted(line.split('data-exception="', 1)[1].split('"', 1)[0]
                      for line in page.text.splitlines() if 'data-exception="' in line)

    both = listed("")
    assert len(both) == 2 and str(ghost) in both
    assert listed("?age=1h") == [str(ghost)], "only the one first seen two hours ago"
    assert listed("?age=1d") == []
    assert listed("?code=COMPONENT_UNKNOWN") == both
    assert listed("?code=NO_SUCH_CODE&age=") == []
    assert listed("?age=forever") == both, "an unknown age band filters nothing"
