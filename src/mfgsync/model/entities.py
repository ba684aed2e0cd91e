"""The canonical model: every entity the hub moves, with the field names of the contract."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from mfgsync.model.base import Canonical, Quantity
from mfgsync.model.identifiers import MAX_IDENTIFIER_CHARS, identifier_problem, text_problem
from mfgsync.model.states import PoStatus, ProductionStatus
from mfgsync.model.timestamps import UtcTime
from mfgsync.model.units import REC20, UnitError, normalize_uom


def _uom(value: object) -> str:
    if type(value) is str and value in REC20:
        return value  # already the code normalize_uom gives
    try:
        return normalize_uom(str(value))
    except UnitError as exc:
        raise PydanticCustomError(exc.code, str(exc)) from None


def _identifier(value: object) -> object:
    """Checked before pydantic reads it as text, so a lone surrogate gets this code too."""
    if not isinstance(value, str):
        return value
    known = _SOUND_IDENTIFIERS.get(value)
    if known is not None:
        return known
    stripped = value.strip()
    problem = identifier_problem(stripped)
    if problem:
        raise PydanticCustomError("IDENTIFIER_INVALID", f"identifier {problem}")
    if len(_SOUND_IDENTIFIERS) >= _KEPT_IDENTIFIERS:
        _SOUND_IDENTIFIERS.clear()
    _SOUND_IDENTIFIERS[value] = stripped
    return stripped


# Identifiers found sound, as sent -> as kept: a plant's items, plants and locations come in
# message after message. Bounded; emptied when full.
_SOUND_IDENTIFIERS: dict[str, str] = {}
_KEPT_IDENTIFIERS = 65_536


def _printable(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise PydanticCustomError("INVALID_FIELD", problem)
    return value


Uom = Annotated[str, BeforeValidator(_uom)]
# The length limits come before the validator, so pydantic checks them in its string schema
# rather than in two Python calls after it (the validator still runs first).
Key = Annotated[str, Field(min_length=1, max_length=MAX_IDENTIFIER_CHARS), BeforeValidator(_identifier)]
Text = Annotated[str, Field(max_length=2000), AfterValidator(_printable)]
# Line, operation and priority numbers: up to 9 digits, as X12 and EDIFACT carry them.
Ordinal = Annotated[int, Field(ge=0, le=999_999_999)]
Positive = Annotated[Quantity, Field(gt=0)]
NonNegative = Annotated[Quantity, Field(ge=0)]


class ItemType(StrEnum):
    make = "make"
    buy = "buy"
    phantom = "phantom"


class ItemStatus(StrEnum):
    active = "active"
    hold = "hold"
    obsolete = "obsolete"


class LotRule(StrEnum):
    lot_for_lot = "lot_for_lot"
    fixed = "fixed"
    min_multiple = "min_multiple"


class Item(Canonical):
    item_id: Key
    description: Text | None = None
    base_uom: Uom | None = None
    item_type: ItemType | None = None
    revision: Key | None = None
    status: ItemStatus = ItemStatus.active
    lead_time_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    lot_rule: LotRule | None = None
    fixed_lot: NonNegative | None = None
    order_min: NonNegative | None = None
    order_multiple: NonNegative | None = None
    safety_stock: NonNegative | None = None
    reorder_point: NonNegative | None = None
    lot_tracked: bool = False  # every movement of it names its lot


class UomConversion(Canonical):
    item_id: Key | None = None
    from_uom: Uom
    to_uom: Uom
    factor: Positive


class BomStatus(StrEnum):
    draft = "draft"
    approved = "approved"
    released = "released"
    obsolete = "obsolete"


class BomLine(Canonical):
    line_no: Ordinal
    component_id: Key
    qty_per: Quantity
    uom: Uom
    scrap_pct: Quantity = Decimal(0)
    alternate_group: Key | None = None
    alternate_priority: Ordinal | None = None
    effective_from: date | None = None  # the line's own effectivity within its BOM revision
    effective_to: date | None = None


class Bom(Canonical):
    item_id: Key
    revision: Key
    plant_id: Key | None = None
    status: BomStatus = BomStatus.released
    effective_from: date | None = None
    effective_to: date | None = None
    lines: Annotated[list[BomLine], Field(max_length=5000)] = []

    @model_validator(mode="after")
    def _dates_in_order(self) -> "Bom":
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise PydanticCustomError("EFFECTIVITY_INVERTED", "effective_to is before effective_from")
        return self


class Operation(Canonical):
    op_no: Ordinal
    work_center: Key
    description: Text | None = None
    setup_minutes: NonNegative = Decimal(0)
    run_minutes_per_unit: NonNegative = Decimal(0)
    instruction_ref: Text | None = None


class Routing(Canonical):
    item_id: Key
    revision: Key
    plant_id: Key | None = None
    status: BomStatus = BomStatus.released
    effective_from: date | None = None
    effective_to: date | None = None
    operations: list[Operation] = []


class EcoStatus(StrEnum):
    draft = "draft"
    approved = "approved"
    released = "released"
    cancelled = "cancelled"


class EngineeringChange(Canonical):
    eco_id: Key
    item_id: Key
    from_revision: Key | None = None
    to_revision: Key
    effective_from: date | None = None
    reason: Text | None = None
    status: EcoStatus = EcoStatus.approved


class Supplier(Canonical):
    supplier_id: Key
    name: Text | None = None
    edi_qualifier: Annotated[str, Field(max_length=4)] | None = None
    edi_id: Annotated[str, Field(max_length=35)] | None = None


Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class SourcingRule(Canonical):
    item_id: Key
    supplier_id: Key
    supplier_item_id: Key | None = None
    lead_time_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    moq: NonNegative | None = None
    order_multiple: NonNegative | None = None
    unit_price: NonNegative | None = None
    currency: Currency | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    priority: Ordinal = 1
    price_breaks: Annotated[list["PriceBreak"], Field(max_length=100)] = []  # cheaper from a quantity on


class PriceBreak(Canonical):
    min_qty: Positive
    unit_price: NonNegative


class PoLineStatus(StrEnum):
    open = "open"
    accepted = "accepted"
    changed = "changed"
    rejected = "rejected"
    backordered = "backordered"
    shipped = "shipped"
    received = "received"
    invoiced = "invoiced"  # received and matched to the supplier's invoice
    cancelled = "cancelled"
    closed = "closed"


class PurchaseOrderLine(Canonical):
    line_no: Ordinal
    item_id: Key
    supplier_item_id: Key | None = None
    qty: Positive
    uom: Uom
    unit_price: NonNegative | None = None
    need_date: date | None = None
    promised_date: date | None = None
    status: PoLineStatus = PoLineStatus.open
    shipped_qty: NonNegative = Decimal(0)
    received_qty: NonNegative = Decimal(0)
    committed_qty: NonNegative | None = None  # what the supplier's acknowledgement commits to deliver
    invoiced_qty: NonNegative = Decimal(0)


class PurchaseOrder(Canonical):
    po_number: Key
    supplier_id: Key
    status: PoStatus = PoStatus.draft
    order_date: date | None = None
    currency: Currency | None = None
    lines: Annotated[list[PurchaseOrderLine], Field(max_length=5000)] = []


class AckType(StrEnum):
    accepted = "accepted"
    accepted_with_changes = "accepted_with_changes"
    rejected = "rejected"


class AckLineStatus(StrEnum):
    accepted = "accepted"
    changed = "changed"
    rejected = "rejected"
    backordered = "backordered"


class PoAcknowledgementLine(Canonical):
    line_no: Ordinal
    status: AckLineStatus
    qty: NonNegative | None = None
    uom: Uom | None = None
    unit_price: NonNegative | None = None
    promised_date: date | None = None


class PoAcknowledgement(Canonical):
    po_number: Key
    ack_id: Key
    ack_type: AckType
    lines: Annotated[list[PoAcknowledgementLine], Field(max_length=5000)] = []


class ShipNoticeLine(Canonical):
    po_number: Key
    po_line_no: Ordinal | None = None
    item_id: Key | None = None
    supplier_item_id: Key | None = None
    qty: Positive
    uom: Uom
    lot_id: Key | None = None
    sscc: Annotated[str, Field(max_length=35)] | None = None  # serial shipping container code of its pack


class ShipNotice(Canonical):
    asn_id: Key
    supplier_id: Key
    ship_date: date | None = None
    expected_arrival: date | None = None
    carrier: Text | None = None
    tracking_number: Text | None = None
    lines: Annotated[list[ShipNoticeLine], Field(max_length=5000)] = []


class InvoiceLine(Canonical):
    po_line_no: Ordinal | None = None
    item_id: Key | None = None
    qty: Positive
    uom: Uom
    unit_price: NonNegative
    supplier_item_id: Key | None = None


class Invoice(Canonical):
    invoice_number: Key
    supplier_id: Key
    po_number: Key | None = None
    invoice_date: date | None = None
    currency: Currency | None = None
    lines: Annotated[list[InvoiceLine], Field(max_length=5000)] = []
    total_amount: Quantity | None = None  # the invoice total as sent (X12 TDS, EDIFACT MOA)
    charges_amount: Quantity | None = None  # allowances (negative) and charges (positive), net


class StockStatus(StrEnum):
    available = "available"
    quality_hold = "quality_hold"
    allocated = "allocated"
    in_transit = "in_transit"


class InventoryBalance(Canonical):
    item_id: Key
    plant_id: Key
    location_id: Key
    lot_id: Key | None = None
    status: StockStatus = StockStatus.available
    qty: Quantity
    uom: Uom


class MovementKind(StrEnum):
    receipt = "receipt"
    issue = "issue"
    transfer = "transfer"
    adjustment = "adjustment"
    consumption = "consumption"
    completion = "completion"
    scrap = "scrap"


class InventoryMovement(Canonical):
    movement_id: Key
    kind: MovementKind
    item_id: Key
    qty: Quantity
    uom: Uom
    plant_id: Key
    from_location: Key | None = None
    to_location: Key | None = None
    lot_id: Key | None = None
    production_order_id: Key | None = None
    customer_order_id: Key | None = None  # an issue that ships stock to a customer's order
    occurred_at: UtcTime | None = None
    reason: Text | None = None


class InventorySnapshot(Canonical):
    """A count of stock: the balances it lists replace the hub's for those keys."""

    snapshot_id: Key
    plant_id: Key
    taken_at: UtcTime | None = None
    balances: Annotated[list[InventoryBalance], Field(max_length=100_000)] = []


