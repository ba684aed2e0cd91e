"""The hub's state as an engineering change's impact reads it: one read of the store, indexed
the way the impact asks (see workflows/engineering_change.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mfgsync.model import entities as m
from mfgsync.store.port import ReadSide


class StoreImpactView:
    def __init__(self, read: ReadSide):
        self._read = read
        self._lines: dict[str, list[tuple[m.PurchaseOrder, m.PurchaseOrderLine]]] | None = None

    def previous_revision(self, bom: m.Bom) -> m.Bom | None:
        earlier = [b for b in (m.Bom.model_validate(row) for row in self._read.entities_of_ref("bom_revision", bom.item_id))
                   if b.plant_id == bom.plant_id and b.revision != bom.revision and b.status == m.BomStatus.released
                   and (bom.effective_from is None or b.effective_from is None or b.effective_from < bom.effective_from)]
        return max(earlier, key=lambda b: (b.effective_from or date.min, b.revision), default=None)

    def production_orders(self, item_id: str, plant_id: str | None) -> list[m.ProductionOrder]:
        orders = [m.ProductionOrder.model_validate(row) for row in self._read.entities_of_ref("production_order", item_id)]
        return sorted((o for o in orders if plant_id is None or o.plant_id == plant_id),
                      key=lambda o: (o.start_date or date.min, o.order_id))

    def purchase_lines(self, item_id: str) -> list[tuple[m.PurchaseOrder, m.PurchaseOrderLine]]:
        if self._lines is None:
            self._lines = {}
            for row in self._read.entities_of_type("purchase_order"):
                po = m.PurchaseOrder.model_validate(row)
                for line in po.lines:
                    self._lines.setdefault(line.item_id, []).append((po, line))
        return self._lines.get(item_id, [])

    def available_on_hand(self, item_id: str, plant_id: str | None) -> Decimal:
        return sum((b["qty"] for b in self._read.balances(item_id)
                    if b["status"] == "available" and (plant_id is None or b["plant_id"] == plant_id)), Decimal(0))

    def sourcing_rules(self, item_id: str) -> list[m.SourcingRule]:
        return [m.SourcingRule.model_validate(row) for row in self._read.entities_of_ref("sourcing", item_id)]
