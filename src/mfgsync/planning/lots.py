"""Lot rules: how a net requirement becomes a planned order quantity.

lot_for_lot orders the net requirement; fixed orders the fewest whole lots of fixed_lot that
cover it; min_multiple orders at least order_min. Then, for every rule, the quantity is rounded
up to a multiple of order_multiple when that is above 1. The exact form serves any decimal; the
array form serves integer plans and must agree with it (a property test holds them together).
"""

from __future__ import annotations

from fractions import Fraction
from math import ceil
from typing import NamedTuple

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


class LotArrays(NamedTuple):
    """Lot parameters of many items, neutral where a rule does not apply, so that one formula
    serves every rule: a fixed lot of 1, a minimum of 0 and a multiple of 1 change nothing."""

    fixed_lot: np.ndarray
    order_min: np.ndarray
    order_multiple: np.ndarray
    any_fixed: bool
    any_min: bool
    any_multiple: bool

    @classmethod
    def of(cls, rule: np.ndarray, fixed_lot: np.ndarray, order_min: np.ndarray,
           order_multiple: np.ndarray) -> "LotArrays":
        fixed = np.where(rule == RULE_CODES["fixed"], fixed_lot, 1)
        minimum = np.where(rule == RULE_CODES["min_multiple"], order_min, 0)
        multiple = np.where(order_multiple > 1, order_multiple, 1)
        return cls(fixed, minimum, multiple, bool((fixed != 1).any()), bool((minimum != 0).any()),
                   bool((multiple != 1).any()))


def lot_sizes(net: np.ndarray, lots: LotArrays, out: np.ndarray) -> np.ndarray:
    """lot_size of non-negative integer net requirements, aligned with `lots`; 0 stays 0."""
    np.copyto(out, net)
    if lots.any_fixed:
        _round_up(out, lots.fixed_lot)
    if lots.any_min:
        np.maximum(out, lots.order_min * (net > 0), out=out)
    if lots.any_multiple:
        _round_up(out, lots.order_multiple)
    return out


def _round_up(qty: np.ndarray, step: np.ndarray) -> None:
    """qty to the next multiple of step, in place: -(-qty // step) * step."""
    np.negative(qty, out=qty)
    np.floor_divide(qty, step, out=qty)
    np.negative(qty, out=qty)
    qty *= step
