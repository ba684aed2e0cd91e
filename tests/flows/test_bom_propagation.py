"""A released revision reaches the ERP as commands, once per plant that receives it, and becomes
the ERP's default BOM on its effective date; an envelope target beside it still gets the
envelope. The ERP here is a recording stand-in (the real Tryton story is in tests/e2e)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal

from mfgsync.connectors.memory import MemoryConnector
from tests.conftest import FakeClock
from tests.support import erp_stand_in
from tests.support.messages import bom, envelope, item

CONFIG = erp_stand_in.config("""  P1: {receives: ["*"]}
  P2: {receives: ["PMP-*"], item_codes: {erp: {PMP-100: P2-PMP-100}}}
  P3: {receives: ["VLV-*"]}
""")


def _hub(make_hub, clock, monkeypatch):
    erp_stand_in.allow_stand_in(monkeypatch)
    erp, mes = MemoryConnector(), MemoryConnector()
    return make_hub(CONFIG, connectors={"erp": erp, "mes": mes}, clock=clock), erp, mes


def _release(revision: str, effective: str):
    return envelope("bom.released", bom("PMP-100", revision, {"SEAL": 1}, status="released", effective_from=effective),
                    correlationid="ECO-42")


def test_an_engineering_bom_becomes_one_bom_per_receiving_plant_made_default_on_its_date(make_hub, monkeypatch):
    clock = FakeClock(datetime(2026, 12, 1, tzinfo=timezone.utc).timestamp())
    hub, erp, mes = _hub(make_hub, clock, monkeypatch)
    hub.intake.ingest([envelope("item.upserted", item("PMP-100")), envelope("item.upserted", item("SEAL")),
                       _release("B", "2026-12-15"), _release("B", "2026-12-15")])  # the release sent twice
    hub.worker.run_until_idle()
    bom_commands = [(d.command, d.effect_key) for d in erp.received if d.command.startswith("bom")]
    assert bom_commands == [("bom.upsert", "erp:bom:PMP-100@P1#B"), ("bom.upsert", "erp:bom:PMP-100@P2#B")]
    p2 = json.loads(next(d.payload for d in erp.received if d.effect_key == "erp:bom:PMP-100@P2#B"))
    assert p2["bom"]["plant_id"] == "P2" and p2["item_codes"] == {"PMP-100": "P2-PMP-100"}
    items = sorted(json.loads(d.payload)["code"] for d in erp.received if d.command == "item.upsert")
    assert items == ["P2-PMP-100", "PMP-100", "SEAL"], "each plant's code for the item"
    assert [json.loads(d.payload)["type"] for d in mes.received] == ["bom.released"] * 2, "MES gets each envelope"

    clock.now = datetime(2026, 12, 15, 0, 0, 1, tzinfo=timezone.utc).timestamp()
    hub.worker.run_until_idle()
    defaults = [d.effect_key for d in erp.received if d.command == "bom.make_default"]
    assert defaults == ["erp:bom:PMP-100@P1#B:default", "erp:bom:PMP-100@P2#B:default"]


def test_eco_status_follows_each_plant_from_pending_to_delivered_to_confirmed(make_hub, monkeypatch):
    from mfgsync import queries
    clock = FakeClock(datetime(2026, 12, 1, tzinfo=timezone.utc).timestamp())
    hub, erp, _ = _hub(make_hub, clock, monkeypatch)
    hub.intake.ingest([envelope("item.upserted", item("PMP-100")), envelope("item.upserted", item("SEAL")),
                       _release("B", "2026-12-15")])
    assert {r["status"] for r in queries.eco_status(hub.store, "ECO-42")["targets"]} == {"pending"}
    hub.worker.run_until_idle()
    status = queries.eco_status(hub.store, "ECO-42")
    assert [(r["target"], r["plant_id"], r["status"]) for r in status["targets"]] == [
        ("erp", "P1", "delivered"), ("erp", "P2", "delivered"), ("mes", None, "delivered")]
    assert status["latency_seconds"] is not None
    clock.now = datetime(2026, 12, 15, 0, 0, 1, tzinfo=timezone.utc).timestamp()
    hub.worker.run_until_idle()
    status = queries.eco_status(hub.store, "ECO-42")
    assert [(r["target"], r["status"]) for r in status["targets"]] == [
        ("erp", "confirmed"), ("erp", "confirmed"), ("mes", "delivered")], "the ERP's default switched on the date"
    assert queries.eco_status(hub.store, "ECO-0") is None


def test_a_release_whose_second_level_is_invalid_is_quarantined_whole_and_nothing_reaches_the_erp(make_hub,
                                                                                                    monkeypatch):
    hub, erp, mes = _hub(make_hub, FakeClock(), monkeypatch)
    hub.intake.ingest([envelope("item.upserted", item(i)) for i in ("PMP-100", "IMP-200", "SEAL")])
    report = hub.intake.ingest([
        envelope("bom.released", bom("PMP-100", "B", {"IMP-200": 1, "SEAL": 1}, status="released"),
                 correlationid="ECO-77"),
        envelope("bom.released", bom("IMP-200", "B", {"BLADE-X": 5}, status="released"),  # BLADE-X is unknown
                 correlationid="ECO-77")])
    assert report.accepted == 0 and report.by_reason == {"COMPONENT_UNKNOWN": 1, "RELEASE_INCOMPLETE": 1}
    hub.worker.run_until_idle()
    assert [d for d in erp.received if d.command.startswith("bom")] == [] and mes.received == []
    roles = {e["owner_role"] for e in hub.exceptions.list()}
    assert roles == {"engineering"}


def test_a_revision_effective_on_another_date_than_its_eco_is_quarantined_for_engineering(make_hub, monkeypatch):
    hub, erp, _ = _hub(make_hub, FakeClock(), monkeypatch)
    hub.intake.ingest([envelope("item.upserted", item(i)) for i in ("PMP-100", "SEAL")])
    hub.intake.ingest([envelope("eco.approved", {"eco_id": "ECO-42", "item_id": "PMP-100", "to_revision": "B",
                                                 "effective_from": "2026-12-15"})])
    report = hub.intake.ingest([_release("B", "2026-12-20")])
    assert report.by_reason == {"ECO_EFFECTIVITY_MISMATCH": 1}


def _routing(revision: str, release: str, *ops: tuple[int, str]):
    return envelope("routing.released", {"item_id": "PMP-100", "revision": revision, "plant_id": "P1",
                                         "effective_from": "2026-12-15", "operations": [
        {"op_no": n, "work_center": wc, "run_minutes_per_unit": 12, "instruction_ref": f"WI-{n}"}
        for n, wc in ops]}, correlationid=release)


def test_a_routing_travels_with_its_revision_and_one_at_an_unknown_work_center_is_quarantined(make_hub):
    mes = MemoryConnector()
    hub = make_hub("systems: {mes: {kind: memory}}\nsubscriptions: {routing.released: [mes]}\n"
                   "plants: {P1: {work_centers: [WC-ASSY, WC-TEST]}}", connectors={"mes": mes})
    hub.intake.ingest([envelope("item.upserted", item("PMP-100"))])

    report = hub.intake.ingest([_routing("B", "ECO-42", (10, "WC-ASSY"), (20, "WC-TEST")),
                                _routing("C", "ECO-43", (10, "WC-ASSY"), (20, "WC-PAINT"))])
    assert report.accepted == 1 and report.by_reason == {"ROUTING_WORK_CENTER_UNKNOWN": 1}
    hub.worker.run_until_idle()
    [delivered] = [json.loads(d.payload) for d in mes.received]
    assert delivered["data"]["revision"] == "B" and delivered["data"]["operations"][1]["instruction_ref"] == "WI-20"
    assert hub.exceptions.list()[0]["owner_role"] == "engineering"


def test_a_release_is_not_cut_in_two_by_the_batch_size(make_hub, monkeypatch):
    hub, erp, _ = _hub(make_hub, FakeClock(), monkeypatch)
    hub.intake.ingest([envelope("item.upserted", item(i)) for i in ("PMP-100", "IMP-200", "SEAL")])
    release = [envelope("bom.released", bom(parent, "B", components, status="released"), correlationid="ECO-78")
               for parent, components in (("PMP-100", {"IMP-200": 1}), ("IMP-200", {"SEAL": 2}),
                                          ("SEAL", {"BLADE-X": 1}))]  # the third names an unknown component
    report = hub.intake.ingest(release, batch_size=2)
    assert report.accepted == 0 and report.by_reason == {"COMPONENT_UNKNOWN": 1, "RELEASE_INCOMPLETE": 2}


def test_a_release_whose_routing_fails_holds_its_bom_back_too(make_hub, monkeypatch):
    erp_stand_in.allow_stand_in(monkeypatch)
    erp = MemoryConnector()
    config = CONFIG.replace("  P1: {receives: [\"*\"]}", "  P1: {receives: [\"*\"], work_centers: [WC-ASSY]}")
    hub = make_hub(config.replace("bom.released: [erp, mes]", "bom.released: [erp], routing.released: [erp]"),
                   connectors={"erp": erp, "mes": MemoryConnector()})
    hub.intake.ingest([envelope("item.upserted", item(i)) for i in ("PMP-100", "SEAL")])
    plant_bom = bom("PMP-100", "B", {"SEAL": 1}, status="released", plant_id="P1", effective_from="2026-12-15")
    report = hub.intake.ingest([envelope("bom.released", plant_bom, correlationid="ECO-44"),
                                _routing("B", "ECO-44", (10, "WC-ASSY"), (20, "WC-PAINT"))])
    assert report.accepted == 0 and report.by_reason == {"ROUTING_WORK_CENTER_UNKNOWN": 1, "RELEASE_INCOMPLETE": 1}

    report = hub.intake.ingest([envelope("bom.released", plant_bom, correlationid="ECO-45"),
                                _routing("B", "ECO-45", (10, "WC-ASSY"), (20, "WC-ASSY"))])
    assert report.accepted == 2, hub.exceptions.list()
    hub.worker.run_until_idle()
    commands = [(d.command, d.effect_key) for d in erp.received if not d.command.startswith("item")]
    assert commands == [("bom.upsert", "erp:bom:PMP-100@P1#B"), ("routing.upsert", "erp:routing:PMP-100@P1#B")], \
        "the routing follows its BOM, in the BOM's stream"


PLANT_CONFIG = erp_stand_in.config("""  P1: {receives: ["*"]}
  P2: {receives: ["PMP-*"], units: {CABLE: MMT}, alternates: {SEAL: [SEAL-NSK]}}
