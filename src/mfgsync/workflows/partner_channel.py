"""What every supplier workflow does to talk to a trading partner: find its channel, take the
next control number, and send an interchange (or a webhook call) that is then expected to be
acknowledged in the partner's window.

Control numbers come from the partner's ControlNumbers entity, written (with its version
compare-and-set) in the same transaction as the delivery it numbers: two writers taking the same
number make one of them run again, and a transaction that rolls back takes its number with it,
so numbers are neither reused nor skipped.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from mfgsync.formats.partner_documents import Addressing, Rendered
from mfgsync.model import keys
from mfgsync.model.partner_records import (ControlNumbers, InterchangeStatus, SentInterchange, SentSet)
from mfgsync.workflows.effects import Effect, Emit, Put, Raise, ScheduleAt

ACK_OVERDUE = "EDI_ACK_OVERDUE"


def partner_for(view: Any, supplier_id: str) -> Any | None:
    """The trading partner (a configured system) serving a supplier, if any."""
    return view.partners().get(supplier_id)


def partner_named(view: Any, name: str) -> Any | None:
    return next((p for p in view.partners().values() if p.name == name), None)


def channel(partner: Any) -> str:
    return "webhook" if partner.kind == "webhook" else partner.kind


def next_number(view: Any, partner: Any) -> tuple[int, Put]:
    """The partner's next control number and the write that takes it."""
    key = keys.control_numbers(partner.name)
    held = view.record(key, "control_numbers") or ControlNumbers(partner=partner.name)
    number = held.interchange + 1
    return number, Put(key, "control_numbers", partner.name,
                       held.model_copy(update={"interchange": number, "group": number}))


def addressing(partner: Any, number: int, at: datetime) -> Addressing:
    return Addressing(partner.kind, partner.sender_id, partner.receiver_id, number, at.date(),
                      at.time().replace(second=0, microsecond=0), partner.sender_qualifier,
                      partner.receiver_qualifier, partner.version, partner.directory, partner.ta1_requested)


def sent_key(partner: str, number: int | str) -> str:
    return keys.sent_interchange(partner, str(int(number)) if str(number).isdigit() else str(number))


def send(partner: Any, number: int, rendered: Rendered, purpose: str, po_number: str | None, at: datetime,
         stream: str, expects_ack: bool = True) -> list[Effect]:
    """The interchange to the partner's channel, its record, and (for business documents) the
    overdue exception scheduled for when its functional acknowledgement is due."""
    payload = {"file_name": f"{partner.name}-{number:09d}-{purpose}.edi", "text": rendered.text,
               "control_number": number}
    emit = Emit(partner.name, "edi.send", f"edi:{partner.name}:{number}", payload, stream)
    due = at + timedelta(hours=partner.ack_window_hours) if expects_ack else None
    record = SentInterchange(
        partner=partner.name, format=partner.kind, control_number=str(number),
        group_control_number=rendered.group_control_number, purpose=purpose,
        sets=[SentSet(set_id=s, control_number=c, po_number=po_number) for s, c in rendered.sets],
        sent_at=at, ack_due_at=due,
        status=InterchangeStatus.sent if expects_ack else InterchangeStatus.not_expected)
    key = sent_key(partner.name, number)
    effects: list[Effect] = [emit, Put(key, "sent_interchange", partner.name, record)]
    if due is not None:
        detail = (f"{partner.name} has not acknowledged interchange {number} ({purpose}"
                  f"{' of PO ' + po_number if po_number else ''}) sent {at.isoformat()}: its "
                  f"{'997' if partner.kind == 'x12' else 'CONTRL'} was due by {due.isoformat()}")
        effects.append(ScheduleAt(due, Raise(ACK_OVERDUE, "supply_chain", detail, key), ack_schedule(key)))
    return effects


def ack_schedule(sent: str) -> str:
    """The identity of the overdue check of a sent interchange's functional acknowledgement."""
    return f"due:fa:{sent}"


def post(partner: Any, number: int, document: dict[str, Any], purpose: str, po_number: str, at: datetime,
         stream: str) -> list[Effect]:
    """A webhook partner's call: the canonical document as JSON, signed by the webhook connector;
    its 2xx answer is the acknowledgement of receipt, so no functional acknowledgement is due."""
    body = {"type": f"purchase_order.{purpose}", "control_number": number, "sent_at": at.isoformat(),
            "purchase_order": document}
    emit = Emit(partner.name, "po.send", f"webhook:{partner.name}:{number}", body, stream)
    record = SentInterchange(partner=partner.name, format="webhook", control_number=str(number), purpose=purpose,
                             sets=[SentSet(set_id="purchase_order", control_number=str(number), po_number=po_number)],
                             sent_at=at, status=InterchangeStatus.not_expected)
    return [emit, Put(sent_key(partner.name, number), "sent_interchange", partner.name, record)]


def digest(document: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()[:32]
