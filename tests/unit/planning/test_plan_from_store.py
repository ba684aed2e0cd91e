"""Planning the hub's own data: items, BOM revisions, stock, purchase and production orders,
as canonical model objects, become the MRP input; the revision effective in each bucket is used."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest

from mfgsync.model.entities import (
    Bom, BomLine, InventoryBalance, Item, ProductionOrder, PurchaseOrder, PurchaseOrderLine, UomConversion,
)
from mfgsync.planning.calendar import BucketCalendar, revision_order
from mfgsync.planning.from_store import EndDemand, build_mrp_input, plan_from_source
from mfgsync.planning.model import MrpInputError
from mfgsync.planning.pegging import peg

MONDAY = date(2026, 1, 5)
WEEKS = BucketCalendar(start=MONDAY, bucket_days=7, periods=8)


def week(n: int, day: int = 0) -> date:
    """Day `day` (0 = Monday) of week `n` of the horizon."""
    return WEEKS.bucket_start(n) + timedelta(days=day)


def pump_bom(revision: str, component: str, qty_per="1", **fields) -> Bom:
    return Bom(item_id="PUMP", revision=revision, lines=[
        BomLine(line_no=10, component_id=component, qty_per=Decimal(qty_per), uom="C62")], **fields)


def build(**objects) -> dict:
    objects.setdefault("items", [Item(item_id="PUMP", base_uom="C62")])
    objects.setdefault("boms", [])
    return build_mrp_input(WEEKS, "P1", **objects)


def test_a_revision_change_mid_horizon_switches_the_component_from_its_effective_bucket():
    boms = [pump_bom("A", "SEAL-OLD", effective_to=week(4, 2)),
            pump_bom("B", "SEAL-NEW", qty_per="2", effective_from=week(4, 3))]
    document = build(boms=boms, demands=[EndDemand("PUMP", week(n), Decimal(10)) for n in range(1, 9)])
    # Bucket 4 starts while A is effective; B takes over from bucket 5.
    assert [(b["component"], b["from_period"], b["to_period"]) for b in document["boms"]] == [
        ("SEAL-OLD", None, 4), ("SEAL-NEW", 5, None)]
    source = MemorySource(item_list=[Item(item_id="PUMP", base_uom="C62")], bom_list=boms)
    run = plan_from_source(source, WEEKS, "P1", [EndDemand("PUMP", week(n), Decimal(10)) for n in range(1, 9)])
    assert run.plan.record("SEAL-OLD")["gross"] == [10, 10, 10, 10, 0, 0, 0, 0]
    assert run.plan.record("SEAL-NEW")["gross"] == [0, 0, 0, 0, 20, 20, 20, 20]


def test_only_released_boms_for_the_plant_are_planned_and_the_plants_own_wins():
    boms = [pump_bom("C", "DRAFT-PART", status="draft"),
            pump_bom("A", "GLOBAL-PART"),
            pump_bom("A", "P1-PART", plant_id="P1"),
            pump_bom("A", "P2-PART", plant_id="P2")]
    assert [b["component"] for b in build(boms=boms)["boms"]] == ["P1-PART"]


def test_the_latest_effective_revision_wins_and_revisions_sort_naturally():
    boms = [pump_bom("9", "OLDER"), pump_bom("10", "NEWER")]
    assert [b["component"] for b in build(boms=boms)["boms"]] == ["NEWER"]
    assert sorted(["B", "A", "10", "9", "C.2", "C.10"], key=revision_order) == ["9", "10", "A", "B", "C.2", "C.10"]


def test_bom_quantities_and_stock_are_converted_to_each_items_base_unit():
    items = [Item(item_id="PUMP", base_uom="C62"), Item(item_id="STEEL", base_uom="KGM"),
             Item(item_id="NUT", base_uom="C62")]
    boms = [Bom(item_id="PUMP", revision="A", lines=[
        BomLine(line_no=10, component_id="STEEL", qty_per=Decimal(250), uom="GRM", scrap_pct=Decimal(5)),
        BomLine(line_no=20, component_id="NUT", qty_per=Decimal(1), uom="BX")])]
    balances = [InventoryBalance(item_id="NUT", plant_id="P1", location_id="A1", qty=Decimal(3), uom="BX"),
                InventoryBalance(item_id="STEEL", plant_id="P1", location_id="A2", qty=Decimal(1500), uom="GRM")]
    document = build(items=items, boms=boms, balances=balances,
                     conversions=[UomConversion(item_id="NUT", from_uom="BX", to_uom="C62", factor=Decimal(12))])
    assert [(b["component"], b["qty_per"], b["scrap_pct"]) for b in document["boms"]] == [
        ("STEEL", Decimal("0.25"), Decimal(5)), ("NUT", Decimal(12), Decimal(0))]
    stock = {i["item_id"]: i["on_hand"] for i in document["items"]}
    assert stock == {"PUMP": 0, "STEEL": Decimal("1.5"), "NUT": Decimal(36)}


def test_a_unit_with_no_conversion_is_refused_with_its_reason():
    items = [Item(item_id="NUT", base_uom="C62")]
    balances = [InventoryBalance(item_id="NUT", plant_id="P1", location_id="A1", qty=Decimal(3), uom="KGM")]
    with pytest.raises(MrpInputError) as refused:
        build(items=items, balances=balances)
    assert refused.value.code == "UOM_NO_CONVERSION"


def test_available_stock_is_free_allocated_stock_is_promised_and_held_or_moving_stock_is_neither():
    balances = [InventoryBalance(item_id="PUMP", plant_id="P1", location_id="A", status=status, qty=Decimal(qty), uom="C62")
                for status, qty in [("available", 40), ("allocated", 15), ("quality_hold", 7), ("in_transit", 9)]]
    balances.append(InventoryBalance(item_id="PUMP", plant_id="P2", location_id="A", qty=Decimal(500), uom="C62"))
    [pump] = build(balances=balances)["items"]
    assert (pump["on_hand"], pump["allocated"]) == (55, 15)  # a starting balance of 40


def test_item_planning_parameters_map_to_buckets_and_lot_rules():
    items = [Item(item_id="BUY", lead_time_days=10, lot_rule="fixed", fixed_lot=Decimal(50), safety_stock=Decimal(5)),
             Item(item_id="MAKE", lead_time_days=14, lot_rule="min_multiple", order_min=Decimal(20),
                  order_multiple=Decimal(5)),
             Item(item_id="KIT", item_type="phantom", lead_time_days=3, lot_rule="fixed", fixed_lot=Decimal(10)),
             Item(item_id="ODD", lot_rule="fixed")]
    planned = {i["item_id"]: i for i in build(items=items)["items"]}
    assert (planned["BUY"]["lead_time"], planned["BUY"]["lot_rule"], planned["BUY"]["fixed_lot"]) == (2, "fixed", 50)
    assert (planned["MAKE"]["lead_time"], planned["MAKE"]["order_min"], planned["MAKE"]["order_multiple"]) == (2, 20, 5)
    assert (planned["KIT"]["lead_time"], planned["KIT"]["lot_rule"]) == (0, "lot_for_lot")
    assert planned["ODD"]["lot_rule"] == "lot_for_lot"  # a fixed rule with no lot cannot be followed


def po(status: str, *lines: PurchaseOrderLine) -> PurchaseOrder:
    return PurchaseOrder(po_number="4500000001", supplier_id="NORTHFAST", status=status, lines=list(lines))


def po_line(line_no: int, qty: int, received: int = 0, **fields) -> PurchaseOrderLine:
    return PurchaseOrderLine(line_no=line_no, item_id="PUMP", qty=Decimal(qty), uom="C62",
                             received_qty=Decimal(received), **fields)


def test_open_purchase_order_lines_are_scheduled_receipts_at_their_promised_or_needed_date():
    orders = [po("acknowledged", po_line(10, 100, received=30, need_date=week(2), promised_date=week(3, 4)),
                 po_line(20, 50, need_date=week(5)),
                 po_line(30, 50, received=50, need_date=week(5)),
                 po_line(40, 50, need_date=week(6), status="cancelled"),
                 po_line(50, 50, need_date=week(12)),
                 po_line(60, 50, need_date=date(2025, 12, 1))),
              po("draft", po_line(10, 999, need_date=week(1)))]
    assert build(purchase_orders=orders)["scheduled_receipts"] == [
        {"item_id": "PUMP", "period": 3, "qty": 70, "ref": "PO 4500000001/10"},
        {"item_id": "PUMP", "period": 5, "qty": 50, "ref": "PO 4500000001/20"},
        {"item_id": "PUMP", "period": 1, "qty": 50, "ref": "PO 4500000001/60"},  # overdue: still expected
    ]


def test_open_production_orders_of_the_plant_are_scheduled_receipts_at_their_due_date():
    orders = [ProductionOrder(order_id=f"MO-{status}", item_id="PUMP", qty=Decimal(20), plant_id=plant,
                              status=status, due_date=week(2))
              for status, plant in [("planned", "P1"), ("released", "P1"), ("in_process", "P1"),
                                    ("completed", "P1"), ("released", "P2")]]
    receipts = build(production_orders=orders)["scheduled_receipts"]
    assert [r["ref"] for r in receipts] == ["production order MO-planned", "production order MO-released",
                                            "production order MO-in_process"]


def test_what_an_open_order_still_needs_of_its_components_is_demand_on_its_start():
    """20 pumps released on revision A (2 seals each, 5% scrap) start in week 2 and have taken
    10 seals already; a planned order on no revision yet needs what the revision effective then
    asks; a completed order and another plant's order need nothing."""
    boms = [pump_bom("A", "SEAL", qty_per="2"), pump_bom("B", "GASKET", effective_from=week(3))]
    boms[0].lines[0] = boms[0].lines[0].model_copy(update={"scrap_pct": Decimal(5)})
    orders = [ProductionOrder(order_id="MO-1", item_id="PUMP", qty=Decimal(19), plant_id="P1", status="released",
                              bom_revision="A", start_date=week(2)),
              ProductionOrder(order_id="MO-2", item_id="PUMP", qty=Decimal(3), plant_id="P1", status="planned",
                              start_date=week(4)),
              ProductionOrder(order_id="MO-3", item_id="PUMP", qty=Decimal(5), plant_id="P1", status="completed",
                              bom_revision="A", start_date=week(1)),
              ProductionOrder(order_id="MO-4", item_id="PUMP", qty=Decimal(5), plant_id="P2", status="released",
                              bom_revision="A", start_date=week(1))]
    demand = build(boms=boms, production_orders=orders, consumed={("MO-1", "SEAL"): Decimal(10)})["demand"]
    assert [(d["item_id"], d["period"], d["qty"], d["ref"]) for d in demand] == [
        ("SEAL", 2, Decimal(30), "production order MO-1"), ("GASKET", 4, Decimal(3), "production order MO-2")]


