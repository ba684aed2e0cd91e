"""A generated plant as the contract's input document: for the benchmark and the scale tests.

The plant: items in 8 levels, about ten BOM lines per item, demand on one item in twenty (the
end items); some components are shared across levels, some lines carry scrap, fractional
quantities or a revision window, and items mix the three lot rules. Seeded, so a run repeats.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec
import numpy as np

LEVELS = 8
LINES_PER_ITEM = 10
ITEMS_PER_END_ITEM = 20
# (qty_per, scrap_pct) of a BOM line and how often each occurs
LINE_KINDS = [(1, 0), (2, 0), (3, 0), (4, 0), (Decimal("0.5"), 0), (Decimal("2.5"), 0), (1, 2)]
LINE_KIND_SHARE = [0.5, 0.15, 0.1, 0.05, 0.05, 0.05, 0.1]
LOT_RULES = np.array(["lot_for_lot", "fixed", "min_multiple"])


def plant_document(n_items: int, periods: int = 52, seed: int = 7) -> dict:
    rng = np.random.default_rng(seed)
    n_end = max(1, n_items // ITEMS_PER_END_ITEM)
    level = np.concatenate([np.zeros(n_end, dtype=np.int64),
                            1 + np.arange(n_items - n_end) * (LEVELS - 1) // max(1, n_items - n_end)])
    ids = [f"I{row:06d}" for row in range(n_items)]
    return {"periods": periods, "items": _items(rng, ids),
            "boms": _bom_lines(rng, level, ids, periods),
            "scheduled_receipts": _receipts(rng, ids, periods),
            "demand": _end_demand(rng, ids[:n_end], periods)}


def document_json(document: dict) -> bytes:
    return msgspec.json.Encoder(decimal_format="number").encode(document)


def _items(rng, ids: list[str]) -> list[dict]:
    n = len(ids)
    rule = rng.choice(3, size=n, p=[0.6, 0.2, 0.2])
    lead_time = rng.integers(0, 5, n).tolist()
    fixed_lot = np.where(rule == 1, rng.integers(50, 500, n), 0).tolist()
    safety = np.where(rng.random(n) < 0.3, rng.integers(1, 50, n), 0).tolist()
    on_hand = rng.integers(0, 200, n).tolist()
    rules = LOT_RULES[rule].tolist()
    return [{"item_id": ids[k], "lead_time": lead_time[k], "lot_rule": rules[k], "fixed_lot": fixed_lot[k],
             "order_min": 100 if rules[k] == "min_multiple" else 0,
             "order_multiple": 10 if rules[k] == "min_multiple" else 1,
             "safety_stock": safety[k], "on_hand": on_hand[k], "allocated": 0} for k in range(n)]


def _bom_lines(rng, level: np.ndarray, ids: list[str], periods: int) -> list[dict]:
    """Parents on levels 0-6; components mostly one level down, some deeper (shared parts);
    about 5% of lines belong to a revision that starts or ends inside the horizon."""
    m = len(ids) * LINES_PER_ITEM
    parent = rng.choice(np.flatnonzero(level < LEVELS - 1), size=m)
    depth = np.minimum(level[parent] + np.where(rng.random(m) < 0.85, 1, rng.integers(1, LEVELS, m)), LEVELS - 1)
    bounds = np.searchsorted(level, np.arange(LEVELS + 1))
    low, high = bounds[depth], bounds[depth + 1]
    component = (low + (rng.random(m) * (high - low)).astype(np.int64)).tolist()
    kind = rng.choice(len(LINE_KINDS), size=m, p=LINE_KIND_SHARE).tolist()
    change = rng.integers(2, periods + 1, m).tolist()
    old, new = (rng.random(m) < 0.025).tolist(), (rng.random(m) > 0.975).tolist()
    lines = []
    for k, p in enumerate(parent.tolist()):
        qty_per, scrap = LINE_KINDS[kind[k]]
        line = {"parent": ids[p], "component": ids[component[k]], "qty_per": qty_per, "scrap_pct": scrap}
        if old[k]:
            line["to_period"] = change[k] - 1
        elif new[k]:
            line["from_period"] = change[k]
        lines.append(line)
    return lines


def _receipts(rng, ids: list[str], periods: int) -> list[dict]:
    rows = rng.choice(len(ids), size=len(ids) // 10, replace=False).tolist()
    period = rng.integers(1, periods + 1, len(rows)).tolist()
    qty = rng.integers(10, 1000, len(rows)).tolist()
    return [{"item_id": ids[r], "period": p, "qty": q} for r, p, q in zip(rows, period, qty)]


def _end_demand(rng, end_items: list[str], periods: int) -> list[dict]:
    """Each end item has demand in about half the buckets, from week 3 on."""
    cells = rng.random((len(end_items), periods)) < 0.5
    cells[:, :2] = False
    rows, cols = np.nonzero(cells)
    qty = rng.integers(5, 50, rows.size).tolist()
    return [{"item_id": end_items[r], "period": c + 1, "qty": q} for r, c, q in zip(rows.tolist(), cols.tolist(), qty)]
