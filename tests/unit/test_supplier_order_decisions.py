"""When an order goes to its supplier, and as what: the pure decision replenishment calls too,
over a view holding only what it reads."""

from __future__ import annotations

from datetime import datetime, timezone

from mfgsync.config import parse_settings
from mfgsync.model import entities as m
from mfgsync.model import keys
from mfgsync.workflows.effects import Emit, Put, ScheduleAt, Unschedule
from mfgsync.workflows.supplier_orders import merge_change, send_order

AT = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
PARTNERS = parse_settings("""
systems:
  northfast: {kind: x12, dropfolder: ./edi, sender_id: ACME, receiver_id: NORTHFAST, ack_window_hours: 12}
""").partners()


class View:
    """What send_order reads: partners and records by key; the effects it returns are applied."""

    def __init__(self):
        self.records: dict[str, object] = {}

    def partners(self):
        return PARTNERS

    def record(self, key, entity_type):
        return self.records.get(key)

    def apply(self, effects):
        for effect in effects:
            if isinstance(effect, Put):
                self.records[effect.key] = effect.entity
        return effects


def _order(status="approved", qty=100, supplier="northfast"):
    return m.PurchaseOrder.model_validate({"po_number": "PO-1", "supplier_id": supplier, "status": status,
                                           "lines": [{"line_no": 10, "item_id": "SEAL", "qty": qty, "uom": "C62"}]})


def _sent(effects):
    return [(e.command, e.payload["file_name"]) for e in effects if isinstance(e, Emit)]


def test_an_order_goes_out_once_approved_then_as_each_change_and_finally_its_cancellation():
    view = View()
    assert send_order(_order("pending_approval"), view, AT) == [], "not before it is approved"
    first = view.apply(send_order(_order(), view, AT))
    assert _sent(first) == [("edi.send", "northfast-000000001-order.edi")]
    assert [e.key for e in first if isinstance(e, ScheduleAt)] == ["due:fa:SENTX:northfast|1", "due:ack:PO:PO-1"]
    assert [e.when for e in first if isinstance(e, ScheduleAt)][0] == datetime(2026, 11, 20, 20, 0, tzinfo=timezone.utc)
    assert view.records[keys.purchase_order("PO-1")].status == "sent"
    assert send_order(_order("sent"), view, AT) == [], "nothing new to tell"
    change = view.apply(send_order(_order("sent", qty=120), view, AT))
    assert _sent(change) == [("edi.send", "northfast-000000002-change.edi")]
    cancel = view.apply(send_order(_order("cancelled", qty=120), view, AT))
    assert _sent(cancel) == [("edi.send", "northfast-000000003-cancel.edi")]
    assert {e.key for e in cancel if isinstance(e, Unschedule)} >= {"due:ack:PO:PO-1"}
    assert send_order(_order("cancelled", qty=130), view, AT) == [], "a cancelled order is not sent again"


def test_an_order_for_a_supplier_without_a_channel_stays_with_the_erp():
    assert send_order(_order(supplier="local-foundry"), View(), AT) == []


def test_a_buyers_change_keeps_the_suppliers_side_of_each_line():
    held = _order("acknowledged").model_copy(update={"lines": [_order().lines[0].model_copy(update={
        "status": m.PoLineStatus.changed, "committed_qty": 80, "promised_date": "2026-12-20", "shipped_qty": 30})]})
    merged = merge_change(_order("approved", qty=150), held)
    line = merged.lines[0]
    assert (merged.status, line.qty, line.status, line.committed_qty, str(line.promised_date), line.shipped_qty) == (
        "acknowledged", 150, "changed", 80, "2026-12-20", 30)
    assert merge_change(_order("cancelled"), held).status == "cancelled"
