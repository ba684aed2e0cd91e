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
        self._orders_by_item: dict[str, list[dict]] | None = None  # purchase orders, as stored
        self._orders: dict[str, m.PurchaseOrder] = {}  # ... each read into the model once
        self._balances: dict[str, list[dict]] | None = None

    def previous_revision(self, bom: m.Bom) -> m.Bom | None:
        return ec.previous_of(bom, (m.Bom.model_validate(r) for r in self._read.entities_of_ref("bom_revision", bom.item_id)))

    def production_orders(self, item_id: str, plant_id: str | None) -> list[m.ProductionOrder]:
        return ec.orders_in((m.ProductionOrder.model_validate(r)
                             for r in self._read.entities_of_ref("production_order", item_id)), plant_id)

    def purchase_lines(self, item_id: str) -> list[tuple[m.PurchaseOrder, m.PurchaseOrderLine]]:
        """Every purchase order is read from the store once, and made a model only when one of
        its lines is asked for."""
        if self._orders_by_item is None:
            self._orders_by_item = {}
            for row in self._read.entities_of_type("purchase_order"):
                for item in dict.fromkeys(line["item_id"] for line in row.get("lines", ())):
                    self._orders_by_item.setdefault(item, []).append(row)
        orders = (self._order(row) for row in self._orders_by_item.get(item_id, ()))
        return ec.lines_by_item(orders).get(item_id, [])

    def _order(self, row: dict) -> m.PurchaseOrder:
        if row["po_number"] not in self._orders:
            self._orders[row["po_number"]] = m.PurchaseOrder.model_validate(row)
        return self._orders[row["po_number"]]

    def available_on_hand(self, item_id: str, plant_id: str | None) -> Decimal:
        if self._balances is None:  # every balance in one read, rather than one read per component
            self._balances = {}
            for balance in self._read.balances():
                self._balances.setdefault(balance["item_id"], []).append(balance)
        return ec.on_hand(self._balances.get(item_id, ()), plant_id)

    def requisitions(self, item_id: str, plant_id: str | None) -> list[ec.Requisition]:
        return ec.open_requisitions(self._read.entities_of_ref("requisition", item_id), plant_id)

    def sourcing_rules(self, item_id: str) -> list[m.SourcingRule]:
        return [m.SourcingRule.model_validate(row) for row in self._read.entities_of_ref("sourcing", item_id)]
