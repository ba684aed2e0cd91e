"""The hub's store as planning's source: current items, BOM revisions, units, stock and orders."""

from __future__ import annotations

from typing import Iterable

from mfgsync.config import Settings
from mfgsync.model import entities as m
from mfgsync.store.port import ReadSide


class StorePlanningSource:
    """Reads through one read side, so a plan sees one consistent state."""

    def __init__(self, read: ReadSide, settings: Settings):
        self._read = read
        self._settings = settings

    def _all(self, entity_type: str, model: type[m.Canonical]) -> list:
        return [model.model_validate(row) for row in self._read.entities_of_type(entity_type)]

    def items(self) -> Iterable[m.Item]:
        return self._all("item", m.Item)

    def boms(self) -> Iterable[m.Bom]:
        return self._all("bom_revision", m.Bom)

    def conversions(self) -> Iterable[m.UomConversion]:
        configured = [m.UomConversion(item_id=c.item_id, from_uom=c.from_uom, to_uom=c.to_uom, factor=c.factor)
                      for c in self._settings.conversions()]
        return configured + self._all("uom", m.UomConversion)

    def balances(self) -> Iterable[m.InventoryBalance]:
        return [m.InventoryBalance.model_validate(row) for row in self._read.balances()]

    def purchase_orders(self) -> Iterable[m.PurchaseOrder]:
        return self._all("purchase_order", m.PurchaseOrder)

    def production_orders(self) -> Iterable[m.ProductionOrder]:
        return self._all("production_order", m.ProductionOrder)
