"""Stories of the item master: what an item needs before the hub can plan, buy or stock it."""

from decimal import Decimal

from rules_builders import codes, plant_state

from mfgsync.envelope import EventType
from mfgsync.model.entities import EngineeringChange, Item, ProductionOrder
from mfgsync.rules.validation import validate


def test_a_complete_item_is_accepted():
    item = Item(item_id="NUT-M8", description="Hex nut M8", base_uom="EA")
    assert validate(EventType.item_upserted, item, plant_state()) == []


def test_an_item_without_description_or_base_unit_is_missing_attributes_each_named():
    findings = validate(EventType.item_upserted, Item(item_id="NUT-M8"), plant_state())
    assert codes(findings) == ["MISSING_ATTRIBUTE", "MISSING_ATTRIBUTE"]
    assert [f.field for f in findings] == ["description", "base_uom"]
    assert findings[0].message == "item NUT-M8 has no description"


def test_a_fixed_lot_rule_needs_a_lot_size_above_zero():
    item = Item(item_id="NUT-M8", description="Hex nut", base_uom="C62", lot_rule="fixed", fixed_lot=Decimal(0))
    assert codes(validate(EventType.item_upserted, item, plant_state())) == ["FIXED_LOT_NOT_POSITIVE"]
    sized = item.model_copy(update={"fixed_lot": Decimal(500)})
    assert validate(EventType.item_upserted, sized, plant_state()) == []


def test_a_production_order_or_engineering_change_for_an_unknown_item_is_rejected():
    order = ProductionOrder(order_id="MO-1", item_id="GHOST", qty=Decimal(1), plant_id="P1")
    change = EngineeringChange(eco_id="ECO-1", item_id="GHOST", to_revision="B")
    assert codes(validate(EventType.production_released, order, plant_state())) == ["ITEM_UNKNOWN"]
    assert codes(validate(EventType.eco_approved, change, plant_state())) == ["ITEM_UNKNOWN"]
