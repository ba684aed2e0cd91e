"""The hub's state as one intake batch sees it: the store, plus what earlier messages wrote.

Reads go to this batch's writes first, then to rows fetched through the unit of work (in bulk
where the batch can say ahead what it needs). Writes are collected here and flushed by the
intake at the end of the batch, each entity row with the version it was read at, so a
concurrent writer's change makes the batch run again rather than be overwritten.
"""

from __future__ import annotations

import json

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Iterable, Mapping

from mfgsync.envelope import EventType
from mfgsync.model import entities as m
from mfgsync.model import keys, partner_records
from mfgsync.model import plan_records
from mfgsync.model.units import Conversion, UnitCatalogue
from mfgsync.pipeline.clock import iso
from mfgsync.store.port import StoredEntity, UnitOfWork
from mfgsync.workflows import engineering_change as ec
from mfgsync.workflows.effects import Adjust, Count, Put
from mfgsync.workflows.event import PlantView

# entity_type -> model class, for typed reads
MODELS: dict[str, type[m.Canonical]] = {
    "item": m.Item, "supplier": m.Supplier, "bom_revision": m.Bom, "bom": m.Bom,
    "purchase_order": m.PurchaseOrder, "quality_hold": m.QualityHold, "uom": m.UomConversion,
    "movement": m.InventoryMovement, "production_report": m.ProductionReport,
    "production_order": m.ProductionOrder, "eco": m.EngineeringChange, "sourcing": m.SourcingRule,
    "purchase_requisition": m.PurchaseRequisition, "availability_watch": m.AvailabilityWatch,
}


MODELS.update(partner_records.MODELS)  # what the hub keeps of its exchanges with trading partners
MODELS.update(plan_records.MODELS)  # what a kept plan says of the purchase lines it planned with


@lru_cache(maxsize=65536)
def _parse(entity_type: str, data: str) -> m.Canonical:
    """A stored entity as its model. Models are never mutated (changes are copies), so the same
    stored text can share one parsed model across batches."""
    return MODELS[entity_type].model_validate_json(data)


class WhereUsed:
    """Which parents' BOM revisions use each component, derived from every stored revision and
    kept across batches while the revisions stay as they were (their fingerprint changes with any
    write), so judging a movement does not read every BOM of the plant again. One per intake;
    a batch reads and replaces it whole, so concurrent batches share it safely."""

    def __init__(self):
        self._kept: tuple[tuple[int, int] | None, Mapping[str, frozenset[str]]] = (None, {})

    def current(self, uow: UnitOfWork) -> Mapping[str, frozenset[str]]:
        fingerprint = uow.type_fingerprint("bom_revision")
        kept_at, parents = self._kept
        if fingerprint != kept_at:
            uses: dict[str, set[str]] = {}
            for data in uow.entities_of_type("bom_revision"):
                _add_uses(uses, _parse("bom_revision", data))
            parents = {component: frozenset(items) for component, items in uses.items()}
            self._kept = (fingerprint, parents)
        return parents


def _add_uses(uses: dict[str, set[str]], bom: m.Bom) -> None:
    for line in bom.lines:
        uses.setdefault(line.component_id, set()).add(bom.item_id)


_OPEN_ORDERS = frozenset({m.ProductionStatus.planned, m.ProductionStatus.released, m.ProductionStatus.in_process})

# Entity types the rules look up by item rather than by key.
REF_TYPES = ("bom_revision", "quality_hold")


