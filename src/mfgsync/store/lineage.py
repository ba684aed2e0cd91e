"""Lineage nodes, the same from every store: one per inbox, outbox, exception and schedule row
of a correlation id, linked to their causes (see port.ReadSide.lineage)."""

from __future__ import annotations

from typing import Any


def node(node_id, parent, kind, system, event_type, entity_key, status, at) -> dict[str, Any]:
    return {"id": node_id, "parent": parent, "kind": kind, "system": system, "event_type": event_type,
            "entity_key": entity_key, "status": status, "at": at}


def tree(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parents outside the tree become None; nodes sorted by time (parents before children on ties)."""
    ids = {n["id"] for n in nodes}
    order = {"message": 0, "effect": 1, "schedule": 1, "exception": 2, "delivery": 3}
    for node in nodes:
        if node["parent"] not in ids:
            node["parent"] = None
    return sorted(nodes, key=lambda n: (n["at"] or "", order[n["kind"]], n["id"]))
