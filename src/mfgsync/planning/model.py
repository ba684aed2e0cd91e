"""What the MRP engine reads and what it returns (DESIGN.md section 5), as plain values.

Quantities in the input are exact Decimals. The plan's bucket-by-item matrices are numpy
arrays: int64 when every quantity was integral (the fast path), otherwise object arrays of
exact Fractions (the exact path). Bucket lists are indexed from bucket 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from decimal import Decimal
from fractions import Fraction
from math import ceil
from typing import NamedTuple

import numpy as np


class MrpInputError(ValueError):
    """An MRP input the engine refuses, with its reason code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class PlanningItem(NamedTuple):
    item_id: str
    lead_time: int = 0
    lot_rule: str = "lot_for_lot"
    fixed_lot: Decimal = Decimal(0)
    order_min: Decimal = Decimal(0)
    order_multiple: Decimal = Decimal(1)
    safety_stock: Decimal = Decimal(0)
    on_hand: Decimal = Decimal(0)
    allocated: Decimal = Decimal(0)


class BomLink(NamedTuple):
    """One BOM line: qty_per of component per unit of parent, for parent releases in a window."""

    parent: str
    component: str
    qty_per: Decimal
    scrap_pct: Decimal = Decimal(0)
    from_period: int | None = None
    to_period: int | None = None

    def applies_in(self, period: int) -> bool:
        return (self.from_period is None or period >= self.from_period) and (
            self.to_period is None or period <= self.to_period)

    def factor(self) -> Fraction:
        """Component quantity per parent unit, grossed up for scrap."""
        return Fraction(self.qty_per) / (1 - Fraction(self.scrap_pct) / 100)

    def requirement(self, released) -> int:
        """The component's gross requirement from a parent release, rounded up per line."""
        return ceil(Fraction(released) * self.factor())


class PeriodQty(NamedTuple):
    """A scheduled receipt or an end demand; `ref` names its source (a PO line, an order)."""

    item_id: str
    period: int
    qty: Decimal
    ref: str | None = None


@dataclass(frozen=True)
class MrpInput:
    periods: int
    items: tuple[PlanningItem, ...]  # every item the plan covers, referenced-only ones included
    boms: tuple[BomLink, ...] = ()
    scheduled_receipts: tuple[PeriodQty, ...] = ()
    demand: tuple[PeriodQty, ...] = ()


class PlannedOrder(NamedTuple):
    item_id: str
    release_period: int
    due_period: int
    qty: int | Fraction


class MrpException(NamedTuple):
    """A message to the planner. `period` is that of the order concerned (a scheduled receipt's
    due bucket, a planned order's due bucket); `receipt` indexes the input's scheduled
    receipts and `needed_period` is when a rescheduled receipt is really needed."""

    item_id: str
    kind: str  # past_due, expedite, defer, cancel
    period: int
    detail: str
    receipt: int | None = None
    needed_period: int | None = None


# a past-due message's detail: quantity, due bucket, wanted release bucket, buckets before the horizon
PAST_DUE = ("release of {} due in period {} should have been in period {}, {} period(s) before the horizon; "
            "placed in period 1")
RECORD_ROWS = ("gross", "scheduled", "projected", "net", "planned_receipts", "planned_releases")


@dataclass(frozen=True, eq=False)
class MrpPlan:
    """A regenerative MRP run: one row per item in every matrix, one column per bucket."""

    periods: int
    item_ids: tuple[str, ...]
    lead_times: np.ndarray
    low_level_codes: np.ndarray
    gross: np.ndarray
    scheduled: np.ndarray
    projected: np.ndarray
    net: np.ndarray
    planned_receipts: np.ndarray
    planned_releases: np.ndarray
    reschedules: tuple[MrpException, ...] = ()

    @cached_property
    def _rows(self) -> dict[str, int]:
        return {item_id: row for row, item_id in enumerate(self.item_ids)}

    def row_of(self, item_id: str) -> int:
        return self._rows[item_id]

    def record(self, item_id: str) -> dict[str, list]:
        row = self.row_of(item_id)
        return {name: getattr(self, name)[row].tolist() for name in RECORD_ROWS}

    def order_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(row, release, due, qty) of every planned order as arrays, in item order then due
        bucket: the order of planned_orders(), without an object per order. Worked out once per
        plan (the arrays are shared: read them, never write them)."""
        return self._order_columns

    @cached_property
    def _order_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        rows, cols = np.nonzero(self.planned_receipts)
        due = cols + 1
        columns = (rows, np.maximum(1, due - self.lead_times[rows]), due, self.planned_receipts[rows, cols])
        for column in columns:
            column.flags.writeable = False
        return columns

    def planned_orders(self) -> list[PlannedOrder]:
        """One planned order per item and due bucket (a lot rule's whole lots form one order)."""
        rows, release, due, qty = self.order_columns()
        return [PlannedOrder(self.item_ids[row], r, d, q)
                for row, r, d, q in zip(rows.tolist(), release.tolist(), due.tolist(), qty.tolist())]

    def past_due_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
        """(row, due, wanted release, qty as it is written) of every planned order whose release
        should have been before bucket 1, as columns."""
        rows, _, due, qty = self.order_columns()
        wanted = due - self.lead_times[rows]
        late = np.flatnonzero(wanted < 1)
        # a whole quantity reads the same as its Decimal: only exact plans need the conversion
        shown = qty[late].tolist() if qty.dtype != object else [str(as_decimal(q)) for q in qty[late].tolist()]
        return rows[late], due[late], wanted[late], shown

    def exceptions(self) -> list[MrpException]:
        """Past-due releases and reschedule messages, by item then period (then kind)."""
        rows, due, wanted, shown = self.past_due_columns()
        ids = self.item_ids
        messages = [*self.reschedules, *(
            MrpException(ids[row], "past_due", due_period, PAST_DUE.format(quantity, due_period, want, 1 - want))
            for row, due_period, want, quantity in zip(rows.tolist(), due.tolist(), wanted.tolist(), shown))]
        if not messages:
            return messages
        item, kind, period = list(zip(*messages))[:3]
        kinds = {name: code for code, name in enumerate(sorted(set(kind)))}
        order = np.lexsort((np.fromiter(map(kinds.__getitem__, kind), dtype=np.int8, count=len(kind)),
                            np.array(period, dtype=np.int64),
                            np.fromiter(map(self._rows.__getitem__, item), dtype=np.int64, count=len(item))))
        return [messages[k] for k in order.tolist()]


def as_decimal(value: int | Fraction | Decimal) -> Decimal:
    """An exact Decimal for an integer, a Decimal or a Fraction with a terminating expansion."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    value = Fraction(value)
    if value.denominator == 1:
        return Decimal(value.numerator)
    twos = fives = 0
    rest = value.denominator
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    if rest != 1:
        raise ValueError(f"{value} has no finite decimal expansion")
    places = max(twos, fives)
    return Decimal(value.numerator * 10**places // value.denominator).scaleb(-places)
