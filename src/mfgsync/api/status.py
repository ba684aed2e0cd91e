"""What the hub has done so far, as one document: the dashboard's overview shows it."""

from __future__ import annotations

from typing import Any

from mfgsync import kpi
from mfgsync.app import Hub
from mfgsync.config import Settings
from mfgsync.pipeline.clock import iso

STAGES = ("received", "applied", "duplicates", "stale", "quarantined")
DELIVERY_STATES = ("delivered", "pending", "dead")
_EXCEPTION_FIELDS = ("id", "kind", "status", "owner_role", "source", "message_id", "event_type", "entity_key",
                     "codes", "reasons", "times_seen", "first_seen", "last_seen")


def status(hub: Hub, exception_limit: int = 100) -> dict[str, Any]:
    now_iso = iso(hub.clock())
    with hub.store.reading() as read:
        figures = kpi.compute(read, now_iso)
        inbox = read.inbox_figures()
    # Every arrival counts, repeats included: received = applied + duplicates + stale + quarantined.
    stages = {"received": sum(inbox.outcomes.values()) + inbox.repeats, **figures["messages"]}
    deliveries = _deliveries(hub.settings, figures["deliveries"])
    exceptions_open = sum(figures["exceptions_open"].values())
    return {
        "generated_at": now_iso,
        "summary": summary(stages, deliveries, exceptions_open),
        "stages": stages,
        "exceptions_open": exceptions_open,
        "exceptions": [{name: row[name] for name in _EXCEPTION_FIELDS}
                       for row in hub.exceptions.list(status="open", limit=exception_limit)],
        "deliveries": deliveries,
        "kpis": figures,
    }


def _deliveries(settings: Settings, counts: dict[str, dict[str, int]]) -> dict[str, dict[str, Any]]:
    """Per target, subscribed ones included before their first delivery; where file targets write."""
    targets = sorted({t for subscribed in settings.subscriptions.values() for t in subscribed} | set(counts))
    result = {}
    for target in targets:
        system = settings.systems.get(target)
        result[target] = {"kind": system.kind if system else None,
                          "path": system.path if system and system.kind in ("dropfolder", "recorder", "b2mml") else None,
                          **{state: counts.get(target, {}).get(state, 0) for state in DELIVERY_STATES}}
    return result


def summary(stages: dict[str, int], deliveries: dict[str, dict[str, Any]], exceptions_open: int) -> str:
    """One sentence a newcomer can read: what arrived, what became of it, where it went."""
    if not stages["received"]:
        return "Nothing received yet: send messages with `mfgsync ingest FILE`, or start with `mfgsync serve --demo`."
    delivered = sum(t["delivered"] for t in deliveries.values())
    pending = sum(t["pending"] for t in deliveries.values())
    dead = sum(t["dead"] for t in deliveries.values())
    return (f"The hub received {_count(stages['received'], 'message')}: it applied {stages['applied']}, ignored "
            f"{_count(stages['duplicates'], 'duplicate')}, skipped {_count(stages['stale'], 'stale update')} and "
            f"quarantined {stages['quarantined']} for a person to fix ({_count(exceptions_open, 'exception')} open). "
            f"It delivered {_count(delivered, 'message')} to {_count(len(deliveries), 'target')}; "
            f"{pending} waiting, {dead} dead-lettered.")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
