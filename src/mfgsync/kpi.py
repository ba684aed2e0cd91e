"""KPIs computed from the hub's own records: what it received, decided, delivered and owes."""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any, Iterable, Iterator

from mfgsync.model import keys
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
    """The correlation ids of applied messages of a type, from the audit of their intake."""
    found = set()
    for row in read.audit_rows():
        action, detail, correlation = row[3], row[5], row[8]
        if action == "message.applied" and correlation and event_type in detail \
                and json.loads(detail).get("type") == event_type:
            found.add(correlation)
    return sorted(found)


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
        "failed_deliveries": read.failed_attempts(),
        "exception_oldest_age_seconds": seconds_between(oldest, now_iso) if oldest else 0,
        "deliveries": deliveries,
        "bom_propagation_seconds": bom_propagation(read),
    }
