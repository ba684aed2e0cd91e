"""Lot genealogy: which lots a lot went into (forward) or came from (backward), level by level,
from the links production reports leave (workflows/production.py). Pure: the links of a lot
are read through the function the caller passes."""

from __future__ import annotations

from decimal import Decimal
from typing import Callable, Iterable

from mfgsync.model.base import decimal_to_number
from mfgsync.model.entities import LotLink

USED_IN, MADE_FROM = "lot_used_in", "lot_made_from"  # the entity types of each direction's links
SHIPPED = "lot_shipped"  # a lot issued to a customer's order
MAX_DEPTH = 100  # a genealogy deeper than this is a loop in the data, not a bill of materials


def trace(lot_id: str, backward: bool, links_of: Callable[[str], Iterable[LotLink]],
          shipments_of: Callable[[str], Iterable[LotLink]] = lambda lot: ()) -> dict:
    """`{"lot_id", "direction", "lots": [{"lot_id", "item_id", "order_id", "qty", "uom", "depth"}]}`.

    Forward, each lot made from the one before it, with the order that made it and the quantity
    made; backward, each lot that went into it, with the order that used it and the quantity
    used. A lot reached along two paths is listed once, at its nearest depth, its quantities
    added over the reports that link it. Forward, each lot shipped to a customer's order (the
    start lot too) is listed once more under that order, a level below the lot, with the
    quantity shipped: the customer-facing orders the traced lot reached."""
    found: dict[tuple[str, str], dict] = {}
    reports: set[tuple[str, str, str]] = set()
    frontier, seen, depth = [lot_id], {lot_id}, 0
    while frontier and depth < MAX_DEPTH:
        depth += 1
        following = []
        for lot in frontier:
            for link in sorted(links_of(lot), key=lambda k: (k.report_id, k.input_lot_id, k.output_lot_id)):
                entry = _entry(link, backward, depth)
                key = (entry["lot_id"], entry["order_id"])
                if (key[0], key[1], link.report_id) in reports:
                    continue
                reports.add((key[0], key[1], link.report_id))
                if key in found:
                    found[key]["qty"] += entry["qty"]
                    continue
                found[key] = entry
                if entry["lot_id"] not in seen:
                    seen.add(entry["lot_id"])
                    following.append(entry["lot_id"])
        frontier = following
    if not backward:
        _shipped(lot_id, found, shipments_of)
    lots = sorted(found.values(), key=lambda e: (e["depth"], e["item_id"], e["lot_id"], e["order_id"]))
    return {"lot_id": lot_id, "direction": "backward" if backward else "forward",
            "lots": [{**e, "qty": _number(e["qty"])} for e in lots]}


def _shipped(lot_id: str, found: dict[tuple[str, str], dict], shipments_of) -> None:
    depths = {lot_id: 0}
    for (lot, _), entry in found.items():
        depths[lot] = min(depths.get(lot, entry["depth"]), entry["depth"])
    for lot, depth in depths.items():
        for link in shipments_of(lot):
            entry = _entry(link, False, depth + 1)
            key = (lot, link.order_id)
            if key in found:
                found[key]["qty"] += entry["qty"]
            else:
                found[key] = entry


def _entry(link: LotLink, backward: bool, depth: int) -> dict:
    if backward:
        return {"lot_id": link.input_lot_id, "item_id": link.input_item_id, "order_id": link.order_id,
                "qty": link.input_qty, "uom": link.input_uom, "depth": depth}
    return {"lot_id": link.output_lot_id, "item_id": link.output_item_id, "order_id": link.order_id,
            "qty": link.output_qty, "uom": link.output_uom, "depth": depth}


def _number(qty: Decimal) -> int | float | str:
    return decimal_to_number(qty)
