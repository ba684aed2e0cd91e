"""B2MML ProductDefinition: a released BOM revision as MES learns it, valid against MESA's V0600
schema; the orders an ECO moved to it as a ProductionSchedule."""

from datetime import date
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest

from mfgsync.formats import b2mml
from mfgsync.formats.errors import FormatError
from mfgsync.model.entities import Bom, Routing

from .test_b2mml import SCHEMAS

V0600 = "{http://www.mesa.org/xml/B2MML-V0600}"
PRODUCT_DEFINITION_SCHEMA = "V0600/B2MML-V0600-ProductDefinition.xsd"
SCHEDULE_SCHEMA = "V0600/B2MML-V0600-ProductionSchedule.xsd"

PUMP_B = Bom(item_id="PMP-100", revision="B", plant_id="P1", effective_from=date(2026, 12, 15), lines=[
    {"line_no": 10, "component_id": "SEAL-2", "qty_per": 2, "uom": "C62", "scrap_pct": Decimal("1.5"),
     "alternate_group": "SEALS", "alternate_priority": 1},
    {"line_no": 20, "component_id": "SEAL-3", "qty_per": 2, "uom": "C62", "alternate_group": "SEALS",
     "alternate_priority": 2},
    {"line_no": 30, "component_id": "HSG-10", "qty_per": Decimal("0.25"), "uom": "KGM",
     "effective_to": date(2027, 6, 30)}])

MOVES = {"eco_id": "ECO-42", "item_id": "PMP-100", "plant_id": "P1", "to_revision": "B",
         "effective_from": "2026-12-15",
         "orders": [{"order_id": "WO-7", "from_revision": "A", "to_revision": "B", "start_date": "2026-12-20",
                     "qty": 5}]}


def schema_errors(text: str, schema_file: str) -> str:
    """'' when `text` is valid against MESA's schema file (skips where lxml or the schemas are absent)."""
    lxml = pytest.importorskip("lxml.etree", reason="schema validation needs lxml")
    path = SCHEMAS / schema_file
    if not path.is_file():
        pytest.skip(f"B2MML schemas not present at {SCHEMAS}")
    schema = lxml.XMLSchema(lxml.parse(str(path)))
    return "" if schema.validate(lxml.fromstring(text.encode())) else str(schema.error_log)


def _specifications(text: str) -> list[ET.Element]:
    return ET.fromstring(text).findall(f"{V0600}ProductSegment/{V0600}MaterialSpecification")


def test_a_released_revision_is_a_product_definition_named_item_rev_revision_for_its_plant():
    root = ET.fromstring(b2mml.render_product_definition(PUMP_B))
    assert root.tag == f"{V0600}ProductDefinition"
    assert [root.findtext(f"{V0600}{name}") for name in ("ID", "Version", "BillOfMaterialsID")] == [
        "PMP-100 rev B", "B", "PMP-100 rev B"]
    assert root.findtext(f"{V0600}HierarchyScope/{V0600}EquipmentID") == "P1"


def test_the_product_is_produced_and_each_line_is_a_consumed_material_in_its_rec20_unit():
    rows = [(s.findtext(f"{V0600}MaterialDefinitionID"), s.findtext(f"{V0600}MaterialUse"),
             s.findtext(f"{V0600}Quantity/{V0600}QuantityString"), s.findtext(f"{V0600}Quantity/{V0600}UnitOfMeasure"))
            for s in _specifications(b2mml.render_product_definition(PUMP_B))]
    assert rows == [("PMP-100", "Produced", "1", None), ("SEAL-2", "Consumed", "2", "C62"),
                    ("SEAL-3", "Consumed", "2", "C62"), ("HSG-10", "Consumed", "0.25", "KGM")]


def test_line_number_scrap_alternates_and_effectivity_travel_as_properties():
    seal = _specifications(b2mml.render_product_definition(PUMP_B))[1]
    properties = {p.findtext(f"{V0600}ID"): (p.findtext(f"{V0600}Value/{V0600}ValueString"),
                                             p.findtext(f"{V0600}Value/{V0600}UnitOfMeasure"))
                  for p in seal.findall(f"{V0600}MaterialSpecificationProperty")}
    assert properties == {"LineNumber": ("10", None), "ScrapPercent": ("1.5", "P1"),
                          "AlternateGroup": ("SEALS", None), "AlternatePriority": ("1", None)}


