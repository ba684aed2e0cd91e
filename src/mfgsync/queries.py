"""The read side as its users ask it: the questions the CLI (and the API) answer, over the
store port, in one place."""

from __future__ import annotations

from typing import Any

from mfgsync import kpi
from mfgsync.model import keys
from mfgsync.store import audit_chain
from mfgsync.store.port import Backlog, Store

ENTITY_TYPES = (*keys.BY_TYPE, "bom", "balance")


class UnknownType(ValueError):
    code = "UNKNOWN_TYPE"


def entity_key(entity_type: str, key: str, revision: str | None = None, plant: str | None = None) -> str:
    """The stored key of what `get TYPE KEY` names."""
    if entity_type == "bom":
        return keys.bom_revision(key, plant, revision) if revision else keys.bom(key, plant)
    if entity_type in keys.BY_TYPE:
        return keys.BY_TYPE[entity_type](key)
    raise UnknownType(f"unknown type {entity_type!r}; use one of {', '.join(ENTITY_TYPES)}")


def current(store: Store, entity_type: str, key: str, revision: str | None = None,
            plant: str | None = None) -> dict[str, Any] | None:
    """The current canonical state of one entity; for a balance, every balance of the item."""
    with store.reading() as read:
        if entity_type == "balance":
            balances = read.balances(key)
            return {"balances": balances} if balances else None
        return read.entity(entity_key(entity_type, key, revision, plant))


def history(store: Store, entity_type: str, key: str, plant: str | None = None) -> dict[str, Any] | None:
    if entity_type == "balance":
        raise UnknownType("a balance's history is its movements: use `get movement ID`")
    stored_key = entity_key(entity_type, key, None, plant)
    with store.reading() as read:
        if read.entity(stored_key) is None:
            return None
        return {"entity_key": stored_key, "history": read.history(stored_key)}


def kpis(store: Store, now_iso: str) -> dict[str, Any]:
    with store.reading() as read:
        return kpi.compute(read, now_iso)


def backlog(store: Store, now: float) -> Backlog:
    with store.reading() as read:
        return read.backlog(now)


def status(store: Store, now: float) -> dict[str, Any]:
    """What the hub owes right now, for `mfgsync status` and the status page."""
    with store.reading() as read:
        backlog = read.backlog(now)
        scheduled_due = read.scheduled_due(now)
        open_exceptions = sum(n for _, _, n, _ in read.open_exceptions())
    return {"store": store.kind, "deliveries": {
                "pending": backlog.pending, "due_now": backlog.due_now, "leased": backlog.leased,
                "held_by_dead_letter": backlog.held_by_dead_letter, "dead_letters": backlog.dead,
                "next_retry_in_seconds": None if backlog.next_retry_at is None else round(backlog.next_retry_at - now, 3)},
            "scheduled_due": scheduled_due, "exceptions_open": open_exceptions}


def eco_impact(store: Store, releases: list, eco, as_of) -> dict[str, Any]:
    """What an engineering change would do to open orders, on the hub's current state; writes nothing."""
    from mfgsync.impact_view import StoreImpactView
    from mfgsync.workflows.engineering_change import impact
    with store.reading() as read:
        return impact(releases, eco, StoreImpactView(read, releases), as_of).to_json()


def eco_status(store: Store, eco_id: str) -> dict[str, Any] | None:
    """How far an ECO's revisions got into each ERP and plant, from its lineage: pending, delivered
    (the revision is in the ERP), confirmed (it is the ERP's default BOM) or failed."""
    nodes = lineage(store, eco_id)["nodes"]
    if not nodes:
        return None
    received = min(n["at"] for n in nodes if n["kind"] == "message")
    rows = kpi.target_rows(nodes)
    finished = [r["confirmed_at"] or r["delivered_at"] for r in rows]
    latency = kpi.seconds_between(received, max(finished)) if rows and all(finished) else None
    return {"eco_id": eco_id, "targets": rows, "latency_seconds": latency}


def lineage(store: Store, correlation_id: str) -> dict[str, Any]:
    with store.reading() as read:
        return {"correlation_id": correlation_id, "nodes": read.lineage(correlation_id)}


def verify_audit(store: Store, key: bytes | None = None,
                 anchor: tuple[int, str] | None = None) -> audit_chain.Verification:
    """The audit chain recomputed (with its key, if it has one), against the inbox and an anchor."""
    with store.reading() as read:
        figures = read.inbox_figures()
        return audit_chain.verify(read.audit_rows(), read.audit_head(), key, sum(figures.outcomes.values()), anchor)


def audit_anchor(store: Store) -> dict[str, Any] | None:
    """The log's newest link, to keep apart from the store and check against later."""
    with store.reading() as read:
        head = read.audit_head()
    return {"seq": head[0], "hash": head[1]} if head else None


def supplier_items(read, supplier_id: str) -> dict[str, str]:
    """A supplier's item numbers and the hub's items they are, from its sourcing rules in force
    and their history: a number later rules use wins over what an earlier rule meant by it (a
    supplier that reuses an old number for another item means the new one), and a number only
    a superseded rule used still finds its item (a renumbered part's old paperwork)."""
    rules = [r for r in read.entities_of_type("sourcing") if r.get("supplier_id") == supplier_id
             and r.get("supplier_item_id")]
    rules.sort(key=lambda r: (r.get("valid_to") or "9999-12-31", r.get("valid_from") or ""))
    return {r["supplier_item_id"]: r["item_id"] for r in rules}


def atp(store: Store, settings, item_id: str, plant_id: str, today) -> dict[str, Any] | None:
    """Available-to-promise of an item in a plant by date, from the hub's stock, orders, ship
    notices in transit and BOMs (planning/hub_atp.py); None for an item the hub does not know."""
    from mfgsync.model import entities as m
    from mfgsync.model.partner_records import ExpectedReceipt
    from mfgsync.planning.hub_atp import completed_by_order, item_atp
    from mfgsync.store.planning_source import StorePlanningSource
    with store.reading() as read:
        row = read.entity(keys.item(item_id))
        if row is None:
            return None
        source = StorePlanningSource(read, settings)
        orders = list(source.production_orders())
        own = [o for o in orders if o.item_id == item_id and o.plant_id == plant_id]
        reports = [m.ProductionReport.model_validate(r) for o in own
                   for r in read.entities_of_ref("production_report", o.order_id)]
        return item_atp(m.Item.model_validate(row), plant_id, today,
                        balances=[m.InventoryBalance.model_validate(b) for b in read.balances(item_id)],
                        purchase_orders=source.purchase_orders(), production_orders=orders, boms=source.boms(),
                        units=source.units(), completed=completed_by_order(reports, item_id),
                        in_transit=[ExpectedReceipt.model_validate(r)
                                    for r in read.entities_of_ref("expected_receipt", item_id)],
                        consumed={order: qty for (order, used), qty in source.consumed().items() if used == item_id})
