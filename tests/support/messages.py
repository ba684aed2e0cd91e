"""Envelopes for scenario tests, written the way the sending systems would."""

from __future__ import annotations

import itertools
from typing import Any

_ids = itertools.count(1)


def envelope(event_type: str, data: dict[str, Any], source: str = "plm", time: str = "2026-11-22T10:00:00Z",
             message_id: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"specversion": "1.0", "id": message_id or f"{source}-{next(_ids):06d}", "source": source,
            "type": event_type, "time": time, "data": data, **extra}


def item(item_id: str, description: str | None = None, base_uom: str = "C62", **fields: Any) -> dict[str, Any]:
    return {"item_id": item_id, "description": description or f"item {item_id}", "base_uom": base_uom, **fields}


def bom(item_id: str, revision: str, components: dict[str, Any], **fields: Any) -> dict[str, Any]:
    lines = [{"line_no": 10 * (n + 1), "component_id": c, "qty_per": q, "uom": "C62"}
             for n, (c, q) in enumerate(components.items())]
    return {"item_id": item_id, "revision": revision, "lines": lines, **fields}
