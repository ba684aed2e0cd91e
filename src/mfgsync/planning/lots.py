"""Lot rules: how a net requirement becomes a planned order quantity.

lot_for_lot orders the net requirement; fixed orders the fewest whole lots of fixed_lot that
cover it; min_multiple orders at least order_min. Then, for every rule, the quantity is rounded
up to a multiple of order_multiple when that is above 1. The exact form serves any decimal; the
array form serves integer plans and must agree with it (a property test holds them together).
"""

from __future__ import annotations

from fractions import Fraction
from math import ceil

import numpy as np

from mfgsync.planning.model import PlanningItem

RULE_CODES = {"lot_for_lot": 0, "fixed": 1, "min_multiple": 2}


def lot_size(net: Fraction, item: PlanningItem) -> Fraction:
    """The planned order quantity for a positive net requirement."""
    qty = Fraction(net)
    if item.lot_rule == "fixed":
        lot = Fraction(item.fixed_lot)
        qty = ceil(qty / lot) * lot
    elif item.lot_rule == "min_multiple":
        qty = max(qty, Fraction(item.order_min))
    multiple = Fraction(item.order_multiple)
    if multiple > 1:
        qty = ceil(qty / multiple) * multiple
    return qty


def lot_sizes(net: np.ndarray, rule: np.ndarray, fixed_lot: np.ndarray, order_min: np.ndarray,
              order_multiple: np.ndarray) -> np.ndarray:
    """lot_size for many positive integer net requirements at once (int64 arrays, aligned)."""
    qty = net.copy()
    fixed = rule == RULE_CODES["fixed"]
    if fixed.any():
        lots = fixed_lot[fixed]
        qty[fixed] = -(-net[fixed] // lots) * lots
    minimum = rule == RULE_CODES["min_multiple"]
    if minimum.any():
        qty[minimum] = np.maximum(qty[minimum], order_min[minimum])
    rounded = order_multiple > 1
    if rounded.any():
        multiple = order_multiple[rounded]
        qty[rounded] = -(-qty[rounded] // multiple) * multiple
    return qty