def test_end_demand_overdue_is_due_now_and_beyond_the_horizon_waits():
    demands = [EndDemand("PUMP", date(2025, 12, 24), Decimal(4), ref="SO-1"),
               EndDemand("PUMP", week(3, 6), Decimal(2), uom="DZN", ref="SO-2"),
               EndDemand("PUMP", week(9), Decimal(1), ref="SO-3")]
    assert build(demands=demands)["demand"] == [
        {"item_id": "PUMP", "period": 1, "qty": 4, "ref": "SO-1"},
        {"item_id": "PUMP", "period": 3, "qty": 24, "ref": "SO-2"}]


@dataclass
class MemorySource:
    """The PlanningSource protocol over lists, as a store would answer it."""

    item_list: list = field(default_factory=lambda: [Item(item_id="PUMP", base_uom="C62", lead_time_days=7)])
    bom_list: list = field(default_factory=list)
    po_list: list = field(default_factory=list)

    def items(self):
        return self.item_list

    def boms(self):
        return self.bom_list

    def conversions(self):
        return []

    def balances(self):
        return []

    def purchase_orders(self):
        return self.po_list

    def production_orders(self):
        return []

    def consumed(self):
        return {}


def seal_order(promised: date) -> PurchaseOrder:
    return PurchaseOrder(po_number="4500000007", supplier_id="NORTHFAST", status="sent", lines=[
        PurchaseOrderLine(line_no=10, item_id="SEAL", qty=Decimal(40), uom="C62", promised_date=promised)])


