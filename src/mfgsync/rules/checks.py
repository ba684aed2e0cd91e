"""Checks several rules share: a referenced item exists, a unit converts to the item's base unit."""

from __future__ import annotations

from collections.abc import Iterator

from mfgsync.model.entities import Item
from mfgsync.model.units import UnitError
from mfgsync.rules.findings import Finding
from mfgsync.rules.state import StateView


def known_item(state: StateView, item_id: str, field: str, where: str = "") -> tuple[Item | None, list[Finding]]:
    """The item, or no item and an ITEM_UNKNOWN finding. `where` ends the message, e.g. " (line 3)"."""
    item = state.item(item_id)
    if item is None:
        return None, [Finding("ITEM_UNKNOWN", f"item {item_id} is not known to the hub{where}", field)]
    return item, []


def unit_converts(state: StateView, item: Item, uom: str | None, field: str, where: str = "") -> Iterator[Finding]:
    """A finding when `uom` cannot be expressed in the item's base unit.

    An item with no base unit yet says nothing: the item rules report that item itself.
    """
    if uom is None or item.base_uom is None:
        return
    try:
        state.units().factor(uom, item.base_uom, item.item_id)
    except UnitError as exc:
        yield Finding(exc.code, f"{uom} of item {item.item_id} does not convert to its base unit "
                                f"{item.base_uom}{where}", field)


def item_and_unit(state: StateView, item_id: str, uom: str | None, path: str, where: str = "") -> list[Finding]:
    """Both checks for a line that names an item and a unit; `path` is the line's field path."""
    item, findings = known_item(state, item_id, field_path(path, "item_id"), where)
    if item is not None:
        findings.extend(unit_converts(state, item, uom, field_path(path, "uom"), where))
    return findings


def field_path(prefix: str, name: str) -> str:
    """`lines[2]` + `uom` -> `lines[2].uom`; an empty prefix is the entity itself."""
    return f"{prefix}.{name}" if prefix else name
