"""What scenario tests read back from a hub, through its store's read side."""

from __future__ import annotations

from decimal import Decimal

from mfgsync.model import keys


def entity(hub, key: str) -> dict | None:
    with hub.store.reading() as read:
        return read.entity(key)


def balance(hub, item_id: str, plant_id: str, location_id: str, lot_id: str | None = None,
            status: str = "available") -> Decimal | None:
    """The quantity of one balance, None when nothing was ever booked there."""
    with hub.store.reading() as read:
        for row in read.balances(item_id):
            if keys.balance(row["item_id"], row["plant_id"], row["location_id"], row["lot_id"], row["status"]) == \
                    keys.balance(item_id, plant_id, location_id, lot_id, status):
                return row["qty"]
    return None


def deliveries(hub) -> int:
    with hub.store.reading() as read:
        return sum(sum(states.values()) for states in read.outbox_counts().values())


def arrivals(hub) -> int:
    with hub.store.reading() as read:
        figures = read.inbox_figures()
    return sum(figures.outcomes.values()) + figures.repeats


def audit_actions(hub) -> list[str]:
    with hub.store.reading() as read:
        return [row[3] for row in read.audit_rows()]
