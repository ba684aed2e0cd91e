"""A release is never half-published, also when it is fixed later: the parts held back with a
failed part are judged again beside its replay, its corrected resend, or a part sent on its own,
and publish with it or stay held with it."""

from __future__ import annotations

from mfgsync.connectors.memory import MemoryConnector
from mfgsync.pipeline.exception_queue import Actor
from tests.support import erp_stand_in
from tests.support.messages import bom, envelope, item

ENGINEER, LEAD = Actor("eng1", "engineering"), Actor("eng2", "engineering")
CONFIG = erp_stand_in.config('  P1: {receives: ["*"]}\n').replace(
    "bom.released: [erp, mes]", "bom.released: [erp], routing.released: [erp]")


def _hub(make_hub, monkeypatch, extra: str = ""):
    erp_stand_in.allow_stand_in(monkeypatch)
    erp = MemoryConnector()
    hub = make_hub(CONFIG + extra, connectors={"erp": erp, "mes": MemoryConnector()})
    hub.intake.ingest([envelope("item.upserted", item(i)) for i in ("PMP-100", "IMP-200", "SEAL", "BLADE")])
    return hub, erp


def _pump(**envelope_fields):
    return envelope("bom.released", bom("PMP-100", "B", {"IMP-200": 1, "SEAL": 1}, status="released"),
                    correlationid="ECO-80", **envelope_fields)


def _impeller(blade: str, **envelope_fields):
    return envelope("bom.released", bom("IMP-200", "B", {blade: 6}, status="released"), correlationid="ECO-80",
                    **envelope_fields)


def _published(hub, erp) -> list[str]:
    hub.worker.run_until_idle()
    return sorted(d.effect_key for d in erp.received if d.command in ("bom.upsert", "routing.upsert"))


def _held(hub) -> dict[str, list[str]]:
    return {x["entity_key"]: x["codes"] for x in hub.exceptions.list()}


def _failed_release(hub):
    report = hub.intake.ingest([_pump(), _impeller("BLADE-X")])  # BLADE-X is no item yet
    assert report.by_reason == {"COMPONENT_UNKNOWN": 1, "RELEASE_INCOMPLETE": 1}


def test_replaying_the_failed_part_once_it_is_fixed_publishes_the_parts_held_with_it(make_hub, monkeypatch):
    hub, erp = _hub(make_hub, monkeypatch)
    _failed_release(hub)
    hub.intake.ingest([envelope("item.upserted", item("BLADE-X"))])  # engineering creates the item
    [failed] = [x for x in hub.exceptions.list() if "COMPONENT_UNKNOWN" in x["codes"]]
    assert hub.exceptions.replay(failed["id"], ENGINEER).detail == "applied"
    assert _held(hub) == {}, "the pump, held with the impeller, applied with it"
    assert _published(hub, erp) == ["erp:bom:IMP-200@P1#B", "erp:bom:PMP-100@P1#B"]
    [pump] = [x for x in hub.exceptions.list(status="replayed") if x["entity_key"] == "BOM:PMP-100@*"]
    assert pump["note"] == "applied with its release ECO-80"


def test_replaying_a_part_held_back_alone_keeps_it_held_while_the_failed_part_still_fails(make_hub, monkeypatch):
    hub, erp = _hub(make_hub, monkeypatch)
    _failed_release(hub)
    [held_back] = [x for x in hub.exceptions.list() if "RELEASE_INCOMPLETE" in x["codes"]]
    outcome = hub.exceptions.replay(held_back["id"], ENGINEER)
    assert outcome.status == "open" and "RELEASE_INCOMPLETE" in hub.exceptions.get(held_back["id"])["codes"]
    assert _published(hub, erp) == [], "no half of the release went out"
    [still_failing] = [x for x in hub.exceptions.list() if "COMPONENT_UNKNOWN" in x["codes"]]
    assert still_failing["times_seen"] == 2, "the failed part was judged again beside it"


def test_a_corrected_resend_of_the_failed_part_under_a_new_id_publishes_the_whole_release(make_hub, monkeypatch):
    hub, erp = _hub(make_hub, monkeypatch)
    _failed_release(hub)
    report = hub.intake.ingest([_impeller("BLADE", id="plm-impeller-fixed")])  # PLM sends it again, fixed
    assert report.quarantined == 0 and report.accepted == 2, "the fix and the pump held for it"
    assert _held(hub) == {}
    assert _published(hub, erp) == ["erp:bom:IMP-200@P1#B", "erp:bom:PMP-100@P1#B"]
    notes = sorted(x["note"] for x in hub.exceptions.list(status=None) if x["status"] != "open")
    assert notes == ["applied with its release ECO-80", "superseded by a corrected resend"]


def test_a_part_sent_on_its_own_waits_with_its_held_release(make_hub, monkeypatch):
    hub, erp = _hub(make_hub, monkeypatch)
    _failed_release(hub)
    routing = envelope("routing.released", {"item_id": "PMP-100", "revision": "B", "operations": [
        {"op_no": 10, "work_center": "WC-ASSY"}]}, correlationid="ECO-80")
    report = hub.intake.ingest([routing])
    assert report.accepted == 0 and report.by_reason["RELEASE_INCOMPLETE"] >= 1
    assert _published(hub, erp) == []
    assert set(_held(hub)) == {"BOM:PMP-100@*", "BOM:IMP-200@*", "ROUTING:PMP-100@*"}


def test_a_release_whose_held_part_needs_approval_is_published_only_once_approved(make_hub, monkeypatch):
    hub, erp = _hub(make_hub, monkeypatch, "approval_required: [bom.released]\n")
    _failed_release(hub)
    # A part coming along does not apply a held part whose replay needs a second person.
    hub.intake.ingest([envelope("item.upserted", item("BLADE-X"))])
    routing = envelope("routing.released", {"item_id": "PMP-100", "revision": "B", "operations": [
        {"op_no": 10, "work_center": "WC-ASSY"}]}, correlationid="ECO-80")
    assert hub.intake.ingest([routing]).by_reason == {"RELEASE_INCOMPLETE": 1}
    assert _published(hub, erp) == []

    [failed] = [x for x in hub.exceptions.list() if "COMPONENT_UNKNOWN" in x["codes"]]
    assert hub.exceptions.replay(failed["id"], ENGINEER).status == "pending_approval"
    assert hub.exceptions.approve(failed["id"], LEAD).detail == "applied"
    assert _held(hub) == {}
    assert _published(hub, erp) == ["erp:bom:IMP-200@P1#B", "erp:bom:PMP-100@P1#B", "erp:routing:PMP-100@P1#B"]
