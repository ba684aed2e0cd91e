"""Purchase orders out to their suppliers, on each partner's channel.

An approved order (from the ERP, or raised by replenishment under the approval policy) goes
out once as an X12 850, an EDIFACT ORDERS or a webhook call and becomes `sent`; a later change
of what the supplier was told (lines, quantities, dates, prices) goes out as a change (860, or
ORDERS with function 4), a cancellation as such (860 BCH 01, ORDERS function 1). Each
interchange takes the partner's next control number and is expected to be acknowledged: its
997/CONTRL within the partner's `ack_window_hours`, the order's 855/ORDRSP within
`po_ack_window_hours`; either missing becomes a supply_chain exception when due (a ScheduleAt
fired by the delivery workers). `send_order` is the pure decision replenishment calls too. An
order the ERP sends again (po.created or po.changed) keeps the supplier's side of it
(`merge_change`): its status with the supplier, promises, committed, shipped and received.

The records the supplier workflows keep (model/partner_records.py), by entity type:
- `purchase_order`: the order as the hub holds it, lines carrying the supplier's side:
  status, committed_qty, promised_date, shipped_qty, received_qty, invoiced_qty.
- `po_ack` (PoAcknowledgement, key ACK:<po>#<ack id>, ref the PO): each acknowledgement as sent.
- `ship_notice` (ShipNotice, key ASN:<asn id>, ref the supplier): each ship notice as sent.
- `expected_receipt` (key EXPRCPT:<asn>|<n>, ref the item): each ASN line in transit: PO line,
  lot, SSCC, quantity in the item's base unit, received so far.
- `invoice` (Invoice, key INVOICE:<number>, ref the PO).
- `sent_interchange` (key SENTX:<partner>|<number>, ref the partner): every interchange or
  webhook call the hub sent, its sets and orders, when its acknowledgement was due, came and said.
- `received_interchange` (key RCVX:<partner>|<number>, ref the partner): every interchange a
  partner sent, its digest, warnings, faults and the acknowledgements it carried.
- `supplier_order` (key SUPORD:<po>, ref the partner): when the order was first sent and first
  acknowledged (`mfgsync kpi` po_ack_turnaround_seconds), and what the partner was last told.
- `control_numbers` (key CTRL:<partner>): the last control number used towards the partner.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from mfgsync.formats.partner_documents import render_order
from mfgsync.model import entities as m
from mfgsync.model import keys
from mfgsync.model.partner_records import SupplierOrder
from mfgsync.model.states import PoStatus
from mfgsync.workflows import partner_channel as channel
from mfgsync.workflows.effects import Effect, Put, Raise, ScheduleAt, Unschedule
from mfgsync.workflows.event import Event

PO_ACK_OVERDUE = "PO_ACK_OVERDUE"
# Where an order stands once the supplier has it: a buyer's change re-sending "approved" keeps it.
_WITH_SUPPLIER = {PoStatus.sent, PoStatus.acknowledged, PoStatus.partially_shipped, PoStatus.shipped,
                  PoStatus.partially_received, PoStatus.received}
_BUYER_LINE_FIELDS = ("line_no", "item_id", "supplier_item_id", "qty", "uom", "unit_price", "need_date")
_SUPPLIER_LINE_FIELDS = ("promised_date", "committed_qty", "shipped_qty", "received_qty", "invoiced_qty")


def on_purchase_order(event: Event, view: Any) -> list[Effect]:
    """po.created / po.changed: send what the supplier has to be told."""
    po = view.purchase_order(event.entity.po_number) or event.entity
    return send_order(po, view, event.time)


def send_order(po: m.PurchaseOrder, view: Any, at: datetime) -> list[Effect]:
    """The effects of an order as it now stands reaching its supplier: nothing until approved,
    the order once, then each change or the cancellation. `at` is when (the deciding event's time)."""
    partner = channel.partner_for(view, po.supplier_id)
    if partner is None or po.status in (PoStatus.draft, PoStatus.pending_approval):
        return []
    record = view.record(keys.supplier_order(po.po_number), "supplier_order")
    told = channel.digest(_what_the_supplier_is_told(po))
    if record is None:
        purpose = "order" if po.status == PoStatus.approved else None
    elif record.cancelled:
        purpose = None
    elif po.status == PoStatus.cancelled:
        purpose = "cancel"
    else:
        purpose = "change" if told != record.sent_digest else None
    if purpose is None:
        return []
    number, take = channel.next_number(view, partner)
    stream = keys.partner_stream(partner.name, po.po_number)
    if partner.kind == "webhook":
        sent = channel.post(partner, number, po.model_dump(mode="json"), purpose, po.po_number, at, stream)
    else:
        rendered = render_order(po, purpose, channel.addressing(partner, number, at), partner.partner_profile())
        sent = channel.send(partner, number, rendered, purpose, po.po_number, at, stream)
    effects: list[Effect] = [take, *sent, _record(po, partner, record, number, told, purpose, at)]
    if purpose == "order":
        effects.append(Put(keys.purchase_order(po.po_number), "purchase_order", po.supplier_id,
                           po.model_copy(update={"status": PoStatus.sent})))
        effects.append(_acknowledgement_due(po, partner, at))
    elif purpose == "cancel":
        effects += [Unschedule(ack_schedule(po.po_number)),
                    *(Unschedule(asn_schedule(po.po_number, line)) for line in po.lines)]
    return effects


def merge_change(incoming: m.PurchaseOrder, current: m.PurchaseOrder) -> m.PurchaseOrder:
    """A buyer's change of an order the supplier already has: the buyer's fields change, the
    supplier's side (status with the supplier, promises, shipped and received quantities) stays."""
    status = current.status if incoming.status == PoStatus.approved and current.status in _WITH_SUPPLIER \
        else incoming.status
    held = {line.line_no: line for line in current.lines}
    lines = []
    for line in incoming.lines:
        before = held.get(line.line_no)
        if before is None:
            lines.append(line)
            continue
        kept = {name: getattr(before, name) for name in _SUPPLIER_LINE_FIELDS
                if getattr(line, name) in (None, 0) and getattr(before, name) not in (None, 0)}
        if line.status == m.PoLineStatus.open:
            kept["status"] = before.status
        lines.append(line.model_copy(update=kept))
    return incoming.model_copy(update={"status": status, "lines": lines})


def ack_schedule(po_number: str) -> str:
    return f"due:ack:{keys.purchase_order(po_number)}"


def asn_schedule(po_number: str, line: m.PurchaseOrderLine) -> str:
    """The identity of the check that a line's ship notice came before its promised (or need) date."""
    day = line.promised_date or line.need_date
    return f"due:asn:{keys.purchase_order(po_number)}#{line.line_no}#{day}"


def _what_the_supplier_is_told(po: m.PurchaseOrder) -> dict[str, Any]:
    return {"status": "cancelled" if po.status == PoStatus.cancelled else "open", "currency": po.currency,
            "lines": [{**{name: getattr(line, name) for name in _BUYER_LINE_FIELDS},
                       "cancelled": line.status == m.PoLineStatus.cancelled} for line in po.lines]}


def _record(po: m.PurchaseOrder, partner: Any, record: SupplierOrder | None, number: int, told: str,
            purpose: str, at: datetime) -> Put:
    if record is None:
        record = SupplierOrder(po_number=po.po_number, partner=partner.name, sent_at=at, sent_digest=told)
    updated = record.model_copy(update={"interchanges": [*record.interchanges, str(number)], "sent_digest": told,
                                        "cancelled": purpose == "cancel"})
    return Put(keys.supplier_order(po.po_number), "supplier_order", partner.name, updated)


def _acknowledgement_due(po: m.PurchaseOrder, partner: Any, at: datetime) -> ScheduleAt:
    due = at + timedelta(hours=partner.po_ack_window_hours)
    document = "855" if partner.kind == "x12" else "ORDRSP" if partner.kind == "edifact" else "acknowledgement"
    detail = (f"{partner.name} has not acknowledged purchase order {po.po_number} sent {at.isoformat()}: "
              f"its {document} was due by {due.isoformat()}")
    return ScheduleAt(due, Raise(PO_ACK_OVERDUE, "supply_chain", detail, keys.purchase_order(po.po_number)),
                      ack_schedule(po.po_number))