class BatchState:
    """Implements the workflows' view (the rules' StateView plus routing) over one unit of work."""

    def __init__(self, uow: UnitOfWork, conversions: Iterable[Conversion],
                 subscriptions: Mapping[EventType, list[str]], now: str,
                 plants: Mapping[str, PlantView] | None = None, command_targets: Iterable[str] = (),
                 auto_approve_up_to: Decimal | None = None, plan_after_movements_seconds: int | None = None,
                 where_used: WhereUsed | None = None):
        self._uow, self._subscriptions, self._now = uow, subscriptions, now
        self._auto_approve_up_to, self._plan_after = auto_approve_up_to, plan_after_movements_seconds
        self._plants, self._command_targets = plants or {}, set(command_targets)
        self._rows: dict[str, StoredEntity | None] = {}
        self._parsed: dict[str, m.Canonical | None] = {}
        self._items: dict[str, m.Item | None] = {}  # by item id: every rule and workflow asks
        self._written: dict[str, dict] = {}  # key -> entity row to put
        self._by_ref: dict[tuple[str, str], dict[str, m.Canonical]] = {}
        self._written_by_ref: dict[tuple[str, str], set[str]] = {}
        self._fetched_refs: set[tuple[str, str]] = set()  # (entity type, item) fetched in bulk
        self._stored_orders: list[m.PurchaseOrder] | None = None
        self._written_orders: dict[str, m.PurchaseOrder] = {}  # po_number -> this batch's order
        self._lines_by_item: dict[str, list[tuple[m.PurchaseOrder, m.PurchaseOrderLine]]] | None = None
        self._partners: Mapping[str, object] = {}
        self._where_used = where_used or WhereUsed()
        self._parents: Mapping[str, frozenset[str]] | None = None  # component -> parent items, when asked
        self._parents_added: dict[str, set[str]] = {}  # ... that this batch's releases add
        self._qty: dict[str, Decimal] = {}  # balance key -> quantity as this batch leaves it
        self._unread: dict[str, Decimal] = {}  # balance key -> this batch's deltas to a balance not read
        self._item_stock: dict[str, dict[str, dict]] = {}  # item -> balance key -> balance, batch included
        self.stock_moves: list[dict] = []
        self.stock_counts: list[dict] = []
        self._conversions = conversions
        self._units: UnitCatalogue | None = None  # built when a rule or workflow first converts

    # --- loading ---
    def prefetch(self, entity_keys: Iterable[str], refs: Iterable[str] = (), balance_keys: Iterable[str] = ()) -> None:
        """Fetch entity rows by key, the BOM revisions and holds of the items in `refs`, and
        the balances a batch's movements will judge."""
        wanted = [k for k in set(entity_keys) if k not in self._rows]
        found = self._uow.entity_rows(wanted)
        for key in wanted:
            self._rows[key] = found.get(key)
        items = [r for r in set(refs) if (REF_TYPES[0], r) not in self._fetched_refs]
        if items:
            for (entity_type, ref), stored in self._uow.entities_by_refs(REF_TYPES, items).items():
                self._load_bucket(entity_type, ref, stored)
            self._fetched_refs.update((t, r) for t in REF_TYPES for r in items)
        balances = [k for k in set(balance_keys) if k not in self._qty]
        stored_qty = self._uow.balances(balances)
        for key in balances:
            self._qty[key] = stored_qty.get(key, Decimal(0)) + self._unread.pop(key, Decimal(0))

    def _row(self, key: str) -> StoredEntity | None:
        if key not in self._rows:
            self.prefetch([key])
        return self._rows[key]

    def tokens(self, key: str) -> str | None:
        row = self._row(key)
        return row.tokens if row else None

    def exists(self, key: str) -> bool:
        return self._row(key) is not None

    def entity(self, key: str, entity_type: str) -> m.Canonical | None:
        if key not in self._parsed:
            row = self._row(key)
            self._parsed[key] = _parse(entity_type, row.data) if row else None
        return self._parsed[key]

    def _refs(self, entity_type: str, ref: str) -> dict[str, m.Canonical]:
        if (entity_type, ref) not in self._by_ref:
            # An item fetched in bulk that had none of these in the store: only this batch's writes.
            stored = {} if (entity_type, ref) in self._fetched_refs else \
                self._uow.entities_by_refs([entity_type], [ref]).get((entity_type, ref), {})
            self._load_bucket(entity_type, ref, stored)
        return self._by_ref[(entity_type, ref)]

    def _load_bucket(self, entity_type: str, ref: str, stored: dict[str, str]) -> None:
        found = {k: _parse(entity_type, v) for k, v in stored.items()} if stored else {}
        for key in self._written_by_ref.get((entity_type, ref), ()):  # this batch's writes win
            found[key] = self._parsed[key]
        self._by_ref[(entity_type, ref)] = found

    def _balance(self, key: str) -> Decimal:
        if key not in self._qty:
            self.prefetch((), (), [key])
        return self._qty[key]

    # --- the workflows' view ---
    def item(self, item_id: str) -> m.Item | None:
        try:
            return self._items[item_id]
        except KeyError:
            found = self._items[item_id] = self.entity(keys.item(item_id), "item")
            return found

    def supplier(self, supplier_id: str) -> m.Supplier | None:
        return self.entity(keys.supplier(supplier_id), "supplier")

    def released_boms(self, item_id: str) -> list[m.Bom]:
        return [b for b in self._refs("bom_revision", item_id).values() if b.status == m.BomStatus.released]

    def purchase_order(self, po_number: str) -> m.PurchaseOrder | None:
        return self.entity(keys.purchase_order(po_number), "purchase_order")

    def available_qty(self, item_id: str, plant_id: str, location_id: str, lot_id: str | None) -> Decimal:
        return self._balance(keys.balance(item_id, plant_id, location_id, lot_id, "available"))

    def holds_on(self, item_id: str, lot_id: str | None) -> list[m.QualityHold]:
        return [h for h in self._refs("quality_hold", item_id).values()
                if h.status == m.HoldStatus.held and (h.lot_id is None or h.lot_id == lot_id)]

    def units(self) -> UnitCatalogue:
        """The configured and stored conversions, read once a batch and only by a batch that
        converts (most single messages never do)."""
        if self._units is None:
            self._units = UnitCatalogue(self._conversions)
            for data in self._uow.entities_of_type("uom"):
                conv = m.UomConversion.model_validate_json(data)
                self._units.add(Conversion(conv.item_id, conv.from_uom, conv.to_uom, conv.factor))
        return self._units

    # --- what an engineering change's impact reads (workflows/engineering_change.py) ---
    def engineering_changes(self, item_id: str) -> list[m.EngineeringChange]:
        return list(self._refs("eco", item_id).values())

    def bom_revisions(self, item_id: str) -> list[m.Bom]:
        return list(self._refs("bom_revision", item_id).values())

    def previous_revision(self, bom: m.Bom) -> m.Bom | None:
        return ec.previous_of(bom, self.bom_revisions(bom.item_id))

    def production_orders(self, item_id: str, plant_id: str | None) -> list[m.ProductionOrder]:
        return ec.orders_in(self._refs("production_order", item_id).values(), plant_id)

    def purchase_lines(self, item_id: str) -> list[tuple[m.PurchaseOrder, m.PurchaseOrderLine]]:
        if self._stored_orders is None:  # read once a batch: an ECO asks for every component it touches
            self._stored_orders = [_parse("purchase_order", d) for d in self._uow.entities_of_type("purchase_order")]
        if self._lines_by_item is None:  # indexed again only after this batch writes an order
            orders = {po.po_number: po for po in self._stored_orders} | self._written_orders  # this batch's win
            self._lines_by_item = ec.lines_by_item(orders.values())
        return self._lines_by_item.get(item_id, [])

    def available_on_hand(self, item_id: str, plant_id: str | None) -> Decimal:
        return ec.on_hand(self._uow.stock_of(item_id), plant_id)

    def requisitions(self, item_id: str, plant_id: str | None) -> list[ec.Requisition]:
        stored = self._uow.entities_by_refs(["requisition"], [item_id]).get(("requisition", item_id), {})
        return ec.open_requisitions((json.loads(data) for data in stored.values()),
                                    self.purchase_requisitions(item_id), plant_id)

    def sourcing_rules(self, item_id: str) -> list[m.SourcingRule]:
        return list(self._refs("sourcing", item_id).values())

    # --- what the shop-floor workflows read (workflows/production.py, inventory.py, replenishment.py) ---
    def production_order(self, order_id: str) -> m.ProductionOrder | None:
        return self.entity(keys.production_order(order_id), "production_order")

    def purchase_requisitions(self, item_id: str) -> list[m.PurchaseRequisition]:
        return list(self._refs("purchase_requisition", item_id).values())

    def balances_of(self, item_id: str) -> list[m.InventoryBalance]:
        """Every balance of the item as this batch leaves it (read once a batch, then kept up)."""
        return [m.InventoryBalance.model_validate(b) for b in self._stock_of(item_id).values()]

    def available_lots(self, item_id: str, plant_id: str) -> list[tuple[str, str, Decimal]]:
        """(location, lot, qty) of the item's available stock in lots at the plant, as this batch
        leaves it: what a backflush draws on, asked per report line, so no model per balance."""
        return [(b["location_id"], b["lot_id"], b["qty"]) for b in self._stock_of(item_id).values()
                if b["lot_id"] is not None and b["plant_id"] == plant_id and b["status"] == m.StockStatus.available]

    def _stock_of(self, item_id: str) -> dict[str, dict]:
        if item_id not in self._item_stock:
            held = {keys.balance(b["item_id"], b["plant_id"], b["location_id"], b["lot_id"], b["status"]): dict(b)
                    for b in self._uow.stock_of(item_id)}
            for row in (r for r in self.stock_moves + self.stock_counts if r["item_id"] == item_id):
                _book(held, row)
            self._item_stock[item_id] = held
        return self._item_stock[item_id]

    def auto_approve_up_to(self) -> Decimal | None:
        return self._auto_approve_up_to

    def plan_after_movements_seconds(self) -> int | None:
        return self._plan_after

    def today(self) -> date:
        return date.fromisoformat(self._now[:10])

    def now(self) -> datetime:
        return datetime.fromisoformat(self._now)

    def subscribers(self, event_type: EventType) -> list[str]:
        return self._subscriptions.get(event_type, [])

    def takes_commands(self, target: str) -> bool:
        return target in self._command_targets

    def plants(self) -> Mapping[str, PlantView]:
        return self._plants

    # --- what the supplier workflows read (workflows/supplier_orders.py and its neighbours) ---
    def set_partners(self, partners: Mapping[str, object]) -> None:
        self._partners = partners

    def partners(self) -> Mapping[str, object]:
        """Trading partners by the supplier id each serves (config.System)."""
        return self._partners

    def record(self, key: str, entity_type: str) -> m.Canonical | None:
        """Any stored entity of a type by its key, this batch's writes included."""
        return self.entity(key, entity_type)

    def records_of(self, entity_type: str, ref: str) -> list[m.Canonical]:
        return list(self._refs(entity_type, ref).values())

    def orders_using(self, item_id: str) -> list[m.ProductionOrder]:
        """Open production orders whose item's released BOM (any revision) uses `item_id`."""
        if self._parents is None:  # the stored where-used, and what this batch's releases add
            self._parents = self._where_used.current(self._uow)
            for key, row in self._written.items():
                if row["entity_type"] == "bom_revision":
                    _add_uses(self._parents_added, self._parsed[key])
        stored, added = self._parents.get(item_id), self._parents_added.get(item_id)
        if not stored and not added:
            return []  # most items a movement moves are used by no open order's BOM
        parents = (stored or frozenset()) | (added or set())
        return sorted((o for parent in sorted(parents)
                       for o in self._refs("production_order", parent).values() if o.status in _OPEN_ORDERS),
                      key=lambda o: o.order_id)

    # --- writing ---
    def put(self, put: Put, tokens: str | None, msg_key: str) -> str:
        """Record the entity as this batch's state for its key; returns its canonical JSON."""
        data = put.entity.model_dump_json()
        read = self._row(put.key)
        version = self._written[put.key]["version"] if put.key in self._written else (read.version if read else 0)
        self._rows[put.key] = StoredEntity(tokens, data, read.version if read else 0)
        self._parsed[put.key] = put.entity
        bucket = (put.entity_type, put.ref)
        self._written_by_ref.setdefault(bucket, set()).add(put.key)
        if bucket in self._by_ref:
            self._by_ref[bucket][put.key] = put.entity
        self._written[put.key] = {"entity_key": put.key, "entity_type": put.entity_type, "ref": put.ref,
                                  "tokens": tokens, "data": data, "updated_at": self._now, "msg_key": msg_key,
                                  "version": version}
        if put.entity_type == "item":
            self._items.clear()
        if put.entity_type == "purchase_order":
            self._written_orders[put.entity.po_number] = put.entity
            self._lines_by_item = None
        if put.entity_type == "bom_revision" and self._parents is not None:
            _add_uses(self._parents_added, put.entity)
        if isinstance(put.entity, m.UomConversion):
            e = put.entity
            self.units().add(Conversion(e.item_id, e.from_uom, e.to_uom, e.factor))
        return data

    def adjust(self, adj: Adjust, msg_key: str, correlation_id: str | None) -> None:
        key = keys.balance(adj.item_id, adj.plant_id, adj.location_id, adj.lot_id, adj.status)
        if key in self._qty:
            self._qty[key] += adj.delta
        else:  # a delta needs no read: the store adds it to whatever the balance is at commit
            self._unread[key] = self._unread.get(key, Decimal(0)) + adj.delta
        self.stock_moves.append(self._stock_row(key, adj.item_id, adj.plant_id, adj.location_id, adj.lot_id,
                                                adj.status, adj.uom, msg_key, correlation_id, delta=adj.delta))
        if adj.item_id in self._item_stock:
            _book(self._item_stock[adj.item_id], self.stock_moves[-1])

    def count(self, counted: Count, msg_key: str, correlation_id: str | None) -> None:
        b = counted.balance
        key = keys.balance(b.item_id, b.plant_id, b.location_id, b.lot_id, b.status)
        self._qty[key] = b.qty
        self._unread.pop(key, None)
        # The store adds what moved the balance after the count was taken when the batch commits
        # (store/stock_counts.py); this batch goes on from the counted quantity.
        counted_at = _iso_time(counted.taken_at) if counted.taken_at else None
        self.stock_counts.append(self._stock_row(key, b.item_id, b.plant_id, b.location_id, b.lot_id, b.status,
                                                 b.uom, msg_key, correlation_id, qty=b.qty, counted_at=counted_at))
        if b.item_id in self._item_stock:
            _book(self._item_stock[b.item_id], self.stock_counts[-1])

    def _stock_row(self, key, item_id, plant_id, location_id, lot_id, status, uom, msg_key, correlation_id,
                   **amount) -> dict:
        return {"balance_key": key, "item_id": item_id, "plant_id": plant_id, "location_id": location_id,
                "lot_id": lot_id, "status": str(status), "uom": uom, "msg_key": msg_key, "at": self._now,
                "correlation_id": correlation_id, **amount}

    def written_rows(self) -> list[dict]:
        return list(self._written.values())


@lru_cache(maxsize=64)
def _iso_time(time: datetime) -> str:
    """A time as the ledger writes it (the balances of one count share one)."""
    return iso(time.timestamp())


def _book(balances: dict[str, dict], row: dict) -> None:
    """A ledger row of this batch (a delta or a count) applied to an item's balances."""
    names = ("item_id", "plant_id", "location_id", "lot_id", "status", "uom")
    balance = balances.setdefault(row["balance_key"], {**{n: row[n] for n in names}, "qty": Decimal(0)})
    balance["qty"] = balance["qty"] + row["delta"] if "delta" in row else row["qty"]