""")


def _plant_hub(make_hub, monkeypatch, config=PLANT_CONFIG):
    erp_stand_in.allow_stand_in(monkeypatch)
    erp = MemoryConnector()
    hub = make_hub(config, connectors={"erp": erp, "mes": MemoryConnector()})
    hub.intake.ingest([envelope("item.upserted", item(i, base_uom=u)) for i, u in
                       (("PMP-100", "C62"), ("SEAL", "C62"), ("SEAL-NSK", "C62"), ("CABLE", "MTR"))])
    return hub, erp


def _cabled_release():
    pump = bom("PMP-100", "B", {"SEAL": 1, "CABLE": "1.5"}, status="released", effective_from="2026-12-15")
    pump["lines"][1]["uom"] = "MTR"
    return envelope("bom.released", pump, correlationid="ECO-46")


def test_each_plant_gets_its_manufacturing_bom_in_its_units_with_its_alternates(make_hub, monkeypatch):
    hub, erp = _plant_hub(make_hub, monkeypatch)
    assert hub.intake.ingest([_cabled_release()]).accepted == 1, hub.exceptions.list()
    hub.worker.run_until_idle()
    sent = {d.effect_key: json.loads(d.payload, parse_float=Decimal)["bom"] for d in erp.received
            if d.command == "bom.upsert"}
    p1, p2 = sent["erp:bom:PMP-100@P1#B"], sent["erp:bom:PMP-100@P2#B"]
    assert [(l["component_id"], l["qty_per"], l["uom"]) for l in p1["lines"]] == [("SEAL", 1, "C62"),
                                                                                  ("CABLE", Decimal("1.5"), "MTR")]
    assert [(l["component_id"], l["qty_per"], l["uom"], l["alternate_group"], l["alternate_priority"])
            for l in p2["lines"]] == [("SEAL", 1, "C62", "SEAL", 1), ("CABLE", 1500, "MMT", None, None),
                                      ("SEAL-NSK", 1, "C62", "SEAL", 2)]


def test_a_release_a_receiving_plant_cannot_build_is_quarantined_naming_the_plant(make_hub, monkeypatch):
    hub, erp = _plant_hub(make_hub, monkeypatch, PLANT_CONFIG.replace("{CABLE: MMT}", "{CABLE: KGM}")
                          .replace("[SEAL-NSK]", "[SEAL-XYZ]"))
    report = hub.intake.ingest([_cabled_release()])
    assert report.accepted == 0 and report.by_reason == {"UOM_NO_CONVERSION": 1, "COMPONENT_UNKNOWN": 1}
    [held] = hub.exceptions.list()
    messages = " / ".join(r["message"] for r in held["reasons"])
    assert "plant P2" in messages and "SEAL-XYZ" in messages and "KGM" in messages
    hub.worker.run_until_idle()
    assert [d for d in erp.received if d.command.startswith("bom")] == []
