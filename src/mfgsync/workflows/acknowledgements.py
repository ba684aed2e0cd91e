"""Acknowledgements both ways, and what a supplier's acknowledgement means for planning.

- Every interchange a partner sends (`interchange.received`) is answered: the 997s (and a TA1
  when the partner asked or the envelope was at fault) or the CONTRL worked out when it was
  read go back on the partner's channel under the hub's next control number. A broken envelope
  is a supply_chain exception.
- A 997, CONTRL or TA1 it carries closes the hub's interchange it answers: accepted, partially
  accepted or rejected, the overdue check cancelled, an overdue exception already raised
  resolved; a rejection is an exception naming the rejected sets and their orders.
- An 855/ORDRSP (`po.acknowledged`) updates each line: status, committed quantity (a changed
  line's new quantity, 0 for a rejected one), promised date. A promise after the need date, a
  reduced quantity or a rejection is a planner exception naming the orders whose material it
  makes late: when a kept plan pegs the line (`plan_pegging`, pipeline/plan_results.py), exactly
  the orders pegged to it, each with the quantity of the line that now comes late or not at all;
  else the open production orders whose BOM uses the item. Planning from the store then sees the
  committed quantity on the promised date. Each committed line is expected to ship (its ASN) by
  its promised date.
"""

from __future__ import annotations

from datetime import datetime, time, timezone
from decimal import Decimal
from typing import Any

from mfgsync.formats.partner_documents import render_replies
from mfgsync.model import entities as m
from mfgsync.model import keys
from mfgsync.model.base import decimal_to_number
from mfgsync.model.partner_records import InterchangeStatus, ReceivedInterchange, SentInterchange
from mfgsync.model.plan_records import PLAN_PEGGING, PeggedKind, PeggedOrder, PlanPegging, PlanStatus
from mfgsync.model.states import PoStatus
from mfgsync.workflows import partner_channel as channel
from mfgsync.workflows.effects import Effect, Put, Raise, Resolve, ScheduleAt, Unschedule
from mfgsync.workflows.event import Event
from mfgsync.workflows.supplier_orders import PO_ACK_OVERDUE, ack_schedule, asn_schedule

ASN_OVERDUE = "ASN_OVERDUE"
_ACCEPTED = {"A": InterchangeStatus.accepted, "E": InterchangeStatus.accepted,
             "P": InterchangeStatus.partially_accepted, "R": InterchangeStatus.rejected,
             "7": InterchangeStatus.accepted, "4": InterchangeStatus.rejected}


# --- interchanges ---

def on_interchange(event: Event, view: Any) -> list[Effect]:
    received: ReceivedInterchange = event.entity
    partner = channel.partner_named(view, received.partner)
    effects: list[Effect] = []
    if received.status == "rejected":
        effects.append(Raise("EDI_ENVELOPE_REJECTED", "supply_chain",
                             f"{received.partner} interchange {received.control_number} was rejected whole: "
                             + "; ".join(received.errors), keys.received_interchange(received.partner,
                                                                                     received.control_number)))
    for ack in received.functional_acks:
        effects += _close(view, received.partner, ack, event.time)
    if partner is not None and partner.kind != "webhook" and received.replies:
        number, take = channel.next_number(view, partner)
        rendered = render_replies(received.replies, channel.addressing(partner, number, event.time),
                                  partner.partner_profile())
        stream = keys.partner_stream(partner.name, f"ack-{received.control_number}")
        effects += [take, *channel.send(partner, number, rendered, "acknowledgement", None, event.time, stream,
                                        expects_ack=False)]
    return effects


def _close(view: Any, partner: str, ack: dict[str, Any], at: datetime) -> list[Effect]:
    """A partner's 997, CONTRL or TA1 applied to the hub's interchange it answers."""
    number, status, set_statuses = _answered(ack)
    key = channel.sent_key(partner, number)
    sent: SentInterchange | None = view.record(key, "sent_interchange")
    if sent is None:
        return [Raise("EDI_ACK_UNMATCHED", "admin", f"{partner} acknowledged interchange {number}, which the hub "
                                                    "did not send it", key)]
    if ack["type"] == "TA1" and status != InterchangeStatus.rejected:
        return []  # the envelope arrived; the 997 still answers the documents
    sets = [s.model_copy(update={"status": set_statuses.get(s.control_number, s.status)}) for s in sent.sets]
    rejected = [s for s in sets if s.status in ("R", "4")] or (sets if status == InterchangeStatus.rejected else [])
    closed = sent.model_copy(update={"status": status, "sets": sets, "acknowledged_at": at,
                                     "errors": [*sent.errors, *_errors(ack)][:50]})
    effects: list[Effect] = [Put(key, "sent_interchange", partner, closed), Unschedule(channel.ack_schedule(key)),
                             Resolve(key, channel.ACK_OVERDUE, f"acknowledged at {at.isoformat()}, after it was due")]
    if rejected:
        named = ", ".join(f"{s.set_id} {s.control_number}" + (f" (PO {s.po_number})" if s.po_number else "")
                          for s in rejected)
        effects.append(Raise("EDI_INTERCHANGE_REJECTED", "supply_chain",
                             f"{partner} rejected interchange {number}: {named}", key))
    return effects


