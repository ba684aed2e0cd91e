"""A StateView over plain dicts and lists: for tests, and for checks that run without a store."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from mfgsync.model.entities import (
    Bom, BomStatus, EngineeringChange, HoldStatus, Item, ProductionOrder, PurchaseOrder, QualityHold, Supplier,
)
from mfgsync.model.units import UnitCatalogue

StockKey = tuple[str, str, str, str | None]  # item_id, plant_id, location_id, lot_id


@dataclass
class MemoryState:
    """Applied state held in memory. Stock is available quantity in each item's base unit."""

    items: dict[str, Item] = field(default_factory=dict)
    suppliers: dict[str, Supplier] = field(default_factory=dict)
    boms: list[Bom] = field(default_factory=list)
    purchase_orders: dict[str, PurchaseOrder] = field(default_factory=dict)
    stock: dict[StockKey, Decimal] = field(default_factory=dict)
    holds: list[QualityHold] = field(default_factory=list)
    changes: list[EngineeringChange] = field(default_factory=list)
    production_orders: dict[str, ProductionOrder] = field(default_factory=dict)
    catalogue: UnitCatalogue = field(default_factory=UnitCatalogue)
    records: dict[str, object] = field(default_factory=dict)  # other entities by key (partner records)

    @classmethod
    def of(cls, *entities: Item | Supplier | Bom | PurchaseOrder | QualityHold | EngineeringChange) -> "MemoryState":
        """A state holding these entities, each filed by its type."""
        state = cls()
        for entity in entities:
            state.put(entity)
        return state

    def put(self, entity: Item | Supplier | Bom | PurchaseOrder | QualityHold | EngineeringChange) -> None:
        if isinstance(entity, Item):
            self.items[entity.item_id] = entity
        elif isinstance(entity, Supplier):
            self.suppliers[entity.supplier_id] = entity
        elif isinstance(entity, Bom):
            self.boms = [b for b in self.boms if _bom_key(b) != _bom_key(entity)] + [entity]
        elif isinstance(entity, PurchaseOrder):
            self.purchase_orders[entity.po_number] = entity
        elif isinstance(entity, QualityHold):
            self.holds = [h for h in self.holds if h.hold_id != entity.hold_id] + [entity]
        elif isinstance(entity, EngineeringChange):
            self.changes = [c for c in self.changes if c.eco_id != entity.eco_id] + [entity]
        elif isinstance(entity, ProductionOrder):
            self.production_orders[entity.order_id] = entity
        else:
            raise TypeError(f"MemoryState does not hold {type(entity).__name__}")

    def record(self, key: str, entity_type: str) -> object | None:
        return self.records.get(key)

    def item(self, item_id: str) -> Item | None:
        return self.items.get(item_id)

    def supplier(self, supplier_id: str) -> Supplier | None:
        return self.suppliers.get(supplier_id)

    def released_boms(self, item_id: str) -> list[Bom]:
        return [b for b in self.boms if b.item_id == item_id and b.status == BomStatus.released]

    def purchase_order(self, po_number: str) -> PurchaseOrder | None:
        return self.purchase_orders.get(po_number)

    def available_qty(self, item_id: str, plant_id: str, location_id: str, lot_id: str | None) -> Decimal:
        return self.stock.get((item_id, plant_id, location_id, lot_id), Decimal(0))

    def holds_on(self, item_id: str, lot_id: str | None) -> list[QualityHold]:
        return [
            h for h in self.holds
            if h.item_id == item_id and h.status == HoldStatus.held and h.lot_id in (None, lot_id)
        ]

    def units(self) -> UnitCatalogue:
        return self.catalogue

    def engineering_changes(self, item_id: str) -> list[EngineeringChange]:
        return [c for c in self.changes if c.item_id == item_id]

    def production_order(self, order_id: str) -> ProductionOrder | None:
        return self.production_orders.get(order_id)

    def bom_revisions(self, item_id: str) -> list[Bom]:
        return [b for b in self.boms if b.item_id == item_id]

    def plants(self) -> dict:
        return {}  # no plant configuration: nothing is backflushed


def _bom_key(bom: Bom) -> tuple[str, str, str | None]:
    return bom.item_id, bom.revision, bom.plant_id
