"""Messages of a small plant's shop floor and warehouse, written the way MES, WMS and ERP send them."""

from __future__ import annotations

import itertools
from typing import Any

from tests.support.messages import envelope, item

_times = itertools.count(1)


def at() -> str:
    """A fresh message time, each later than the one before (ordering is judged on time)."""
    n = next(_times)
    return f"2026-11-22T{8 + n // 3600 % 12:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z"


PLANNING = {"lead_time_days", "lot_rule", "fixed_lot", "order_min", "order_multiple", "safety_stock",
            "reorder_point"}


def items(*specs: tuple[str, str], **fields: Any) -> list[dict]:
    """item.upserted for each (item_id, base_uom): engineering from PLM, planning fields from ERP."""
    planning = {k: v for k, v in fields.items() if k in PLANNING}
    engineering = {k: v for k, v in fields.items() if k not in PLANNING}
    messages = [envelope("item.upserted", item(i, base_uom=uom, **engineering), time=at()) for i, uom in specs]
    if planning:
        messages += [envelope("item.upserted", {"item_id": i, **planning}, source="erp", time=at()) for i, _ in specs]
    return messages


def movement(movement_id: str, kind: str, item_id: str, qty, uom: str = "C62", plant_id: str = "P1",
             source: str = "wms", message_id: str | None = None, **fields: Any) -> dict:
    data = {"movement_id": movement_id, "kind": kind, "item_id": item_id, "qty": qty, "uom": uom,
            "plant_id": plant_id, **fields}
    if kind in ("receipt", "completion", "adjustment") and "to_location" not in fields:
        data["to_location"] = "MAIN"
    if kind in ("issue", "consumption", "scrap") and "from_location" not in fields:
        data["from_location"] = "MAIN"
    return envelope("inventory.moved", data, source=source, time=at(), message_id=message_id)


def order(order_id: str, item_id: str, qty, status: str = "released", plant_id: str = "P1", **fields: Any) -> dict:
    return envelope("production.released", {"order_id": order_id, "item_id": item_id, "qty": qty,
                                            "plant_id": plant_id, "status": status, **fields},
                    source="erp", time=at())


def report(report_id: str, order_id: str, movements: list[dict], plant_id: str = "P1", **fields: Any) -> dict:
    return envelope("production.reported", {"report_id": report_id, "order_id": order_id, "plant_id": plant_id,
                                            "movements": movements, **fields}, source="mes", time=at())


def used(movement_id: str, item_id: str, qty, lot_id: str | None = None, uom: str = "C62") -> dict:
    return {"movement_id": movement_id, "kind": "consumption", "item_id": item_id, "qty": qty, "uom": uom,
            "plant_id": "P1", "from_location": "MAIN", "lot_id": lot_id}


def made(movement_id: str, item_id: str, qty, lot_id: str | None = None, uom: str = "C62") -> dict:
    return {"movement_id": movement_id, "kind": "completion", "item_id": item_id, "qty": qty, "uom": uom,
            "plant_id": "P1", "to_location": "MAIN", "lot_id": lot_id}


def bom(item_id: str, revision: str, lines: dict[str, Any], **fields: Any) -> dict:
    """bom.released; a line is qty_per or (qty_per, scrap_pct)."""
    rows = []
    for n, (component, spec) in enumerate(lines.items()):
        qty, scrap = spec if isinstance(spec, tuple) else (spec, 0)
        rows.append({"line_no": 10 * (n + 1), "component_id": component, "qty_per": qty, "uom": "C62",
                     "scrap_pct": scrap})
    return envelope("bom.released", {"item_id": item_id, "revision": revision, "lines": rows, **fields},
                    time=at())


def codes(hub) -> list[str]:
    """The reason codes of the open exceptions, one list entry per exception."""
    return [row["codes"] for row in hub.exceptions.list()]


def trace(hub, lot_id: str, backward: bool = False) -> list[tuple]:
    """(depth, lot, item, order, qty) of a lot's genealogy, as `mfgsync trace` reads it."""
    from mfgsync.model.entities import LotLink
    from mfgsync.workflows import genealogy

    link_type = genealogy.MADE_FROM if backward else genealogy.USED_IN
    with hub.store.reading() as read:
        document = genealogy.trace(lot_id, backward, lambda lot: [
            LotLink.model_validate(row) for row in read.entities_of_ref(link_type, lot)])
    return [(r["depth"], r["lot_id"], r["item_id"], r["order_id"], r["qty"]) for r in document["lots"]]


def bought_seals(on_hand) -> list[dict]:
    """Seals kept at a safety stock of 50, bought in 7 days from S1, which sells at least 100
    at 0.20 EUR; `on_hand` of them received."""
    return [*items(("SEAL", "C62"), item_type="buy", safety_stock=50, lead_time_days=7, lot_rule="lot_for_lot"),
            envelope("supplier.upserted", {"supplier_id": "S1"}, source="erp", time=at()),
            envelope("sourcing.updated", {"item_id": "SEAL", "supplier_id": "S1", "moq": 100, "unit_price": 0.2,
                                          "currency": "EUR", "lead_time_days": 7}, source="erp", time=at()),
            movement("R-S", "receipt", "SEAL", on_hand)]
