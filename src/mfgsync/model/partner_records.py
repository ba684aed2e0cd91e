"""What the hub keeps of its exchanges with trading partners, as entities of their own.

- ControlNumbers (`control_numbers`, key CTRL:<partner>): the last interchange and group
  control numbers the hub used towards a partner. Written with the entity's version
  compare-and-set in the transaction that emits the interchange, so numbers never repeat and,
  since a rolled-back transaction takes its number with it, never skip.
- SentInterchange (`sent_interchange`, key SENTX:<partner>|<number>, ref: the partner): one
  interchange the hub sent, the sets it held (with their purchase orders), when its functional
  acknowledgement (997/CONTRL) is due and what it said.
- ReceivedInterchange (`received_interchange`, key RCVX:<partner>|<number>, ref: the partner):
  one interchange a partner sent, with the digest of its text (a control number used again for
  other content is refused), its envelope warnings and faults, the functional acknowledgements
  it carried, and the replies the hub owes it (997 bodies, a CONTRL, a TA1).
- SupplierOrder (`supplier_order`, key SUPORD:<po>, ref: the partner): a purchase order's life
  with its supplier: when it was first sent, acknowledged (855/ORDRSP) and by which document.
- ExpectedReceipt (`expected_receipt`, key EXPRCPT:<asn>|<n>, ref: the item): one ship-notice
  line (PO line, lot, SSCC) on its way, in the item's base unit, with what has arrived of it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Annotated

from pydantic import Field

from mfgsync.model.base import Canonical, Quantity
from mfgsync.model.entities import Key, Ordinal, Text, Uom


class ControlNumbers(Canonical):
    partner: Key
    interchange: Annotated[int, Field(ge=0, le=999_999_999)] = 0
    group: Annotated[int, Field(ge=0, le=999_999_999)] = 0


class SentSet(Canonical):
    set_id: Key  # 850, 860, ORDERS, 997, CONTRL, ...
    control_number: Key
    po_number: Key | None = None
    status: str | None = None  # accepted / rejected, as the partner's acknowledgement says


class InterchangeStatus(StrEnum):
    sent = "sent"  # waiting for its functional acknowledgement
    accepted = "accepted"
    partially_accepted = "partially_accepted"
    rejected = "rejected"
    not_expected = "not_expected"  # an acknowledgement of the partner's own interchange


class SentInterchange(Canonical):
    partner: Key
    format: Key  # x12, edifact or webhook
    control_number: Key
    group_control_number: Key | None = None
    purpose: Key  # order, change, cancel, acknowledgement
    sets: list[SentSet] = []
    sent_at: datetime
    ack_due_at: datetime | None = None
    status: InterchangeStatus = InterchangeStatus.sent
    acknowledged_at: datetime | None = None
    errors: list[Text] = []


class ReceivedInterchange(Canonical):
    """The envelope of an interchange a partner sent, as `interchange.received` carries it."""
    partner: Key
    format: Key
    control_number: Key
    sender: Annotated[str, Field(max_length=35)]
    receiver: Annotated[str, Field(max_length=35)]
    digest: Key
    status: Key  # accepted, accepted_with_warnings, rejected
    warnings: list[Text] = []
    errors: list[Text] = []
    documents: Annotated[int, Field(ge=0)] = 0
    # Functional acknowledgements (997, CONTRL, TA1) the interchange carried, as the formats read them.
    functional_acks: list[dict[str, Any]] = []
    # What the hub owes in reply: {"type": "997"|"CONTRL"|"TA1", "body": {...}}.
    replies: list[dict[str, Any]] = []


class SupplierOrder(Canonical):
    po_number: Key
    partner: Key
    sent_at: datetime
    interchanges: list[Key] = []  # control numbers of every interchange that carried it
    sent_digest: Key  # of what the partner was last told (lines, quantities, dates, prices, status)
    cancelled: bool = False
    acknowledged_at: datetime | None = None
    ack_id: Key | None = None
    ack_type: Key | None = None


class ExpectedReceipt(Canonical):
    asn_id: Key
    line_index: Ordinal
    po_number: Key
    po_line_no: Ordinal | None = None
    item_id: Key
    lot_id: Key | None = None
    sscc: Annotated[str, Field(max_length=35)] | None = None
    qty: Quantity  # in the item's base unit
    uom: Uom
    plant_id: Key
    location_id: Key
    received_qty: Quantity = Decimal(0)
    expected_arrival: date | None = None
    status: Key = "in_transit"  # in_transit, received


MODELS: dict[str, type[Canonical]] = {
    "control_numbers": ControlNumbers, "sent_interchange": SentInterchange,
    "received_interchange": ReceivedInterchange, "supplier_order": SupplierOrder,
    "expected_receipt": ExpectedReceipt,
}
