"""MES as a B2MML drop folder (`kind: b2mml`): each released revision arrives as one
ProductDefinition file named by its delivery key, valid against MESA's schema and readable back
as the revision; a redelivery overwrites the same file; what it cannot render is a dead letter."""

from __future__ import annotations

from mfgsync.connectors.base import TransientError
from mfgsync.formats import b2mml
from mfgsync.formats.b2mml.xml import document, parse
from tests.conftest import FakeClock
from tests.flows.test_eco_simulation import ECO, REVISION_B, plant_before_the_change
from tests.support.messages import bom, envelope, item
from tests.unit.formats.test_b2mml_product_definition import (PRODUCT_DEFINITION_SCHEMA, SCHEDULE_SCHEMA,
                                                              schema_errors)


def _hub(make_hub, folder, subscribed="bom.released: [mes_b2mml]"):
    return make_hub(f"""
systems: {{mes_b2mml: {{kind: b2mml, path: "{folder}"}}}}
subscriptions: {{{subscribed}}}
retry: {{base_seconds: 0, max_seconds: 0}}
""", clock=FakeClock())


def _releases(*items: str):
    components = [envelope("item.upserted", item(c)) for c in ("SEAL-2", "HSG-10")]
    parents = [envelope("item.upserted", item(i)) for i in items]
    return components + parents + [
        envelope("bom.released", bom(i, "B", {"SEAL-2": 2, "HSG-10": 1}, status="released", effective_from="2026-12-15"))
        for i in items]


class _AnswerLost:
    """The target's write lands but the worker never learns it, once: it delivers the key again."""

    def __init__(self, connector):
        self.connector, self.lost = connector, False

    def deliver(self, delivery) -> None:
        self.connector.deliver(delivery)
        if not self.lost:
            self.lost = True
            raise TransientError("the worker stopped before recording the delivery")


def test_each_released_revision_is_one_valid_product_definition_file_named_by_its_delivery_key(make_hub, tmp_path):
    folder = tmp_path / "mes"
    hub = _hub(make_hub, folder)
    hub.intake.ingest(_releases("PMP-100", "VLV-200"))
    hub.worker.run_until_idle()
    files = sorted(folder.iterdir())
    assert [f.name for f in files] == ["mes_b2mml-0000000001.xml", "mes_b2mml-0000000002.xml"]
    for file in files:
        assert schema_errors(file.read_text(), PRODUCT_DEFINITION_SCHEMA) == ""
    boms = [b2mml.read_product_definition(f.read_text()) for f in files]
    assert [(b.item_id, b.revision, str(b.effective_from)) for b in boms] == [
        ("PMP-100", "B", "2026-12-15"), ("VLV-200", "B", "2026-12-15")]
    assert [(line.component_id, line.qty_per, line.uom) for line in boms[0].lines] == [("SEAL-2", 2, "C62"),
                                                                                      ("HSG-10", 1, "C62")]


def test_a_released_routing_reaches_mes_as_a_product_definition_of_its_operations(make_hub, tmp_path):
    folder = tmp_path / "mes"
    hub = _hub(make_hub, folder, subscribed="bom.released: [mes_b2mml], routing.released: [mes_b2mml]")
    routing = {"item_id": "PMP-100", "revision": "B", "effective_from": "2026-12-15", "operations": [
        {"op_no": 10, "work_center": "WC-ASSY", "setup_minutes": 15, "run_minutes_per_unit": 12,
         "instruction_ref": "WI-100-10"},
        {"op_no": 20, "work_center": "WC-TEST", "run_minutes_per_unit": 5}]}
    hub.intake.ingest([*_releases("PMP-100"), envelope("routing.released", routing)])
    hub.worker.run_until_idle()
    [bom_file, routing_file] = sorted(folder.iterdir())
    assert schema_errors(routing_file.read_text(), PRODUCT_DEFINITION_SCHEMA) == ""
    back = b2mml.read_routing(routing_file.read_text())
    assert [(op.op_no, op.work_center, op.run_minutes_per_unit, op.instruction_ref) for op in back.operations] == [
        (10, "WC-ASSY", 12, "WI-100-10"), (20, "WC-TEST", 5, None)]
    assert b2mml.read_product_definition(bom_file.read_text()).revision == "B"


