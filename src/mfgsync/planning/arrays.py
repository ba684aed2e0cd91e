"""A plant as integer arrays: the fast path's input.

Only an input whose quantities are all whole numbers fits: then every planned quantity is a
whole number too (lot rules and the ceiling on dependent demand keep it so), and int64
arithmetic is exact. Each BOM line's factor qty_per / (1 - scrap_pct/100) is kept as an exact
fraction num/den, so ceil(P * factor) is the integer (P * num + den - 1) // den.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from mfgsync.planning.lots import RULE_CODES
from mfgsync.planning.model import MrpInput

# Inputs up to 2**40 (about 10**12) leave headroom for lots and sums over a long horizon in
# int64; the fast engine checks its own growth and hands anything larger to the exact path.
INPUT_LIMIT = 2**40


@dataclass(eq=False)
class PlantArrays:
    periods: int
    item_ids: tuple[str, ...]
    # per item
    lead_time: np.ndarray
    lot_rule: np.ndarray
    fixed_lot: np.ndarray
    order_min: np.ndarray
    order_multiple: np.ndarray
    safety_stock: np.ndarray
    start: np.ndarray  # on_hand - allocated
    # per BOM line; a window is the first and last parent release bucket it applies to (1-based)
    parent: np.ndarray
    component: np.ndarray
    factor_num: np.ndarray
    factor_den: np.ndarray
    first_period: np.ndarray
    last_period: np.ndarray
    # per scheduled receipt and per end demand
    receipt_item: np.ndarray
    receipt_period: np.ndarray
    receipt_qty: np.ndarray
    demand_item: np.ndarray
    demand_period: np.ndarray
    demand_qty: np.ndarray


def to_arrays(inp: MrpInput) -> PlantArrays | None:
    """The input as integer arrays, or None when some quantity is not a small whole number."""
    if not _all_whole(inp):
        return None
    rows = {item.item_id: row for row, item in enumerate(inp.items)}
    items = inp.items
    factors = _line_factors(inp)
    if any(f.numerator >= INPUT_LIMIT or f.denominator >= INPUT_LIMIT for f in factors):
        return None

    def column(values, dtype=np.int64) -> np.ndarray:
        return np.array(list(values), dtype=dtype)

    last = inp.periods
    return PlantArrays(
        periods=inp.periods,
        item_ids=tuple(rows),
        lead_time=column(item.lead_time for item in items),
        lot_rule=column((RULE_CODES[item.lot_rule] for item in items), np.int8),
        fixed_lot=column(int(item.fixed_lot) for item in items),
        order_min=column(int(item.order_min) for item in items),
        order_multiple=column(int(item.order_multiple) for item in items),
        safety_stock=column(int(item.safety_stock) for item in items),
        start=column(int(item.on_hand) - int(item.allocated) for item in items),
        parent=column(rows[line.parent] for line in inp.boms),
        component=column(rows[line.component] for line in inp.boms),
        factor_num=column(f.numerator for f in factors),
        factor_den=column(f.denominator for f in factors),
        first_period=column(1 if line.from_period is None else max(1, line.from_period) for line in inp.boms),
        last_period=column(last if line.to_period is None else min(last, line.to_period) for line in inp.boms),
        receipt_item=column(rows[r.item_id] for r in inp.scheduled_receipts),
        receipt_period=column(r.period for r in inp.scheduled_receipts),
        receipt_qty=column(int(r.qty) for r in inp.scheduled_receipts),
        demand_item=column(rows[d.item_id] for d in inp.demand),
        demand_period=column(d.period for d in inp.demand),
        demand_qty=column(int(d.qty) for d in inp.demand),
    )


QUANTITY_FIELDS = ("fixed_lot", "order_min", "order_multiple", "safety_stock", "on_hand", "allocated")


def _all_whole(inp: MrpInput) -> bool:
    quantities = [getattr(item, name) for item in inp.items for name in QUANTITY_FIELDS]
    quantities += [entry.qty for entry in (*inp.scheduled_receipts, *inp.demand)]
    return all(_whole(q) for q in quantities)


def _whole(value: Decimal) -> bool:
    return value == value.to_integral_value() and abs(value) < INPUT_LIMIT


def _line_factors(inp: MrpInput) -> list[Fraction]:
    # Plants repeat a few (qty_per, scrap) pairs across many lines; reduce each pair once.
    reduced: dict[tuple[Decimal, Decimal], Fraction] = {}
    factors = []
    for line in inp.boms:
        key = (line.qty_per, line.scrap_pct)
        if key not in reduced:
            reduced[key] = line.factor()
        factors.append(reduced[key])
    return factors
