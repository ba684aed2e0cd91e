"""Stories of stock movements: what may leave a location, and what held stock may do."""

from decimal import Decimal

from rules_builders import codes, movement, plant_state

from mfgsync.envelope import EventType
from mfgsync.model.entities import InventoryBalance, InventorySnapshot, ProductionOrder, ProductionReport, QualityHold
from mfgsync.model.units import Conversion
from mfgsync.rules.reasons import CATALOGUE
from mfgsync.rules.validation import Policy, validate

MOVED = EventType.inventory_moved


def stocked(qty="10", location="A-01", lot=None, item_id="BOLT-9"):
    state = plant_state()
    state.stock[(item_id, "P1", location, lot)] = Decimal(qty)
    state.put(ProductionOrder(order_id="MO-1", item_id="PUMP-100", qty=1, plant_id="P1", status="released"))
    return state


def test_an_issue_within_available_stock_is_accepted():
    assert validate(MOVED, movement("issue", "10", from_location="A-01"), stocked("10")) == []


def test_a_movement_that_would_take_available_stock_below_zero_is_rejected_where_the_plants_policy_is_reject_and_only_alerted_where_it_is_alert():
    issue = movement("issue", "15", from_location="A-01")
    rejected = validate(MOVED, issue, stocked("10"), Policy(negative_stock={"P2": "alert"}))
    alerted = validate(MOVED, issue, stocked("10"), Policy(negative_stock={"P1": "alert"}))
    assert [(f.code, f.severity) for f in rejected] == [("STOCK_NEGATIVE", "reject")]
    assert [(f.code, f.severity) for f in alerted] == [("STOCK_NEGATIVE", "alert")]
    assert "would leave -5 C62 available at P1/A-01" in rejected[0].message
    assert CATALOGUE["STOCK_NEGATIVE"].role == "warehouse"


def test_the_default_negative_stock_policy_applies_to_plants_not_named():
    issue = movement("issue", "15", from_location="A-01")
    findings = validate(MOVED, issue, stocked("10"), Policy(default_negative_stock="alert"))
    assert [f.severity for f in findings] == ["alert"]


def test_stock_is_compared_in_the_items_base_unit():
    state = stocked("24")
    state.catalogue.add(Conversion("BOLT-9", "BX", "C62", Decimal(12)))
    assert validate(MOVED, movement("issue", "2", uom="BX", from_location="A-01"), state) == []
    assert codes(validate(MOVED, movement("issue", "3", uom="BX", from_location="A-01"), state)) == ["STOCK_NEGATIVE"]


def test_a_transfer_is_checked_at_the_location_it_leaves():
    transfer = movement("transfer", "12", from_location="A-01", to_location="B-02")
    findings = validate(MOVED, transfer, stocked("10"))
    assert codes(findings) == ["STOCK_NEGATIVE"] and "P1/A-01" in findings[0].message


def test_a_negative_adjustment_takes_stock_out_and_a_positive_one_does_not():
    assert codes(validate(MOVED, movement("adjustment", "-11", to_location="A-01"), stocked("10"))) == ["STOCK_NEGATIVE"]
    assert validate(MOVED, movement("adjustment", "5", to_location="A-01"), stocked("0")) == []


def test_a_receipt_never_drives_stock_negative():
    assert validate(MOVED, movement("receipt", "1", to_location="A-01"), stocked("-5")) == []


def test_stock_of_each_lot_is_its_own():
    issue = movement("issue", "5", from_location="A-01", lot_id="L2")
    assert codes(validate(MOVED, issue, stocked("10", lot="L1"))) == ["STOCK_NEGATIVE"]


def test_a_movement_of_an_unknown_item_or_in_a_foreign_unit_is_rejected():
    assert codes(validate(MOVED, movement("receipt", item_id="GHOST", to_location="A-01"), stocked())) == ["ITEM_UNKNOWN"]
    findings = validate(MOVED, movement("receipt", uom="KGM", to_location="A-01"), stocked())
    assert codes(findings) == ["UOM_NO_CONVERSION"] and findings[0].field == "uom"


def held(lot_id="L1", **stock):
    state = stocked(lot=lot_id, **stock)
    state.put(QualityHold(hold_id="QH-7", item_id="BOLT-9", lot_id=lot_id, reason="burrs"))
    return state


def test_a_movement_of_a_lot_on_quality_hold_is_rejected():
    findings = validate(MOVED, movement("issue", "1", from_location="A-01", lot_id="L1"), held())
    assert codes(findings) == ["LOT_ON_HOLD"]
    assert "QH-7" in findings[0].message and findings[0].severity == "reject"


def test_a_hold_on_the_whole_item_stops_every_lot():
    state = held(lot_id=None)
    assert codes(validate(MOVED, movement("issue", "1", from_location="A-01", lot_id="L9"), state)) == \
        ["LOT_ON_HOLD", "STOCK_NEGATIVE"]


def test_stock_may_still_arrive_into_a_held_lot():
    assert validate(MOVED, movement("receipt", "5", to_location="A-01", lot_id="L1"), held()) == []


def test_a_released_hold_no_longer_stops_the_lot():
    state = held()
    state.put(QualityHold(hold_id="QH-7", item_id="BOLT-9", lot_id="L1", status="released"))
    assert validate(MOVED, movement("issue", "1", from_location="A-01", lot_id="L1"), state) == []


def report(*movements):
    return ProductionReport(report_id="R-1", order_id="MO-1", plant_id="P1", movements=list(movements))


def test_within_one_production_report_consumptions_of_the_same_place_add_up():
    first = movement("consumption", "6", from_location="A-01", movement_id="MV-1")
    second = movement("consumption", "6", from_location="A-01", movement_id="MV-2")
    findings = validate(EventType.production_reported, report(first, second), stocked("10"))
    assert codes(findings) == ["STOCK_NEGATIVE"] and findings[0].field == "movements[1].qty"


def test_a_production_report_that_completes_and_consumes_in_order_is_accepted():
    done = movement("completion", "1", item_id="PUMP-100", to_location="FG")
    used = movement("consumption", "4", from_location="A-01", movement_id="MV-2")
    assert validate(EventType.production_reported, report(done, used), stocked("4")) == []


def test_a_count_naming_an_unknown_item_reports_it_once():
    balances = [InventoryBalance(item_id="GHOST", plant_id="P1", location_id=loc, qty=Decimal(1), uom="C62")
                for loc in ("A-01", "A-02")]
    snapshot = InventorySnapshot(snapshot_id="S-1", plant_id="P1", balances=balances)
    assert codes(validate(EventType.inventory_snapshot, snapshot, plant_state())) == ["ITEM_UNKNOWN"]


def test_a_hold_on_an_unknown_item_is_rejected():
    hold = QualityHold(hold_id="QH-1", item_id="GHOST")
    assert codes(validate(EventType.quality_hold, hold, plant_state())) == ["ITEM_UNKNOWN"]