def _answered(ack: dict[str, Any]) -> tuple[str, InterchangeStatus, dict[str, str]]:
    """(the hub's interchange number it answers, the verdict, each set's status by control number)."""
    if ack["type"] == "997":
        sets = {s.get("control_number", ""): s.get("status", "") for s in ack.get("sets", [])}
        return str(ack.get("group_control_number", "")), _ACCEPTED.get(ack.get("status", ""),
                                                                       InterchangeStatus.rejected), sets
    if ack["type"] == "CONTRL":
        sets = {s.get("reference", ""): s.get("action", "") for s in ack.get("messages", [])}
        return str(ack.get("interchange_reference", "")), _ACCEPTED.get(ack.get("action", ""),
                                                                        InterchangeStatus.rejected), sets
    status = InterchangeStatus.rejected if ack.get("status") == "R" else InterchangeStatus.accepted
    return str(ack.get("control_number", "")), status, {}


def _errors(ack: dict[str, Any]) -> list[str]:
    found = [f"group error {code}" for code in ack.get("group_errors", [])]
    found += [f"{s.get('set_id', '')} {s.get('control_number', '')}: error {', '.join(s.get('errors', []))}"
              for s in ack.get("sets", []) if s.get("errors")]
    if ack.get("error"):
        found.append(f"syntax error {ack['error']}")
    if ack.get("type") == "TA1" and ack.get("note") not in (None, "", "000"):
        found.append(f"TA1 note {ack['note']}")
    return found


# --- purchase order acknowledgements ---

def on_po_acknowledged(event: Event, view: Any) -> list[Effect]:
    ack: m.PoAcknowledgement = event.entity
    po = view.purchase_order(ack.po_number)
    if po is None:
        return []  # refused by the rules before it gets here
    answered = {line.line_no: line for line in ack.lines}
    effects: list[Effect] = []
    lines = []
    for line in po.lines:
        updated = _acknowledged_line(line, answered.get(line.line_no), ack.ack_type)
        effects += _planning_consequences(view, po, line, updated)
        effects += _shipment_due(po, line, updated, view)
        lines.append(updated)
    status = PoStatus.acknowledged if po.status in (PoStatus.approved, PoStatus.sent) else po.status
    effects.insert(0, Put(keys.purchase_order(po.po_number), "purchase_order", po.supplier_id,
                          po.model_copy(update={"lines": lines, "status": status})))
    effects += _order_acknowledged(view, po, ack, event.time)
    return effects


def _acknowledged_line(line: m.PurchaseOrderLine, answer: m.PoAcknowledgementLine | None,
                       ack_type: m.AckType) -> m.PurchaseOrderLine:
    if answer is None:  # a line the acknowledgement does not mention follows its header
        if ack_type == m.AckType.rejected:
            return line.model_copy(update={"status": m.PoLineStatus.rejected, "committed_qty": Decimal(0)})
        if ack_type == m.AckType.accepted:
            return line.model_copy(update={"status": m.PoLineStatus.accepted, "committed_qty": line.qty})
        return line
    status = m.PoLineStatus(answer.status.value)
    committed = Decimal(0) if status == m.PoLineStatus.rejected else \
        answer.qty if answer.qty is not None else line.qty
    return line.model_copy(update={"status": status, "committed_qty": committed,
                                   "promised_date": answer.promised_date or line.promised_date})


def _planning_consequences(view: Any, po: m.PurchaseOrder, before: m.PurchaseOrderLine,
                           after: m.PurchaseOrderLine) -> list[Effect]:
    """Planner exceptions for a line that now comes late, short or not at all."""
    findings = []
    committed = after.committed_qty if after.committed_qty is not None else after.qty
    if after.status == m.PoLineStatus.rejected:
        findings.append(("PO_LINE_REJECTED", f"rejected by the supplier: {after.qty} {after.uom} will not come"))
    elif committed < after.qty:
        findings.append(("PO_QTY_REDUCED", f"the supplier commits {committed} of {after.qty} {after.uom}"))
    late = after.promised_date and after.need_date and after.promised_date > after.need_date
    if late and after.status != m.PoLineStatus.rejected and after.promised_date != before.promised_date:
        findings.append(("PO_PROMISED_LATE", f"promised {after.promised_date}, needed {after.need_date}"))
    if not findings:
        return []
    pegged = _kept_pegging(view, po.po_number, after.line_no)
    entity = f"{keys.purchase_order(po.po_number)}#{after.line_no}"
    return [Raise(code, "planner", f"PO {po.po_number} line {after.line_no} ({after.item_id}): {text}; "
                                   + (_pegged_late(pegged, code, after) if pegged else _used_late(view, code, after)),
                  entity) for code, text in findings]


