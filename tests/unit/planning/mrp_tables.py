"""Builders for planning stories: MRP inputs and records written as the tables planners read."""

from __future__ import annotations

from decimal import Decimal


def item(item_id: str, **params) -> dict:
    return {"item_id": item_id, **params}


def line(parent: str, component: str, qty_per=1, scrap_pct=0, **window) -> dict:
    return {"parent": parent, "component": component, "qty_per": qty_per, "scrap_pct": scrap_pct, **window}


def at(item_id: str, period: int, qty) -> dict:
    return {"item_id": item_id, "period": period, "qty": qty}


def per_bucket(item_id: str, quantities: str) -> list[dict]:
    """Demand or receipts written as one row of buckets: "0 10 40 - 30" ("-" or 0: none)."""
    return [at(item_id, period, _number(text)) for period, text in enumerate(quantities.split(), 1)
            if text not in ("-", "0")]


def table(text: str) -> dict[str, list]:
    """An MRP record as planners write it: a header of bucket numbers, then one row per line."""
    lines = [row.split() for row in text.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert header == [str(n) for n in range(1, len(header) + 1)], "header must number the buckets"
    return {row[0]: [_number(v) for v in row[1:]] for row in rows}


def orders(text: str) -> list[dict]:
    """Planned orders as a table: item, release, due, qty."""
    result = []
    for row in text.strip().splitlines()[1:]:
        item_id, release, due, qty = row.split()
        result.append({"item_id": item_id, "release_period": int(release), "due_period": int(due),
                       "qty": _number(qty)})
    return result


def _number(text: str):
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


def record_rows(output: dict, item_id: str, names) -> dict[str, list]:
    return {name: output["records"][item_id][name] for name in names}
