"""The hub's state as an engineering change's impact reads it from the store's read side (see
workflows/engineering_change.py; the intake's batch state is the other view).

An ECO over a thousand parents asks about thousands of items: what it will ask for is read up
front in a few bulk reads (the parents' revisions and orders, the components' sources and
requisitions, every purchase order and balance once), not one read per question."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from mfgsync.model import entities as m
from mfgsync.store.port import ReadSide
from mfgsync.workflows import engineering_change as ec


class StoreImpactView:
    def __init__(self, read: ReadSide, releases: Iterable[m.Bom] = ()):
        self._read = read
        self._by_ref: dict[tuple[str, str], list[dict]] = {}
        self._fetched: set[str] = set()  # entity types read in bulk: an item missing there has none
        self._orders_by_item: dict[str, list[dict]] | None = None  # purchase orders, as stored
        self._orders: dict[str, m.PurchaseOrder] = {}  # ... each read into the model once
        self._balances: dict[str, list[dict]] | None = None
        self._prefetch(list(releases))

    def _prefetch(self, releases: list[m.Bom]) -> None:
        if not releases:
            return
        parents = {b.item_id for b in releases}
        self._bulk("bom_revision", parents)
        self._bulk("production_order", parents)
        components = {line.component_id for b in releases for line in b.lines}
        components |= {line.component_id for b in releases if (old := self.previous_revision(b)) for line in old.lines}
        self._bulk("sourcing", components)
        self._bulk("requisition", components)
        self._bulk("purchase_requisition", components)

    def _bulk(self, entity_type: str, refs: set[str]) -> None:
        for ref, rows in self._read.entities_of_refs(entity_type, refs).items():
            self._by_ref[(entity_type, ref)] = rows
        self._fetched.add(entity_type)

    def _of_ref(self, entity_type: str, ref: str) -> list[dict]:
        if (entity_type, ref) not in self._by_ref:
            self._by_ref[(entity_type, ref)] = [] if entity_type in self._fetched else \
                self._read.entities_of_ref(entity_type, ref)
        return self._by_ref[(entity_type, ref)]

    def previous_revision(self, bom: m.Bom) -> m.Bom | None:
        return ec.previous_of(bom, (m.Bom.model_validate(r) for r in self._of_ref("bom_revision", bom.item_id)))

    def production_orders(self, item_id: str, plant_id: str | None) -> list[m.ProductionOrder]:
        return ec.orders_in((m.ProductionOrder.model_validate(r) for r in self._of_ref("production_order", item_id)),
                            plant_id)

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
        raised = (m.PurchaseRequisition.model_validate(r) for r in self._of_ref("purchase_requisition", item_id))
        return ec.open_requisitions(self._of_ref("requisition", item_id), raised, plant_id)

    def sourcing_rules(self, item_id: str) -> list[m.SourcingRule]:
        return [m.SourcingRule.model_validate(row) for row in self._of_ref("sourcing", item_id)]
