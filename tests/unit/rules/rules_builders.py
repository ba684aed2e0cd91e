"""Small builders for rule tests: entities with sensible defaults, overridden per story."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mfgsync.model.entities import Bom, BomLine, InventoryMovement, Item, PurchaseOrder, PurchaseOrderLine, Supplier
from mfgsync.rules.memory_state import MemoryState


def item(item_id: str, **fields) -> Item:
    return Item(item_id=item_id, **{"description": f"{item_id} part", "base_uom": "C62", **fields})


def line(line_no: int, component_id: str, qty_per="1", uom="C62", **fields) -> BomLine:
    return BomLine(line_no=line_no, component_id=component_id, qty_per=Decimal(qty_per), uom=uom, **fields)


def bom(item_id: str, revision: str, *lines: BomLine, plant_id: str | None = None,
        effective_from: date | None = None, effective_to: date | None = None, **fields) -> Bom:
    return Bom(item_id=item_id, revision=revision, plant_id=plant_id, effective_from=effective_from,
               effective_to=effective_to, lines=list(lines), **fields)


def po(po_number: str = "4500000001", supplier_id: str = "NORTHFAST", status: str = "draft",
       lines: list[PurchaseOrderLine] | None = None) -> PurchaseOrder:
    if lines is None:
        lines = [PurchaseOrderLine(line_no=10, item_id="BOLT-9", qty=Decimal(100), uom="C62")]
    return PurchaseOrder(po_number=po_number, supplier_id=supplier_id, status=status, lines=lines)


def movement(kind: str, qty="5", item_id: str = "BOLT-9", plant_id: str = "P1", uom: str = "C62",
             movement_id: str = "MV-1", **fields) -> InventoryMovement:
    return InventoryMovement(movement_id=movement_id, kind=kind, item_id=item_id, qty=Decimal(qty), uom=uom,
                             plant_id=plant_id, **fields)


def plant_state() -> MemoryState:
    """A pump, its parts, and a supplier: the usual cast of these stories."""
    return MemoryState.of(
        item("PUMP-100", item_type="make"),
        item("SHAFT-1", item_type="make"),
        item("BOLT-9", item_type="buy"),
        item("OLD-BOLT", status="obsolete"),
        item("OIL-5", base_uom="LTR"),
        Supplier(supplier_id="NORTHFAST", name="Northfast Fasteners"),
    )


def codes(findings) -> list[str]:
    return [finding.code for finding in findings]
