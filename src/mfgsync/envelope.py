"""The envelope every message travels in (CloudEvents 1.0 shape) and the event-type catalogue."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt
from pydantic_core import PydanticCustomError

from mfgsync.model import entities as m
from mfgsync.model.identifiers import MAX_MESSAGE_ID_CHARS, identifier_problem
from mfgsync.model.partner_records import ReceivedInterchange
from mfgsync.model.timestamps import UtcTime


class EventType(StrEnum):
    item_upserted = "item.upserted"
    uom_conversion_upserted = "uom.conversion.upserted"
    supplier_upserted = "supplier.upserted"
    bom_released = "bom.released"
    routing_released = "routing.released"
    eco_approved = "eco.approved"
    sourcing_updated = "sourcing.updated"
    po_created = "po.created"
    po_changed = "po.changed"
    po_acknowledged = "po.acknowledged"
    asn_received = "asn.received"
    invoice_received = "invoice.received"
    inventory_moved = "inventory.moved"
    inventory_snapshot = "inventory.snapshot"
    production_released = "production.released"
    production_reported = "production.reported"
    quality_hold = "quality.hold"
    quality_released = "quality.released"
    interchange_received = "interchange.received"  # the envelope of a partner's EDI interchange


# The canonical entity each event carries in `data`.
PAYLOAD: dict[EventType, type[m.Canonical]] = {
    EventType.item_upserted: m.Item,
    EventType.uom_conversion_upserted: m.UomConversion,
    EventType.supplier_upserted: m.Supplier,
    EventType.bom_released: m.Bom,
    EventType.routing_released: m.Routing,
    EventType.eco_approved: m.EngineeringChange,
    EventType.sourcing_updated: m.SourcingRule,
    EventType.po_created: m.PurchaseOrder,
    EventType.po_changed: m.PurchaseOrder,
    EventType.po_acknowledged: m.PoAcknowledgement,
    EventType.asn_received: m.ShipNotice,
    EventType.invoice_received: m.Invoice,
    EventType.inventory_moved: m.InventoryMovement,
    EventType.inventory_snapshot: m.InventorySnapshot,
    EventType.production_released: m.ProductionOrder,
    EventType.production_reported: m.ProductionReport,
    EventType.quality_hold: m.QualityHold,
    EventType.quality_released: m.QualityHold,
    EventType.interchange_received: ReceivedInterchange,
}

def _attribute(max_chars: int):
    """An envelope text attribute: printable, bounded; only the key separator US is refused,
    since message ids are joined to their source with it and with nothing else."""
    def check(value: str) -> str:
        problem = identifier_problem(value, max_chars, separators="\x1f")
        if problem:
            raise PydanticCustomError("IDENTIFIER_INVALID", f"attribute {problem}")
        return value
    return AfterValidator(check)


MessageId = Annotated[str, _attribute(MAX_MESSAGE_ID_CHARS)]
SOURCE_PATTERN = r"[A-Za-z0-9_.\-]{1,64}"
SourceName = Annotated[str, Field(pattern=rf"^{SOURCE_PATTERN}$")]
# CloudEvents Integer: a JSON integer (not true, "5" or 5.0) within a signed 32-bit range.
Sequence = Annotated[StrictInt, Field(ge=0, le=2**31 - 1)]


class Envelope(BaseModel):
    """One inbound message. `source` + `id` is its idempotency key (see adapters/decode.py)."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    specversion: Literal["1.0"]  # required, and the only version this hub reads
    id: MessageId
    source: SourceName
    type: EventType
    subject: Annotated[str, _attribute(300)] | None = None
    time: UtcTime
    dataschema: Annotated[str, _attribute(300)] | None = None
    correlationid: Annotated[str, _attribute(200)] | None = None
    # Optional per-entity sequence from the sender: orders messages that share a timestamp.
    sequence: Sequence | None = None
    # Which version of a source mapping produced this message (lineage for mapping changes).
    mappingversion: Annotated[str, _attribute(64)] | None = None
    data: dict[str, Any]


def occurred(envelope: dict[str, Any]) -> str | None:
    """When a stock message's movement happened: its own time, else the sender's."""
    data = envelope.get("data") or {}
    return data.get("occurred_at") or data.get("reported_at") or envelope.get("time")


def new_envelope(source: str, message_id: str, event_type: str, data: dict[str, Any],
                 time: datetime, **extra: Any) -> dict[str, Any]:
    """An envelope as plain JSON-ready dict, for adapters that wrap canonical documents."""
    envelope = {"specversion": "1.0", "id": message_id, "source": source, "type": event_type,
                "time": time.isoformat().replace("+00:00", "Z"), "data": data}
    envelope.update({k: v for k, v in extra.items() if v is not None})
    return envelope
