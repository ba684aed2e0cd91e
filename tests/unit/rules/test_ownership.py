"""Stories of system-of-record ownership: each field domain has one owner; others may not change it."""

from decimal import Decimal

from mfgsync.envelope import EventType
from mfgsync.model.entities import InventoryMovement, Item, PoAcknowledgement, UomConversion
from mfgsync.rules.ownership import DEFAULT_OWNERSHIP, DOMAINS, ownership_findings
from mfgsync.rules.reasons import CATALOGUE

E = EventType
OWNERSHIP = {"item.engineering": "plm", "item.planning": "erp", "inventory": "wms", "production.execution": "mes"}
CURRENT = Item(item_id="PUMP-100", description="Pump", base_uom="C62", lead_time_days=10)


def item_update(source, current=CURRENT, **fields):
    incoming = (current or Item(item_id="PUMP-100")).model_copy(update=fields)
    return ownership_findings(E.item_upserted, source, incoming, set(fields), current, OWNERSHIP)


def test_each_system_may_change_the_item_fields_it_owns():
    assert item_update("plm", description="Centrifugal pump") == []
    assert item_update("erp", lead_time_days=12, lot_rule="fixed", fixed_lot=Decimal(50)) == []


def test_erp_changing_an_engineering_attribute_is_an_exception_naming_the_field_and_its_owner():
    findings = item_update("erp", description="Pump, blue")
    assert [(f.code, f.field) for f in findings] == [("NOT_SYSTEM_OF_RECORD", "description")]
    assert "owned by plm" in findings[0].message and "item.engineering" in findings[0].message


def test_plm_changing_a_planning_attribute_is_an_exception():
    findings = item_update("plm", lead_time_days=30)
    assert [f.field for f in findings] == ["lead_time_days"]


def test_a_non_owner_repeating_the_current_value_of_an_owned_field_changes_nothing():
    assert item_update("erp", description="Pump", base_uom="C62", lead_time_days=11) == []


def test_a_non_owner_creating_an_item_may_leave_owned_fields_unset_but_not_fill_them():
    assert item_update("erp", current=None, lead_time_days=5, status="active") == []
    findings = item_update("erp", current=None, lead_time_days=5, description="Pump")
    assert [f.field for f in findings] == ["description"]


def test_fields_the_message_did_not_set_are_not_judged():
    incoming = CURRENT.model_copy(update={"description": "something else", "lead_time_days": 14})
    assert ownership_findings(E.item_upserted, "erp", incoming, {"lead_time_days"}, CURRENT, OWNERSHIP) == []


def test_a_whole_event_of_a_domain_may_come_only_from_its_owner():
    move = InventoryMovement(movement_id="M-1", kind="issue", item_id="BOLT-9", qty=Decimal(1), uom="C62",
                             plant_id="P1")
    assert ownership_findings(E.inventory_moved, "wms", move, set(), None, OWNERSHIP) == []
    findings = ownership_findings(E.inventory_moved, "erp", move, set(), None, OWNERSHIP)
    assert [f.code for f in findings] == ["NOT_SYSTEM_OF_RECORD"]
    assert "owned by wms" in findings[0].message
    assert CATALOGUE["NOT_SYSTEM_OF_RECORD"].role == "admin"


def test_supplier_documents_are_owned_by_the_supplier_system_by_default_or_by_the_channels_configured():
    acknowledgement = PoAcknowledgement(po_number="4500000001", ack_id="A-1", ack_type="accepted")
    assert ownership_findings(E.po_acknowledged, "supplier", acknowledgement, set(), None, OWNERSHIP) == []
    assert ownership_findings(E.po_acknowledged, "erp", acknowledgement, set(), None, OWNERSHIP) != []
    channels = {**OWNERSHIP, "supplier": ["northfast", "southbolt"]}
    assert ownership_findings(E.po_acknowledged, "northfast", acknowledgement, set(), None, channels) == []


def test_an_item_specific_unit_conversion_is_engineering_data_but_a_global_one_is_nobodys():
    box = UomConversion(item_id="NUT-M8", from_uom="BX", to_uom="C62", factor=Decimal(12))
    assert ownership_findings(E.uom_conversion_upserted, "erp", box, set(), None, OWNERSHIP) != []
    dozen = UomConversion(from_uom="DZN", to_uom="C62", factor=Decimal(12))
    assert ownership_findings(E.uom_conversion_upserted, "erp", dozen, set(), None, OWNERSHIP) == []


def test_ownership_follows_configuration():
    moved = {**OWNERSHIP, "item.planning": "plm"}
    incoming = CURRENT.model_copy(update={"lead_time_days": 30})
    assert ownership_findings(E.item_upserted, "plm", incoming, {"lead_time_days"}, CURRENT, moved) == []


def test_every_domain_has_a_default_owner_and_no_event_belongs_to_two_domains():
    assert set(DOMAINS) == set(DEFAULT_OWNERSHIP)
    events = [event for domain in DOMAINS.values() for event in domain.events]
    assert len(events) == len(set(events))
    fields = [field for domain in DOMAINS.values() for field in domain.item_fields]
    assert len(fields) == len(set(fields)) and set(fields) <= set(Item.model_fields)