def test_the_revision_effective_dates_are_parameters_of_its_product_segment():
    root = ET.fromstring(b2mml.render_product_definition(PUMP_B.model_copy(update={"effective_to": date(2027, 12, 31)})))
    parameters = {p.findtext(f"{V0600}ID"): p.findtext(f"{V0600}Value/{V0600}ValueString")
                  for p in root.findall(f"{V0600}ProductSegment/{V0600}Parameter")}
    assert parameters == {"EffectiveFrom": "2026-12-15", "EffectiveTo": "2027-12-31", "Status": "released"}


def test_an_engineering_bom_is_scoped_to_the_plant_it_is_sent_for():
    engineering = PUMP_B.model_copy(update={"plant_id": None})
    assert ET.fromstring(b2mml.render_product_definition(engineering)).find(f"{V0600}HierarchyScope") is None
    scoped = ET.fromstring(b2mml.render_product_definition(engineering, plant_id="P2"))
    assert scoped.findtext(f"{V0600}HierarchyScope/{V0600}EquipmentID") == "P2"


@pytest.mark.parametrize("bom", [PUMP_B, Bom(item_id="KIT-1", revision="A")], ids=["pump", "no lines, no plant"])
def test_the_product_definition_validates_against_the_mesa_v0600_schema(bom):
    assert schema_errors(b2mml.render_product_definition(bom), PRODUCT_DEFINITION_SCHEMA) == ""


def test_the_product_definition_reads_back_as_the_same_bom():
    assert b2mml.read_product_definition(b2mml.render_product_definition(PUMP_B)) == PUMP_B


def test_orders_moved_to_a_revision_are_a_schedule_of_those_orders_with_their_new_bom_revision():
    text = b2mml.render_orders_moved(MOVES)
    assert schema_errors(text, SCHEDULE_SCHEMA) == ""
    (order,) = [d.data for d in b2mml.read(text)]
    assert (order.order_id, order.item_id, order.qty, order.plant_id, order.bom_revision, order.status,
            order.start_date) == ("WO-7", "PMP-100", 5, "P1", "B", "planned", date(2026, 12, 20))


def test_orders_moved_without_their_quantity_cannot_be_a_schedule():
    notice = {**MOVES, "orders": [{k: v for k, v in MOVES["orders"][0].items() if k != "qty"}]}
    with pytest.raises(FormatError) as caught:
        b2mml.render_orders_moved(notice)
    assert caught.value.code == "MISSING_ATTRIBUTE" and "WO-7" in caught.value.message


PUMP_B_ROUTING = Routing(item_id="PMP-100", revision="B", plant_id="P1", effective_from=date(2026, 12, 15), operations=[
    {"op_no": 20, "work_center": "WC-TEST", "description": "Pressure test", "run_minutes_per_unit": 5},
    {"op_no": 10, "work_center": "WC-ASSY", "description": "Assemble", "setup_minutes": 15,
     "run_minutes_per_unit": Decimal("12.5"), "instruction_ref": "WI-100-10"}])


def test_a_routing_revision_is_a_product_definition_valid_against_the_schema():
    assert schema_errors(b2mml.render_routing(PUMP_B_ROUTING), PRODUCT_DEFINITION_SCHEMA) == ""


def test_each_operation_is_a_segment_in_operation_order_at_its_work_center_after_the_one_before():
    root = ET.fromstring(b2mml.render_routing(PUMP_B_ROUTING))
    assert root.findtext(f"{V0600}BillOfResourcesID") == "PMP-100 rev B"
    operations = root.findall(f"{V0600}ProductSegment/{V0600}ProductSegment")
    assert [(o.findtext(f"{V0600}ID"), o.findtext(f"{V0600}EquipmentSpecification/{V0600}EquipmentClassID"))
            for o in operations] == [("PMP-100 rev B op 10", "WC-ASSY"), ("PMP-100 rev B op 20", "WC-TEST")]
    assert operations[0].find(f"{V0600}SegmentDependency") is None
    assert operations[1].findtext(f"{V0600}SegmentDependency/{V0600}ProductSegmentID") == "PMP-100 rev B op 10"


def test_a_routing_reads_back_as_it_was_written():
    back = b2mml.read_routing(b2mml.render_routing(PUMP_B_ROUTING))
    assert back == PUMP_B_ROUTING.model_copy(update={"operations": sorted(PUMP_B_ROUTING.operations,
                                                                          key=lambda op: op.op_no)})


def test_a_product_definition_without_a_bill_of_resources_is_not_read_as_a_routing():
    with pytest.raises(FormatError) as refused:
        b2mml.read_routing(b2mml.render_product_definition(PUMP_B))
    assert refused.value.code == "B2MML_MISSING_ELEMENT"
