"""What a quality hold tells an ERP: one move per balance it moves, under an identity a re-delivery
finds again, in the item's stock stream — decided from the ledger alone."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from mfgsync.config import Plant
from mfgsync.envelope import EventType
from mfgsync.model import entities as m
from mfgsync.workflows.event import Event
from mfgsync.workflows.inventory import erp_hold_moves, erp_stock_moves, hold_moves

AT = datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc)


class Ledger:
    """The little of the hub's state these decisions read: balances, holds, and the routing."""

    def __init__(self, balances: list[m.InventoryBalance], holds: list[m.QualityHold] = (),
                 subscriptions: dict[EventType, list[str]] | None = None):
        self.balances, self.holds = balances, list(holds)
        self.subscriptions = subscriptions if subscriptions is not None else {
            EventType.quality_hold: ["erp", "archive"], EventType.quality_released: ["erp", "archive"],
            EventType.inventory_moved: ["erp"]}

    def balances_of(self, item_id):
        return [b for b in self.balances if b.item_id == item_id]

    def holds_on(self, item_id, lot_id):
        return [h for h in self.holds if h.item_id == item_id and h.status == m.HoldStatus.held
                and (h.lot_id is None or h.lot_id == lot_id)]

    def subscribers(self, event_type):
        return self.subscriptions.get(event_type, [])

    def takes_commands(self, target):
        return target == "erp"  # the archive is a drop folder: it takes envelopes

    def plants(self):
        return {"P1": Plant(erp_warehouse="WH1", erp_quarantine="QC", item_codes={"erp": {"SEAL": "P1-SEAL"}})}

    def item(self, item_id):
        return m.Item(item_id=item_id, base_uom="C62")


def _stock(lot: str, qty: str, status: str = "available", location: str = "MAIN") -> m.InventoryBalance:
    return m.InventoryBalance(item_id="SEAL", plant_id="P1", location_id=location, lot_id=lot, status=status,
                              qty=Decimal(qty), uom="C62")


def _event(hold: m.QualityHold) -> Event:
    kind = EventType.quality_hold if hold.status == m.HoldStatus.held else EventType.quality_released
    return Event(kind, hold, "wms:1", "wms", "wms-1", AT)


def test_a_hold_on_a_lot_asks_the_erp_to_quarantine_each_of_its_balances_in_the_items_stock_stream():
    ledger = Ledger([_stock("S-1", "40"), _stock("S-1", "8", location="LINE"), _stock("S-2", "60")])
    hold = m.QualityHold(hold_id="QH-1", item_id="SEAL", lot_id="S-1")
    emits = erp_hold_moves(_event(hold), hold, ledger)
    assert [(e.target, e.command, e.stream) for e in emits] == [("erp", "stock.hold", "INV:SEAL@P1")] * 2, \
        "only the ERP takes commands; the drop folder is not told"
    assert [e.effect_key for e in emits] == [
        "erp:hold:QH-1:held:POS:SEAL|P1|MAIN|S-1@2026-11-22T09:30:00+00:00",
        "erp:hold:QH-1:held:POS:SEAL|P1|LINE|S-1@2026-11-22T09:30:00+00:00"]
    first = emits[0].payload
    assert (first["location"], first["qty"], first["uom"], first["status"]) == ("MAIN", "40", "C62", "held")
    assert (first["code"], first["warehouse"], first["quarantine"]) == ("P1-SEAL", "WH1", "QC")
    assert [Decimal(e.payload["qty"]) for e in emits] == [-a.delta for a in hold_moves(hold, ledger) if a.delta < 0]


def test_a_hold_already_on_the_ledger_or_a_release_under_another_hold_tells_the_erp_nothing():
    on_hold = m.QualityHold(hold_id="QH-1", item_id="SEAL", lot_id="S-1")
    other = m.QualityHold(hold_id="QH-2", item_id="SEAL")
    ledger = Ledger([_stock("S-1", "40", "quality_hold")], holds=[on_hold, other])
    assert erp_hold_moves(_event(on_hold), on_hold, ledger) == [], "nothing left in available to hold"
    released = on_hold.model_copy(update={"status": m.HoldStatus.released})
    assert erp_hold_moves(_event(released), released, ledger) == [], "QH-2 still holds the lot"


def test_a_rejection_scraps_what_sits_on_hold_and_names_itself_apart_from_the_hold():
    hold = m.QualityHold(hold_id="QH-1", item_id="SEAL", lot_id="S-1", status="rejected")
    ledger = Ledger([_stock("S-1", "50", "quality_hold")], holds=[hold.model_copy(update={"status": "held"})])
    emit, = erp_hold_moves(_event(hold), hold, ledger)
    assert emit.effect_key == "erp:hold:QH-1:rejected:POS:SEAL|P1|MAIN|S-1@2026-11-22T09:30:00+00:00"
    assert (emit.payload["status"], emit.payload["qty"]) == ("rejected", "50")


def test_an_erp_not_subscribed_to_holds_gets_no_hold_moves_and_its_receipts_stay_in_storage():
    hold = m.QualityHold(hold_id="QH-1", item_id="SEAL", lot_id="S-1")
    ledger = Ledger([_stock("S-1", "40")], holds=[hold], subscriptions={EventType.inventory_moved: ["erp"]})
    assert erp_hold_moves(_event(hold), hold, ledger) == []
    receipt = m.InventoryMovement(movement_id="R-1", kind="receipt", item_id="SEAL", lot_id="S-1", qty=Decimal(5),
                                  uom="C62", plant_id="P1", to_location="MAIN")
    moved = Event(EventType.inventory_moved, receipt, "wms:2", "wms", "wms-2", AT)
    emit, = erp_stock_moves(moved, [receipt], ledger)
    assert "held" not in emit.payload
    mirroring = Ledger([_stock("S-1", "40")], holds=[hold])
    emit, = erp_stock_moves(moved, [receipt], mirroring)
    assert (emit.payload["held"], emit.payload["quarantine"]) == (True, "QC"), "it arrives on hold: into quarantine"
