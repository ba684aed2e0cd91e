"""Available-to-promise from the hub's records, as pure arithmetic over canonical objects."""

from datetime import date, timedelta
from decimal import Decimal

from mfgsync.model import entities as m
from mfgsync.model.partner_records import ExpectedReceipt
from mfgsync.model.units import UnitCatalogue
from mfgsync.planning.hub_atp import item_atp, short_periods

TODAY = date(2026, 12, 1)
SEAL = m.Item(item_id="SEAL", base_uom="C62")


def _atp(**records):
    defaults = {"balances": [], "purchase_orders": [], "production_orders": [], "boms": []}
    return item_atp(SEAL, "P1", TODAY, units=UnitCatalogue(), **{**defaults, **records})


def _po(qty, promised_days):
    return m.PurchaseOrder(po_number="PO-1", supplier_id="S1", status="acknowledged", lines=[
        m.PurchaseOrderLine(line_no=1, item_id="SEAL", qty=qty, uom="C62",
                            promised_date=TODAY + timedelta(days=promised_days))])


def _rows(document):
    return [(p["date"], p["receipts"], p["cumulative_atp"]) for p in document["periods"]]


def test_a_ship_notice_in_transit_moves_its_part_of_the_order_to_its_arrival():
    asn = ExpectedReceipt(asn_id="ASN-1", line_index=0, po_number="PO-1", po_line_no=1, item_id="SEAL", qty=40,
                          uom="C62", plant_id="P1", location_id="DOCK", expected_arrival=TODAY + timedelta(days=3))
    document = _atp(purchase_orders=[_po(100, 20)], in_transit=[asn])
    assert _rows(document) == [("2026-12-01", 0, 0), ("2026-12-04", 40, 40), ("2026-12-21", 60, 100)]


def test_held_allocated_and_other_plants_stock_is_not_available_to_promise():
    balances = [m.InventoryBalance(item_id="SEAL", plant_id="P1", location_id="A", qty=5, uom="C62"),
                m.InventoryBalance(item_id="SEAL", plant_id="P1", location_id="A", lot_id="L", status="quality_hold",
                                   qty=50, uom="C62"),
                m.InventoryBalance(item_id="SEAL", plant_id="P1", location_id="A", status="allocated", qty=7, uom="C62"),
                m.InventoryBalance(item_id="SEAL", plant_id="P2", location_id="A", qty=90, uom="C62")]
    assert _atp(balances=balances)["periods"][0]["on_hand"] == 5


def test_a_parent_order_on_its_frozen_revision_is_demand_and_a_shortfall_shows():
    bom_a = m.Bom(item_id="PMP", revision="A", lines=[m.BomLine(line_no=1, component_id="SEAL", qty_per=2, uom="C62",
                                                                  scrap_pct=Decimal(20))])
    bom_b = m.Bom(item_id="PMP", revision="B", effective_from=TODAY,
                  lines=[m.BomLine(line_no=1, component_id="SEAL", qty_per=1, uom="C62")])
    order = m.ProductionOrder(order_id="WO-1", item_id="PMP", qty=4, plant_id="P1", bom_revision="A",
                              status="released", start_date=TODAY + timedelta(days=2))
    document = _atp(production_orders=[order], boms=[bom_a, bom_b])
    assert document["periods"][1]["demand"] == 10, "4 x 2 with 20% scrap, by revision A, not B"
    assert [p["date"] for p in short_periods(document)] == ["2026-12-01", "2026-12-03"]