class ProductionOrder(Canonical):
    order_id: Key
    item_id: Key
    qty: Positive
    plant_id: Key
    bom_revision: Key | None = None
    status: ProductionStatus = ProductionStatus.planned
    start_date: date | None = None
    due_date: date | None = None


class HoldStatus(StrEnum):
    held = "held"
    released = "released"
    rejected = "rejected"


class QualityHold(Canonical):
    hold_id: Key
    item_id: Key
    lot_id: Key | None = None
    status: HoldStatus = HoldStatus.held
    reason: Text | None = None


class ResourceKind(StrEnum):
    labor = "labor"
    machine = "machine"


class ResourceActual(Canonical):
    kind: ResourceKind
    resource_id: Key
    hours: NonNegative


class ProductionReport(Canonical):
    report_id: Key
    order_id: Key
    plant_id: Key
    reported_at: UtcTime | None = None
    movements: Annotated[list[InventoryMovement], Field(max_length=5000)] = []
    resource_actuals: list[ResourceActual] = []

    @model_validator(mode="after")
    def _only_execution_movements(self) -> "ProductionReport":
        allowed = {MovementKind.consumption, MovementKind.completion, MovementKind.scrap}
        for movement in self.movements:
            if movement.kind not in allowed:
                raise PydanticCustomError(
                    "REPORT_MOVEMENT_KIND",
                    "a production report carries only consumption, completion and scrap movements",
                )
        return self


