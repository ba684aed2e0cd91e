"""The hub's store as planning's source: current items, BOM revisions, units, stock and orders,
and what open production orders have consumed. It is also the view a stored production report
is judged by (workflows/production.py), so a completion-only report counts as the backflush it
booked."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Mapping

from mfgsync.config import Settings
from mfgsync.model import entities as m
from mfgsync.model.units import Conversion, UnitCatalogue
from mfgsync.planning.from_store import OPEN_PRODUCTION_STATUSES, consumed_by_orders
from mfgsync.store.port import ReadSide


class StorePlanningSource:
    """Reads through one read side, so a plan sees one consistent state."""

    def __init__(self, read: ReadSide, settings: Settings):
        self._read = read
        self._settings = settings
        self._items: dict[str, m.Item] | None = None
        self._boms: dict[str, list[m.Bom]] | None = None
        self._orders_by_id: dict[str, m.ProductionOrder] | None = None
        self._units: UnitCatalogue | None = None

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

    def consumed(self) -> Mapping[tuple[str, str], Decimal]:
        """(order id, item) -> what each open production order has consumed of the item."""
        open_orders = [o.order_id for o in self._orders().values() if o.status in OPEN_PRODUCTION_STATUSES]
        reports = [m.ProductionReport.model_validate(row)
                   for rows in self._read.entities_of_refs("production_report", open_orders).values() for row in rows]
        return consumed_by_orders(reports, self)

    # --- the production view of a stored report ---
    def item(self, item_id: str) -> m.Item | None:
        if self._items is None:
            self._items = {i.item_id: i for i in self.items()}
        return self._items.get(item_id)

    def units(self) -> UnitCatalogue:
        if self._units is None:
            self._units = UnitCatalogue(Conversion(c.item_id, c.from_uom, c.to_uom, c.factor)
                                        for c in self.conversions())
        return self._units

    def production_order(self, order_id: str) -> m.ProductionOrder | None:
        return self._orders().get(order_id)

    def bom_revisions(self, item_id: str) -> list[m.Bom]:
        if self._boms is None:
            self._boms = {}
            for bom in self.boms():
                self._boms.setdefault(bom.item_id, []).append(bom)
        return self._boms.get(item_id, [])

    def plants(self):
        return self._settings.plants

    def _orders(self) -> dict[str, m.ProductionOrder]:
        if self._orders_by_id is None:
            self._orders_by_id = {o.order_id: o for o in self.production_orders()}
        return self._orders_by_id
