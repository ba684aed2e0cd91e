"""Code mappings: a system's own codes (plants, units, items, …) read as the hub's.

Configured per system as `mappings: {erp: {plant: {"1000": P1}, uom: {ST: C62}}}`; every field
of that kind anywhere in a message's data is translated before validation.
"""

from __future__ import annotations

from typing import Any, Mapping

# Which canonical fields hold which kind of code.
FIELD_KINDS = {
    "plant_id": "plant", "item_id": "item", "component_id": "item", "supplier_id": "supplier",
    "uom": "uom", "base_uom": "uom", "from_uom": "uom", "to_uom": "uom",
    "location_id": "location", "from_location": "location", "to_location": "location",
    "work_center": "work_center", "currency": "currency",
}


def translate(data: Any, maps: Mapping[str, Mapping[str, str]]) -> Any:
    """`data` with every mapped code replaced (a new structure; the input is not changed)."""
    if isinstance(data, dict):
        result = {}
        for name, value in data.items():
            kind = FIELD_KINDS.get(name)
            if kind in maps and isinstance(value, str) and value in maps[kind]:
                result[name] = maps[kind][value]
            else:
                result[name] = translate(value, maps)
        return result
    if isinstance(data, list):
        return [translate(value, maps) for value in data]
    return data
