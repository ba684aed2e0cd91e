"""One plant's manufacturing BOM from the engineering BOM: the plant's units and alternates."""

from __future__ import annotations

from decimal import Decimal

from mfgsync.config import Plant
from mfgsync.model import entities as m
from mfgsync.model.units import Conversion, UnitCatalogue
from mfgsync.workflows.plant_boms import manufacturing_bom

PUMP = m.Bom(item_id="PMP-100", revision="B", status="released", lines=[
    {"line_no": 10, "component_id": "SEAL", "qty_per": 2, "uom": "C62"},
    {"line_no": 20, "component_id": "CABLE", "qty_per": Decimal("1.25"), "uom": "MTR", "scrap_pct": 4},
    {"line_no": 30, "component_id": "BRG-A", "qty_per": 1, "uom": "C62", "alternate_group": "BRG",
     "alternate_priority": 1},
    {"line_no": 40, "component_id": "BRG-B", "qty_per": 1, "uom": "C62", "alternate_group": "BRG",
     "alternate_priority": 2}])
UNITS = UnitCatalogue([Conversion("SEAL", "BX", "C62", Decimal(10))])


def _lines(bom: m.Bom) -> list[tuple]:
    return [(l.line_no, l.component_id, l.qty_per, l.uom, l.alternate_group, l.alternate_priority) for l in bom.lines]


def test_a_plant_that_changes_nothing_gets_the_engineering_bom_scoped_to_it():
    built = manufacturing_bom(PUMP, "P1", Plant(), UNITS)
    assert built.plant_id == "P1" and built.lines == PUMP.lines


def test_a_component_the_plant_counts_in_its_own_unit_is_converted_exactly():
    built = manufacturing_bom(PUMP, "P2", Plant(units={"CABLE": "MMT", "SEAL": "BX"}), UNITS)
    assert _lines(built)[:2] == [(10, "SEAL", Decimal("0.2"), "BX", None, None),
                                 (20, "CABLE", Decimal(1250), "MMT", None, None)]
    assert built.lines[1].scrap_pct == 4, "the rest of the line is the engineering one"


def test_a_plant_alternate_joins_the_component_group_after_the_engineering_alternates():
    built = manufacturing_bom(PUMP, "P2", Plant(alternates={"SEAL": ["SEAL-NSK", "SEAL-SKF"], "BRG-A": ["BRG-C"]}),
                              UNITS)
    assert _lines(built) == [
        (10, "SEAL", 2, "C62", "SEAL", 1), (20, "CABLE", Decimal("1.25"), "MTR", None, None),
        (30, "BRG-A", 1, "C62", "BRG", 1), (40, "BRG-B", 1, "C62", "BRG", 2),
        (41, "SEAL-NSK", 2, "C62", "SEAL", 2), (42, "SEAL-SKF", 2, "C62", "SEAL", 3),
        (43, "BRG-C", 1, "C62", "BRG", 3)]
