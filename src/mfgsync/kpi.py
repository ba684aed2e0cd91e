"""KPIs computed from the hub's own records: what it received, decided, delivered and owes."""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import Any

from mfgsync.store.port import ReadSide


def _parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def _propagation_seconds(read: ReadSide) -> list[float]:
    """Per BOM release: received → the last of its targets confirmed, for releases fully delivered."""
    return [(_parse(done) - _parse(received)).total_seconds()
            for received, done, undelivered in read.propagation("bom.released") if not undelivered and done]


def compute(read: ReadSide, now_iso: str) -> dict[str, Any]:
    inbox = read.inbox_figures()
    open_exceptions = read.open_exceptions()
    oldest = min((row[3] for row in open_exceptions), default=None)
    deliveries = read.outbox_counts()
    latencies = _propagation_seconds(read)
    return {
        "messages": {"applied": inbox.outcomes.get("applied", 0), "stale": inbox.outcomes.get("stale", 0),
                     "quarantined": inbox.outcomes.get("quarantined", 0),
                     "duplicates": inbox.repeats + inbox.outcomes.get("duplicate", 0)},
        "exceptions_open": {f"{kind}:{role}": n for kind, role, n, _ in open_exceptions},
        "dead_letter_depth": sum(t.get("dead", 0) for t in deliveries.values()),
        "failed_deliveries": read.failed_attempts(),
        "exception_oldest_age_seconds": (_parse(now_iso) - _parse(oldest)).total_seconds() if oldest else 0,
        "deliveries": deliveries,
        "bom_propagation_seconds": {
            "count": len(latencies),
            "median": statistics.median(latencies) if latencies else None,
            "max": max(latencies) if latencies else None,
        },
    }