def test_a_supplier_order_traces_to_the_customer_order_it_serves_until_the_supplier_slips():
    # The pump (one week to build) is due in week 4 for SO-77: released in week 3, it needs 20 seals.
    demand = [EndDemand("PUMP", week(4), Decimal(10), ref="SO-77")]
    on_time = plan_from_source(MemorySource(bom_list=[pump_bom("A", "SEAL", qty_per="2")], po_list=[seal_order(week(2))]),
                               WEEKS, "P1", demand)
    assert on_time.input.scheduled_receipts[0].ref == "PO 4500000007/10"
    receipt = peg(on_time.input, on_time.plan).of_scheduled_receipt(0)
    assert [on_time.input.demand[d].ref for d in receipt.end_demands] == ["SO-77"]
    # It arrives a week before it is needed: the planner may defer it.
    assert [(e.kind, e.period, e.needed_period) for e in on_time.plan.exceptions()] == [("defer", 2, 3)]

    # The supplier now promises week 5: the receipt must be expedited, and until then MRP plans
    # 20 seals for week 3 to keep the customer order.
    slipped = plan_from_source(MemorySource(bom_list=[pump_bom("A", "SEAL", qty_per="2")], po_list=[seal_order(week(5))]),
                               WEEKS, "P1", demand)
    assert [(e.kind, e.period, e.needed_period) for e in slipped.plan.exceptions()] == [("expedite", 5, 3)]
    assert [(o.item_id, o.due_period, o.qty) for o in slipped.plan.planned_orders()] == [
        ("PUMP", 4, 10), ("SEAL", 3, 20)]
