"""What Tryton should hold for a hub item or BOM revision, decided without a Tryton."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mfgsync.connectors.base import PermanentError
from mfgsync.connectors.tryton import Line, bom_inputs, bom_name, template_fields, unit_name
from mfgsync.model import entities as m


def test_a_bom_revision_is_named_by_item_and_revision_and_by_plant_when_it_is_plant_specific():
    assert bom_name("PMP-100", "B") == "PMP-100 rev B"
    assert bom_name("PMP-100", "B", "P2") == "PMP-100 rev B (P2)"


def test_rec20_units_map_to_trytons_units_and_a_unit_tryton_lacks_is_refused():
    assert [unit_name(code) for code in ("C62", "KGM", "MMT", "LTR", "MLT")] == \
        ["Unit", "Kilogram", "Millimeter", "Liter", "Cubic centimeter"]
    with pytest.raises(PermanentError, match="unit BX has no Tryton unit"):
        unit_name("BX")


def test_a_made_item_is_producible_a_bought_one_purchasable_in_its_unit_and_an_obsolete_one_archived():
    made = template_fields(m.Item(item_id="PMP-100", description="Pump", base_uom="EA", item_type="make"))
    bought = template_fields(m.Item(item_id="GRS-1", base_uom="KGM", item_type="buy", status="obsolete"))
    assert made == {"name": "Pump", "type": "goods", "default_uom": "Unit", "active": True,
                    "producible": True, "purchasable": False}
    assert bought == {"name": "GRS-1", "type": "goods", "default_uom": "Kilogram", "active": False,
                      "producible": False, "purchasable": True, "purchase_uom": "Kilogram"}


def test_an_item_without_a_unit_cannot_become_a_product():
    with pytest.raises(PermanentError, match="no base_uom"):
        template_fields(m.Item(item_id="PMP-100"))


def test_of_each_alternate_group_only_the_preferred_line_is_an_input_and_plant_codes_replace_item_ids():
    bom = m.Bom(item_id="PMP-100", revision="B", lines=[
        m.BomLine(line_no=30, component_id="SEAL-3", qty_per="2", uom="C62", alternate_group="S", alternate_priority=2),
        m.BomLine(line_no=10, component_id="IMP-7", qty_per="1", uom="C62", scrap_pct="5"),
        m.BomLine(line_no=20, component_id="SEAL-4", qty_per="1", uom="C62", alternate_group="S", alternate_priority=1),
        m.BomLine(line_no=40, component_id="GRS-1", qty_per="0.05", uom="KGM"),
    ])
    assert bom_inputs(bom, {"IMP-7": "P2-IMP-7"}) == [
        Line("P2-IMP-7", Decimal("1"), "Unit"), Line("SEAL-4", Decimal("1"), "Unit"),
        Line("GRS-1", Decimal("0.05"), "Kilogram")]
