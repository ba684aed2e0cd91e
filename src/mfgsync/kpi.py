"""KPIs computed from the hub's own records: what it received, decided, delivered and owes."""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any, Iterable, Iterator

from mfgsync.envelope import occurred as occurred_at
from mfgsync.model import keys
from mfgsync.store.exception_pages import every_exception
from mfgsync.store.port import ReadSide


def _parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def seconds_between(start: str, end: str) -> float:
    return (_parse(end) - _parse(start)).total_seconds()


def percentile(ordered: list[float], q: float) -> float:
    """The q-th quantile (0..1) of sorted values, linearly interpolated between ranks."""
    rank = (len(ordered) - 1) * q
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def distribution(values: Iterable[float]) -> dict[str, Any]:
    """p50, p95, max and count of some durations (None for the figures of none)."""
    ordered = sorted(values)
    if not ordered:
        return {"p50": None, "p95": None, "max": None, "count": 0}
    return {"p50": percentile(ordered, 0.5), "p95": percentile(ordered, 0.95), "max": ordered[-1],
            "count": len(ordered)}


# --- how far a release got into each target and plant, from its lineage ---

def target_rows(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per target and plant of the BOM effects among lineage nodes: pending, delivered (the
    revision is in the target), confirmed (the scheduled default switch is delivered too) or
    failed, with the times."""
    targets: dict[tuple[str, str], dict[str, Any]] = {}
    done = {n["parent"]: n for n in nodes if n["kind"] == "delivery"}
    for n in nodes:
        if n["kind"] != "effect" or not (n["entity_key"] or "").startswith(keys.BOM_PREFIX):
            continue
        plant = n["entity_key"].rpartition("@")[2]
        row = targets.setdefault((n["system"], plant), {"plant_id": None if plant == "*" else plant,
                                                         "target": n["system"], "status": "pending",
                                                         "delivered_at": None, "confirmed_at": None})
        delivery = done.get(n["id"])
        if n["status"] == "dead":
            row["status"] = "failed"
        elif delivery and row["status"] != "failed":
            switched = n["event_type"] == "scheduled"  # the default switch, fired on the effective date
            row["confirmed_at" if switched else "delivered_at"] = delivery["at"]
            row["status"] = "confirmed" if row["confirmed_at"] else "delivered"
    return sorted(targets.values(), key=lambda r: (r["target"], r["plant_id"] or ""))


def _subtree(nodes: list[dict[str, Any]], root: str) -> list[dict[str, Any]]:
    """The nodes caused, directly or not, by `root`."""
    children: dict[str, list[dict[str, Any]]] = {}
    for n in nodes:
        children.setdefault(n["parent"], []).append(n)
    found, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), ()):
            found.append(child)
            stack.append(child["id"])
    return found


def release_latencies(nodes: list[dict[str, Any]]) -> Iterator[tuple[float | None, dict[str, float]]]:
    """Per BOM release among lineage nodes: seconds from received to every target confirmed (None
    while one is not), and the seconds to each target and plant confirmed so far. A target that
    takes commands has its default switch scheduled: it is confirmed when that switch is
    delivered; an envelope target when its envelope is."""
    for message in nodes:
        if message["kind"] != "message" or message["event_type"] != "bom.released" or message["status"] != "applied":
            continue
        caused = _subtree(nodes, message["id"])
        commanded = {n["system"] for n in caused if n["kind"] == "schedule"}
        per_target = {}
        rows = target_rows(caused)
        for row in rows:
            end = row["confirmed_at"] if row["target"] in commanded else row["delivered_at"]
            if end and row["status"] != "failed":
                name = row["target"] + (f"@{row['plant_id']}" if row["plant_id"] else "")
                per_target[name] = seconds_between(message["at"], end)
        whole = max(per_target.values()) if rows and len(per_target) == len(rows) else None
        yield whole, per_target


def _traced_correlations(read: ReadSide, event_type: str) -> list[str]:
    """The correlation ids of applied messages of a type, from the inbox (an index read, where
    scanning the audit log grew with every decision the hub ever made)."""
    return sorted({m["correlation_id"] for m in read.messages([event_type], ["applied"]) if m["correlation_id"]})


def bom_propagation(read: ReadSide) -> dict[str, Any]:
    """Release received → every target confirmed, over the releases that carry a correlation id
    (their lineage ties the scheduled default switch to the release); inside, per target and plant."""
    whole, by_target = [], {}
    traced = _traced_correlations(read, "bom.released") if read.propagation("bom.released") else []
    for correlation in traced:  # (no release delivered anywhere yet: no audit to read)
        for seconds, per_target in release_latencies(read.lineage(correlation)):
            if seconds is not None:
                whole.append(seconds)
            for name, value in per_target.items():
                by_target.setdefault(name, []).append(value)
    return {**distribution(whole), "by_target": {name: distribution(v) for name, v in sorted(by_target.items())}}


def compute(read: ReadSide, now_iso: str) -> dict[str, Any]:
    inbox = read.inbox_figures()
    open_exceptions = read.open_exceptions()
    oldest = min((row[3] for row in open_exceptions), default=None)
    deliveries = read.outbox_counts()
    return {
        "messages": {"applied": inbox.outcomes.get("applied", 0), "stale": inbox.outcomes.get("stale", 0),
                     "quarantined": inbox.outcomes.get("quarantined", 0),
                     "duplicates": inbox.repeats + inbox.outcomes.get("duplicate", 0)},
        "exceptions_open": {f"{kind}:{role}": n for kind, role, n, _ in open_exceptions},
        "dead_letter_depth": sum(t.get("dead", 0) for t in deliveries.values()),
        "dead_letter_depth_by_target": {target: t.get("dead", 0) for target, t in deliveries.items()},
        "failed_deliveries": read.failed_attempts(),
        "exception_oldest_age_seconds": seconds_between(oldest, now_iso) if oldest else 0,
        "deliveries": deliveries,
        "bom_propagation_seconds": bom_propagation(read),
        "inventory_sync_lag_seconds": inventory_sync_lag(read),
        "po_ack_turnaround_seconds": po_ack_turnaround(read),
        "message_failure_rate": message_failure_rate(read),
        "exception_aging": exception_aging(read, now_iso),
        "reconciliation_variance": reconciliation_variance(read),
        "orders_impacted": orders_impacted(read),
    }


# --- the rest of DESIGN.md section 7, each with its breakdowns inside ---

STOCK_EVENTS = ("inventory.moved", "production.reported")
AGE_BANDS = (("<1h", 3600.0), ("1-24h", 86_400.0), ("1-7d", 7 * 86_400.0), (">7d", math.inf))
DONE_ORDERS = {"completed", "closed"}


def _grouped(pairs: Iterable[tuple[str, float]]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[float]] = {}
    for name, value in pairs:
        groups.setdefault(name, []).append(value)
    return {name: distribution(values) for name, values in sorted(groups.items())}


def inventory_sync_lag(read: ReadSide) -> dict[str, Any]:
    """Movement occurred → delivered to each target (and, inside, → applied by the hub), over every
    delivered stock movement; per target, plant and source."""
    delivered, applied, rows = [], [], []
    for row in read.deliveries(STOCK_EVENTS, ["delivered"]):
        envelope = json.loads(row["envelope"]) if row["envelope"] else {}
        occurred = occurred_at(envelope)
        if not occurred or not row["delivered_at"]:
            continue
        lag = seconds_between(occurred, row["delivered_at"])
        delivered.append(lag)
        applied.append(seconds_between(occurred, row["received_at"]))
        rows.append((row["target"], (envelope.get("data") or {}).get("plant_id") or "-", row["source"] or "-", lag))
    return {**distribution(delivered), "applied": distribution(applied),
            "by_target": _grouped((t, lag) for t, _, _, lag in rows),
            "by_plant": _grouped((p, lag) for _, p, _, lag in rows),
            "by_source": _grouped((s, lag) for _, _, s, lag in rows)}


def po_ack_turnaround(read: ReadSide) -> dict[str, Any]:
    """PO sent → acknowledgement received, per partner, from the supplier orders the hub keeps
    (none yet: zero counts)."""
    pairs = [(o["partner"], seconds_between(o["sent_at"], o["acknowledged_at"]))
             for o in read.entities_of_type("supplier_order") if o.get("sent_at") and o.get("acknowledged_at")]
    return {**distribution(v for _, v in pairs), "by_partner": _grouped(pairs)}


def message_failure_rate(read: ReadSide) -> dict[str, Any]:
    """(quarantined + dead-lettered) over received, counting distinct messages; per source."""
    received = read.inbox_by_source()
    dead: dict[str, set[str]] = {}
    for row in every_exception(read, "all", "dead_letter"):
        if row["msg_key"]:
            dead.setdefault(row["source"] or "-", set()).add(row["msg_key"])

    def figures(outcomes: dict[str, int], dead_lettered: int) -> dict[str, Any]:
        total, quarantined = sum(outcomes.values()), outcomes.get("quarantined", 0)
        return {"rate": (quarantined + dead_lettered) / total if total else 0.0, "received": total,
                "quarantined": quarantined, "dead_lettered": dead_lettered}

    every: dict[str, int] = {}
    for outcomes in received.values():
        for outcome, n in outcomes.items():
            every[outcome] = every.get(outcome, 0) + n
    by_source = {s: figures(o, len(dead.get(s, ()))) for s, o in received.items()}
    return {**figures(every, sum(len(keys) for keys in dead.values())), "by_source": by_source}


def exception_aging(read: ReadSide, now_iso: str) -> dict[str, Any]:
    """Open exceptions by owner role and age band (<1h, 1-24h, 1-7d, >7d)."""
    bands = [name for name, _ in AGE_BANDS]
    by_role: dict[str, dict[str, int]] = {}
    total = dict.fromkeys(bands, 0)
    for row in every_exception(read, "open"):
        age = seconds_between(row["first_seen"], now_iso)
        band = next(name for name, limit in AGE_BANDS if age < limit)
        by_role.setdefault(row["owner_role"], dict.fromkeys(bands, 0))[band] += 1
        total[band] += 1
    return {"bands": bands, "total": total, "by_role": dict(sorted(by_role.items()))}


TREND_POINTS = 30  # the newest runs shown per plant


def reconciliation_variance(read: ReadSide) -> dict[str, Any]:
    """Variance count and quantity (base units) per plant, from the newest run of each
    reconciliation; and per plant its trend, run after run (the newest TREND_POINTS)."""
    from mfgsync.reconcile.results import latest, trend
    by_plant: dict[str, dict[str, Any]] = {}
    runs = {}
    for name, run in sorted(latest(read).items()):
        runs[name] = {"at": run["at"], "count": run["variance_count"], "summary": run["summary"]}
        for plant, figures in run["by_plant"].items():
            row = by_plant.setdefault(plant, {"count": 0, "qty": 0})
            row["count"] += figures["variances"]
            row["qty"] += figures["qty"]
    return {"count": sum(r["count"] for r in runs.values()), "qty": sum(p["qty"] for p in by_plant.values()),
            "by_plant": by_plant, "by_reconciliation": runs,
            "trend_by_plant": {plant: points[-TREND_POINTS:] for plant, points in trend(read).items()}}


def orders_impacted(read: ReadSide) -> dict[str, Any]:
    """Open production orders whose material or BOM waits on an open exception: one on the order,
    its item or BOM, a component of its BOM or that component's stock movements in the plant (a
    dead letter), or a purchase order bringing a component."""
    blocked = {row["entity_key"] for row in every_exception(read, "open") if row["entity_key"]}
    supplying: dict[str, set[str]] = {}
    for po in read.entities_of_type("purchase_order"):
        for line in po.get("lines") or []:
            supplying.setdefault(line["item_id"], set()).add(keys.purchase_order(po["po_number"]))
    impacted: dict[str, str] = {}
    for order in read.entities_of_type("production_order"):
        if order.get("status") in DONE_ORDERS:
            continue
        item, plant = order["item_id"], order["plant_id"]
        bom = read.entity(keys.bom(item, plant)) or read.entity(keys.bom(item, None)) or {}
        components = [line["component_id"] for line in bom.get("lines") or []]
        watched = {keys.production_order(order["order_id"]), keys.item(item), keys.bom(item, plant), keys.bom(item, None),
                   *(keys.item(c) for c in components), *(keys.stock_stream(c, plant) for c in components),
                   *(k for c in components for k in supplying.get(c, ()))}
        if watched & blocked:
            impacted[order["order_id"]] = plant
    per_plant: dict[str, int] = {}
    for plant in impacted.values():
        per_plant[plant] = per_plant.get(plant, 0) + 1
    return {"count": len(impacted), "orders": sorted(impacted), "by_plant": dict(sorted(per_plant.items()))}
