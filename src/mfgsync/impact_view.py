"""The hub's state as an engineering change's impact reads it from the store's read side (see
workflows/engineering_change.py; the intake's batch state is the other view)."""

from __future__ import annotations

from decimal import Decimal

from mfgsync.model import entities as m
from mfgsync.store.port import ReadSide
from mfgsync.workflows import engineering_change as ec


class StoreImpactView:
    def __init__(self, read: ReadSide):
        self._read = read
        self._lines: dict[str, list[tuple[m.PurchaseOrder, m.PurchaseOrderLine]]] | None = None

    def previous_revision(self, bom: m.Bom) -> m.Bom | None:
        return ec.previous_of(bom, (m.Bom.model_validate(r) for r in self._read.entities_of_ref("bom_revision", bom.item_id)))

    def production_orders(self, item_id: str, plant_id: str | None) -> list[m.ProductionOrder]:
        return ec.orders_in((m.ProductionOrder.model_validate(r)
                             for r in self._read.entities_of_ref("production_order", item_id)), plant_id)

    def purchase_lines(self, item_id: str) -> list[tuple[m.PurchaseOrder, m.PurchaseOrderLine]]:
        if self._lines is None:
            self._lines = ec.lines_by_item(m.PurchaseOrder.model_validate(r)
                                           for r in self._read.entities_of_type("purchase_order"))
        return self._lines.get(item_id, [])

    def available_on_hand(self, item_id: str, plant_id: str | None) -> Decimal:
        return ec.on_hand(self._read.balances(item_id), plant_id)

    def sourcing_rules(self, item_id: str) -> list[m.SourcingRule]:
        return [m.SourcingRule.model_validate(row) for row in self._read.entities_of_ref("sourcing", item_id)]