def _kept_pegging(view: Any, po_number: str, line_no: int) -> list[PlanPegging]:
    """The plants' kept plans that peg the line to orders. A line a plan holds only as stock
    is left to where-used: an order may still count on it that the plan did not see (released
    after the plan was kept)."""
    return [p for p in view.records_of(PLAN_PEGGING, po_number)
            if p.line_no == line_no and p.status == PlanStatus.current and p.orders]


def _used_late(view: Any, code: str, after: m.PurchaseOrderLine) -> str:
    # A late promise makes late the orders starting before it; a shortfall, every open one.
    hit = [o for o in view.orders_using(after.item_id) if code != "PO_PROMISED_LATE" or o.start_date is None
           or o.start_date < after.promised_date]
    return f"production orders whose material is late: {', '.join(o.order_id for o in hit) or 'none open'}"


def _pegged_late(pegged: list[PlanPegging], code: str, after: m.PurchaseOrderLine) -> str:
    plants = ", ".join(sorted({p.plant_id for p in pegged}))
    named = ", ".join(f"{_order_name(order)} ({decimal_to_number(qty)} {p.uom or after.uom}, needed {order.need_date})"
                      for p in pegged for order, qty in _late_shares(p, code, after))
    return f"orders the plan of {plants} pegs to it whose material is late: {named or 'none'}"


def _late_shares(pegging: PlanPegging, code: str, after: m.PurchaseOrderLine) -> list[tuple[PeggedOrder, Decimal]]:
    """Each pegged order with what of its share of the line now comes late or not at all."""
    if code == "PO_LINE_REJECTED":
        return [(o, o.qty) for o in pegging.orders]
    if code == "PO_PROMISED_LATE":
        return [(o, o.qty) for o in pegging.orders if o.need_date < after.promised_date]
    committed = after.committed_qty if after.committed_qty is not None else after.qty
    # The line is allotted to its orders by need date and what is left is stock: a shortfall
    # takes the stock first, then the latest needs.
    short = pegging.open_qty - (committed - after.received_qty) - pegging.stock_qty
    shares = []
    for order in reversed(pegging.orders):
        if short <= 0:
            break
        shares.append((order, min(order.qty, short)))
        short -= order.qty
    return shares[::-1]


def _order_name(order: PeggedOrder) -> str:
    return {PeggedKind.production_order: "production order ", PeggedKind.planned_order: "planned order ",
            PeggedKind.demand: "demand ", PeggedKind.allocated: ""}[order.kind] + order.order


def _shipment_due(po: m.PurchaseOrder, before: m.PurchaseOrderLine, after: m.PurchaseOrderLine,
                  view: Any) -> list[Effect]:
    """The line's ship notice is expected before its promised date (a new promise moves the check)."""
    effects: list[Effect] = []
    if asn_schedule(po.po_number, before) != asn_schedule(po.po_number, after):
        effects.append(Unschedule(asn_schedule(po.po_number, before)))
    day = after.promised_date or after.need_date
    committed = after.committed_qty if after.committed_qty is not None else after.qty
    if day is None or committed <= after.shipped_qty or channel.partner_for(view, po.supplier_id) is None:
        return effects
    due = datetime.combine(day, time(0), timezone.utc)
    detail = (f"no ship notice for PO {po.po_number} line {after.line_no} ({after.item_id}, "
              f"{committed - after.shipped_qty} {after.uom} open) before its promised date {day}")
    entity = f"{keys.purchase_order(po.po_number)}#{after.line_no}"
    effects.append(ScheduleAt(due, Raise(ASN_OVERDUE, "supply_chain", detail, entity),
                              asn_schedule(po.po_number, after)))
    return effects


def _order_acknowledged(view: Any, po: m.PurchaseOrder, ack: m.PoAcknowledgement, at: datetime) -> list[Effect]:
    """The order's exchange record (first acknowledgement) and its overdue check closed."""
    key = keys.supplier_order(po.po_number)
    record = view.record(key, "supplier_order")
    effects: list[Effect] = [Unschedule(ack_schedule(po.po_number)),
                             Resolve(keys.purchase_order(po.po_number), PO_ACK_OVERDUE,
                                     f"acknowledged at {at.isoformat()}, after it was due")]
    if record is not None and record.acknowledged_at is None:
        effects.append(Put(key, "supplier_order", record.partner, record.model_copy(
            update={"acknowledged_at": at, "ack_id": ack.ack_id, "ack_type": ack.ack_type.value})))
    return effects
