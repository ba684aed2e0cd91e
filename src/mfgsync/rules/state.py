"""What the rules may ask of the hub's current state. The pipeline provides it; rules only read."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from mfgsync.model.entities import Bom, EngineeringChange, Item, ProductionOrder, PurchaseOrder, QualityHold, Supplier
from mfgsync.model.units import UnitCatalogue


class StateView(Protocol):
    """A read-only view of applied state, including what earlier messages of the same batch did."""

    def item(self, item_id: str) -> Item | None: ...

    def supplier(self, supplier_id: str) -> Supplier | None: ...

    def released_boms(self, item_id: str) -> list[Bom]:
        """Every released (not obsolete) revision of the item's BOM, for all plants."""
        ...

    def purchase_order(self, po_number: str) -> PurchaseOrder | None: ...

    def available_qty(self, item_id: str, plant_id: str, location_id: str, lot_id: str | None) -> Decimal:
        """Available stock at that place, in the item's base unit (0 when none is known)."""
        ...

    def holds_on(self, item_id: str, lot_id: str | None) -> list[QualityHold]:
        """Quality holds whose status is `held` covering that item and lot (lot None: item-wide)."""
        ...

    def units(self) -> UnitCatalogue: ...

    def engineering_changes(self, item_id: str) -> list[EngineeringChange]:
        """The engineering changes recorded for an item, whatever their status."""
        ...

    def production_order(self, order_id: str) -> ProductionOrder | None: ...