def test_a_redelivery_of_the_same_key_overwrites_its_file(make_hub, tmp_path):
    folder = tmp_path / "mes"
    hub = _hub(make_hub, folder)
    hub.connectors["mes_b2mml"] = flaky = _AnswerLost(hub.connectors["mes_b2mml"])
    hub.intake.ingest(_releases("PMP-100"))
    hub.worker.run_once()
    (file,) = folder.iterdir()
    first = file.stat().st_ino
    hub.worker.run_until_idle()
    assert flaky.lost and [f.name for f in folder.iterdir()] == [file.name], "one file, no temporary left"
    assert file.stat().st_ino != first, "replaced by the second delivery's rename"
    assert b2mml.read_product_definition(file.read_text()).item_id == "PMP-100"


def test_a_released_production_order_is_a_production_schedule_of_that_order(make_hub, tmp_path):
    folder = tmp_path / "mes"
    hub = _hub(make_hub, folder, subscribed="production.released: [mes_b2mml]")
    hub.intake.ingest([envelope("item.upserted", item("PMP-100")), envelope("production.released", {
        "order_id": "WO-1", "item_id": "PMP-100", "qty": 10, "plant_id": "P1", "bom_revision": "B",
        "status": "released", "start_date": "2026-12-20"}, source="erp")])
    hub.worker.run_until_idle()
    (schedule,) = _documents(folder)["ProductionSchedule"]
    assert schema_errors(schedule, SCHEDULE_SCHEMA) == ""
    (order,) = [d.data for d in b2mml.read(schedule)]
    assert (order.order_id, order.qty, order.bom_revision, order.status) == ("WO-1", 10, "B", "released")


def test_an_event_type_with_no_b2mml_document_is_a_dead_letter_saying_so(make_hub, tmp_path):
    folder = tmp_path / "mes"
    hub = _hub(make_hub, folder, subscribed="item.upserted: [mes_b2mml]")
    hub.intake.ingest([envelope("item.upserted", item("SEAL-2"))])
    hub.worker.run_until_idle()
    [dead] = hub.exceptions.list(kind="dead_letter")
    assert [(r["code"], r["message"]) for r in dead["reasons"]] == [
        ("DELIVERY_REJECTED", "mes_b2mml: B2MML_UNSUPPORTED_DOCUMENT: no B2MML document for deliver of item.upserted")]
    assert not folder.exists() or list(folder.iterdir()) == []


def _documents(folder) -> dict[str, list[str]]:
    """The texts of the folder's files by B2MML noun, in file name order."""
    found: dict[str, list[str]] = {}
    for file in sorted(folder.iterdir()):
        found.setdefault(document(parse(file.read_text()))[1], []).append(file.read_text())
    return found


def test_orders_an_eco_moves_to_the_new_revision_reach_mes_as_a_production_schedule(make_hub, tmp_path):
    folder = tmp_path / "mes"
    hub = _hub(make_hub, folder)
    hub.intake.ingest(plant_before_the_change())
    hub.intake.ingest([envelope("eco.approved", ECO, correlationid="ECO-42", time="2026-12-01T09:00:00Z"),
                       envelope("bom.released", REVISION_B, correlationid="ECO-42", time="2026-12-01T09:00:10Z")])
    hub.worker.run_until_idle()
    assert hub.exceptions.list(kind="dead_letter") == []
    documents = _documents(folder)
    assert [b2mml.read_product_definition(t).revision for t in documents["ProductDefinition"]] == ["A", "B"]
    (schedule,) = documents["ProductionSchedule"]
    assert schema_errors(schedule, SCHEDULE_SCHEMA) == ""
    assert [(o.order_id, o.qty, o.bom_revision) for o in (d.data for d in b2mml.read(schedule))] == [
        ("PRD-3", 10, "B"), ("PRD-4", 20, "B")]
