"""KPIs computed from the hub's own records: what it received, decided, delivered and owes."""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from mfgsync.store import outbox


def _parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def _propagation_seconds(connection: Connection) -> list[float]:
    """Per BOM release: received → the last of its targets confirmed, for releases fully delivered."""
    rows = connection.execute(text(
        "SELECT i.received_at, MAX(o.delivered_at), SUM(CASE WHEN o.status = 'delivered' THEN 0 ELSE 1 END) "
        "FROM inbox i JOIN outbox o ON o.msg_key = i.msg_key WHERE i.event_type = 'bom.released' "
        "GROUP BY i.msg_key, i.received_at"))
    return [(_parse(done) - _parse(received)).total_seconds() for received, done, open_ in rows if not open_ and done]


def compute(connection: Connection, now_iso: str) -> dict[str, Any]:
    messages = dict(connection.execute(text("SELECT outcome, COUNT(*) FROM inbox GROUP BY outcome")).all())
    repeats = connection.execute(text("SELECT COALESCE(SUM(times_seen - 1), 0) FROM inbox")).scalar()
    open_exceptions = connection.execute(text(
        "SELECT kind, owner_role, COUNT(*), MIN(first_seen) FROM exceptions "
        "WHERE status IN ('open', 'pending_approval') GROUP BY kind, owner_role")).all()
    oldest = min((row[3] for row in open_exceptions), default=None)
    deliveries = outbox.counts_by_target(connection)
    latencies = _propagation_seconds(connection)
    failed = connection.execute(text("SELECT COUNT(*) FROM outbox WHERE attempts > 0 AND last_error IS NOT NULL")
                                ).scalar()
    return {
        "messages": {"applied": messages.get("applied", 0), "stale": messages.get("stale", 0),
                     "quarantined": messages.get("quarantined", 0),
                     "duplicates": int(repeats) + messages.get("duplicate", 0)},
        "exceptions_open": {f"{kind}:{role}": n for kind, role, n, _ in open_exceptions},
        "dead_letter_depth": sum(t.get("dead", 0) for t in deliveries.values()),
        "failed_deliveries": failed,
        "exception_oldest_age_seconds": (_parse(now_iso) - _parse(oldest)).total_seconds() if oldest else 0,
        "deliveries": deliveries,
        "bom_propagation_seconds": {
            "count": len(latencies),
            "median": statistics.median(latencies) if latencies else None,
            "max": max(latencies) if latencies else None,
        },
    }
