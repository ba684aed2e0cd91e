"""The hub's state as one intake batch sees it: the store, plus what earlier messages wrote.

Reads go to this batch's writes first, then to rows fetched (in bulk where the batch can say
ahead what it needs). Writes are collected and flushed by the intake in one transaction.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Iterable

from sqlalchemy import Connection

from mfgsync.model import entities as m
from mfgsync.model.units import Conversion, UnitCatalogue
from mfgsync.store import records
from mfgsync.workflows.state_changes import Adjust, Put, balance_key

# entity_type -> model class, for typed reads
MODELS: dict[str, type[m.Canonical]] = {
    "item": m.Item, "supplier": m.Supplier, "bom_revision": m.Bom, "bom": m.Bom,
    "purchase_order": m.PurchaseOrder, "balance": m.InventoryBalance, "quality_hold": m.QualityHold,
    "uom": m.UomConversion, "movement": m.InventoryMovement, "production_report": m.ProductionReport,
}


@lru_cache(maxsize=65536)
def _parse(entity_type: str, data: str) -> m.Canonical:
    """A stored entity as its model. Models are never mutated (changes are copies), so the same
    stored text can share one parsed model across batches."""
    return MODELS[entity_type].model_validate_json(data)


# Entity types the rules look up by item rather than by key.
REF_TYPES = ("bom_revision", "quality_hold")


class BatchState:
    """Implements the rules' StateView over one transaction."""

    def __init__(self, connection: Connection, conversions: Iterable[Conversion], now: str):
        self._connection = connection
        self._now = now
        self._rows: dict[str, tuple[str | None, str] | None] = {}  # key -> (token, data json) | None
        self._parsed: dict[str, m.Canonical | None] = {}
        self._written: dict[str, dict] = {}  # key -> entity row to upsert
        self._by_ref: dict[tuple[str, str], dict[str, m.Canonical]] = {}
        self._written_by_ref: dict[tuple[str, str], set[str]] = {}
        self._fetched_refs: set[str] = set()  # items whose REF_TYPES entities were fetched in bulk
        self._units = UnitCatalogue(conversions)
        for row in records.entities_of_type(connection, "uom"):
            conv = m.UomConversion.model_validate(row)
            self._units.add(Conversion(conv.item_id, conv.from_uom, conv.to_uom, conv.factor))

    # --- loading ---
    def prefetch(self, keys: Iterable[str], refs: Iterable[str] = ()) -> None:
        """Fetch entity rows by key, and the BOM revisions and holds of the items in `refs`."""
        wanted = [k for k in set(keys) if k not in self._rows]
        found = records.entity_rows(self._connection, wanted)
        for key in wanted:
            self._rows[key] = found.get(key)
        items = [r for r in set(refs) if r not in self._fetched_refs]
        if items:
            grouped = records.entities_by_refs(self._connection, REF_TYPES, items)
            for (entity_type, ref), stored in grouped.items():
                self._load_bucket(entity_type, ref, stored)
            self._fetched_refs.update(items)

    def _row(self, key: str) -> tuple[str | None, str] | None:
        if key not in self._rows:
            self.prefetch([key])
        return self._rows[key]

    def token(self, key: str) -> str | None:
        row = self._row(key)
        return row[0] if row else None

    def exists(self, key: str) -> bool:
        return self._row(key) is not None

    def entity(self, key: str, entity_type: str) -> m.Canonical | None:
        if key not in self._parsed:
            row = self._row(key)
            self._parsed[key] = _parse(entity_type, row[1]) if row else None
        return self._parsed[key]

    def _refs(self, entity_type: str, ref: str) -> dict[str, m.Canonical]:
        if (entity_type, ref) not in self._by_ref:
            # An item fetched in bulk that had none of these in the store: only this batch's writes.
            stored = {} if ref in self._fetched_refs else records.entities_by_ref(self._connection, entity_type, ref)
            self._load_bucket(entity_type, ref, stored)
        return self._by_ref[(entity_type, ref)]

    def _load_bucket(self, entity_type: str, ref: str, stored: dict[str, str]) -> None:
        found = {k: _parse(entity_type, v) for k, v in stored.items()} if stored else {}
        for key in self._written_by_ref.get((entity_type, ref), ()):  # this batch's writes win
            found[key] = self._parsed[key]
        self._by_ref[(entity_type, ref)] = found

    # --- StateView ---
    def item(self, item_id: str) -> m.Item | None:
        return self.entity(f"ITEM:{item_id}", "item")

    def supplier(self, supplier_id: str) -> m.Supplier | None:
        return self.entity(f"SUP:{supplier_id}", "supplier")

    def released_boms(self, item_id: str) -> list[m.Bom]:
        return [b for b in self._refs("bom_revision", item_id).values() if b.status == m.BomStatus.released]

    def purchase_order(self, po_number: str) -> m.PurchaseOrder | None:
        return self.entity(f"PO:{po_number}", "purchase_order")

    def available_qty(self, item_id: str, plant_id: str, location_id: str, lot_id: str | None) -> Decimal:
        balance = self.entity(balance_key(item_id, plant_id, location_id, lot_id, "available"), "balance")
        return balance.qty if balance else Decimal(0)

    def holds_on(self, item_id: str, lot_id: str | None) -> list[m.QualityHold]:
        return [h for h in self._refs("quality_hold", item_id).values()
                if h.status == m.HoldStatus.held and (h.lot_id is None or h.lot_id == lot_id)]

    def units(self) -> UnitCatalogue:
        return self._units

    # --- writing ---
    def put(self, put: Put, token: str | None, msg_key: str) -> str:
        """Record the entity as this batch's state for its key; returns its canonical JSON."""
        data = put.entity.model_dump_json()
        self._rows[put.key] = (token, data)
        self._parsed[put.key] = put.entity
        bucket = (put.entity_type, put.ref)
        self._written_by_ref.setdefault(bucket, set()).add(put.key)
        if bucket in self._by_ref:
            self._by_ref[bucket][put.key] = put.entity
        self._written[put.key] = {"entity_key": put.key, "entity_type": put.entity_type, "ref": put.ref,
                                  "seq_token": token, "data": data, "updated_at": self._now, "msg_key": msg_key}
        if isinstance(put.entity, m.UomConversion):
            e = put.entity
            self._units.add(Conversion(e.item_id, e.from_uom, e.to_uom, e.factor))
        return data

    def adjust(self, adj: Adjust, msg_key: str) -> None:
        key = balance_key(adj.item_id, adj.plant_id, adj.location_id, adj.lot_id, adj.status)
        current = self.entity(key, "balance")
        qty = (current.qty if current else Decimal(0)) + adj.delta
        balance = m.InventoryBalance(item_id=adj.item_id, plant_id=adj.plant_id, location_id=adj.location_id,
                                     lot_id=adj.lot_id, status=adj.status, qty=qty, uom=adj.uom)
        self.put(Put(key, "balance", adj.item_id, balance), None, msg_key)

    def written_rows(self) -> list[dict]:
        return list(self._written.values())