class RequisitionStatus(StrEnum):
    open = "open"  # waiting for a purchase order (no sourcing rule, or approval pending)
    ordered = "ordered"


class PurchaseRequisition(Canonical):
    """A need for stock the hub raised itself, with the movement and order that caused it."""

    requisition_id: Key
    item_id: Key
    plant_id: Key
    qty: Positive
    uom: Uom
    need_date: date
    supplier_id: Key | None = None
    unit_price: NonNegative | None = None
    currency: Currency | None = None
    po_number: Key | None = None
    status: RequisitionStatus = RequisitionStatus.open
    trigger: Text  # why: reorder point or MRP net requirement, with the figures
    trigger_movement_id: Key | None = None
    trigger_order_id: Key | None = None


class AvailabilityWatch(Canonical):
    """Whether an item's available-to-promise in a plant is short of the demand committed by
    some date, as the hub last judged it: the planner's ATP_SHORT exception is raised when it
    turns short and resolved when it recovers, never again while it stays as it is."""

    item_id: Key
    plant_id: Key
    short_on: date | None = None  # the first date cumulative ATP is below zero; None: not short
    cumulative_atp: Quantity | None = None  # on that date, in the item's base unit


class LotLink(Canonical):
    """One input lot that went into one output lot, from a production report."""

    input_item_id: Key
    input_lot_id: Key
    input_qty: Quantity
    input_uom: Uom
    output_item_id: Key
    output_lot_id: Key
    output_qty: Quantity
    output_uom: Uom
    order_id: Key
    report_id: Key
