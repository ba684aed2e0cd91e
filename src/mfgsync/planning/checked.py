"""A checked MRP input held as columns, and the two forms the engines read.

The fast engine reads integer arrays straight from the columns (no object per row); the exact
engine, and every caller that wants rows, gets an MrpInput built from the same columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from mfgsync.planning.arrays import INPUT_LIMIT, PlantArrays
from mfgsync.planning.lots import RULE_CODES
from mfgsync.planning.model import BomLink, MrpInput, MrpInputError, PeriodQty, PlanningItem
from mfgsync.planning.reader import (
    INVALID, LOT_RULES, MAX_LEAD_TIME, MAX_PERIODS, Column, Document, distinct_texts, given_mask,
    int_column, listed_rows, optional_period_column, qty_column, text, text_column, whole,
)

ITEM_QUANTITIES = ("fixed_lot", "order_min", "order_multiple", "safety_stock", "on_hand", "allocated")


@dataclass(eq=False)
class Entries:
    """Scheduled receipts or end demand as columns."""

    rows: np.ndarray  # item row
    period: np.ndarray
    qty: Column
    refs: list

    @classmethod
    def check(cls, entries: list, name: str, periods: int) -> tuple[list[str], "Entries"]:
        at = lambda field: (lambda n: f"{name}[{n}].{field}")  # noqa: E731 - a position, built lazily
        ids = text_column([e.item_id for e in entries], at("item_id"))
        period = int_column([e.period for e in entries], at("period"), 1, periods)
        qty = qty_column([e.qty for e in entries], at("qty"))
        refs = [None if e.ref is None else text(e.ref, f"{name}[{n}].ref") for n, e in enumerate(entries)]
        return ids, cls(np.empty(0, dtype=np.int64), period, qty, refs)


@dataclass(eq=False)
class CheckedInput:
    periods: int
    item_ids: list[str]  # listed items, then those only referenced (planned with the defaults)
    listed: int
    lead_time: np.ndarray
    lot_rule: list[str]
    quantities: dict[str, Column]  # ITEM_QUANTITIES, for the listed items
    parent: np.ndarray
    component: np.ndarray
    qty_per: Column
    scrap_pct: Column
    first_period: np.ndarray  # the line's window, clipped to the horizon
    last_period: np.ndarray
    from_raw: list  # each line's bounds as given (None: unbounded), for the exact form
    to_raw: list
    receipts: Entries
    demand: Entries

    def arrays(self) -> PlantArrays | None:
        """The input as integer arrays, or None when a quantity is not a small whole number."""
        if not all(self._small_whole(c) for c in (*self.quantities.values(), self.receipts.qty, self.demand.qty)):
            return None
        factors = self._line_factors()
        if factors is None:
            return None
        extra = len(self.item_ids) - self.listed

        def per_item(name: str, default: int) -> np.ndarray:
            return np.concatenate([self.quantities[name].values, np.full(extra, default, dtype=np.int64)])

        rules = np.array([RULE_CODES[r] for r in self.lot_rule] + [0] * extra, dtype=np.int8)
        return PlantArrays(
            periods=self.periods, item_ids=tuple(self.item_ids),
            lead_time=np.concatenate([self.lead_time, np.zeros(extra, dtype=np.int64)]),
            lot_rule=rules, fixed_lot=per_item("fixed_lot", 0), order_min=per_item("order_min", 0),
            order_multiple=per_item("order_multiple", 1), safety_stock=per_item("safety_stock", 0),
            start=per_item("on_hand", 0) - per_item("allocated", 0),
            parent=self.parent, component=self.component, factor_num=factors[0], factor_den=factors[1],
            first_period=self.first_period, last_period=self.last_period,
            receipt_item=self.receipts.rows, receipt_period=self.receipts.period,
            receipt_qty=self.receipts.qty.values,
            demand_item=self.demand.rows, demand_period=self.demand.period, demand_qty=self.demand.qty.values)

    def mrp_input(self) -> MrpInput:
        columns = {name: self.quantities[name].decimals() for name in ITEM_QUANTITIES}
        items = [PlanningItem(item_id, int(lead), rule, *(columns[name][n] for name in ITEM_QUANTITIES))
                 for n, (item_id, lead, rule) in enumerate(zip(self.item_ids, self.lead_time.tolist(), self.lot_rule))]
        items += [PlanningItem(item_id) for item_id in self.item_ids[self.listed:]]
        ids = self.item_ids
        lines = [BomLink(ids[p], ids[c], q, s, f, t) for p, c, q, s, f, t in zip(
            self.parent.tolist(), self.component.tolist(), self.qty_per.decimals(), self.scrap_pct.decimals(),
            _bounds(self.from_raw), _bounds(self.to_raw))]
        return MrpInput(self.periods, tuple(items), tuple(lines), _period_qtys(self.receipts, ids),
                        _period_qtys(self.demand, ids))

    def demands_only(self) -> MrpInput:
        """The input with its end demands alone: what tracing names them by, when it reads the
        BOM lines from arrays()."""
        return MrpInput(self.periods, (), demand=_period_qtys(self.demand, self.item_ids))

    @staticmethod
    def _small_whole(column: Column) -> bool:
        return column.integral and (column.values.size == 0 or np.abs(column.values).max() < INPUT_LIMIT)

    def _line_factors(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Each line's qty_per / (1 - scrap_pct/100) as an exact num/den; None if too large.
        A plant repeats a few (qty_per, scrap) pairs over its lines: each pair is reduced once."""
        quantities, q_codes = self.qty_per.coded()
        scraps, s_codes = self.scrap_pct.coded()
        pairs, at = np.unique(q_codes * len(scraps) + s_codes, return_inverse=True)
        factors = []
        for pair in pairs.tolist():
            qty_per, scrap = quantities[pair // len(scraps)], scraps[pair % len(scraps)]
            factor = Fraction(qty_per) / (1 - Fraction(scrap) / 100)
            if type(qty_per) is int and type(scrap) is int:  # whole lines: only qty_per is bounded
                if qty_per >= INPUT_LIMIT:
                    return None
            elif factor.numerator >= INPUT_LIMIT or factor.denominator >= INPUT_LIMIT:
                return None
            factors.append(factor)
        num = np.array([f.numerator for f in factors], dtype=np.int64)
        den = np.array([f.denominator for f in factors], dtype=np.int64)
        at = at.reshape(-1)
        return num[at], den[at]


def _bounds(raw: list) -> list:
    """A window's bounds as whole numbers (a bound may be given as 3.0), None where unbounded."""
    return [None if v is None else int(v) for v in raw]


def _period_qtys(entries: Entries, ids: list[str]) -> tuple[PeriodQty, ...]:
    return tuple(PeriodQty(ids[r], p, q, ref) for r, p, q, ref in zip(
        entries.rows.tolist(), entries.period.tolist(), entries.qty.decimals(), entries.refs))


def check(doc: Document) -> CheckedInput:
    """Every value of the document checked; the first one at fault is named by its position."""
    periods = whole(doc.periods, "periods", 1, MAX_PERIODS)
    listed_ids, lead_time, rules, quantities = _items(doc.items)
    lines = doc.boms
    at = lambda field: (lambda n: f"boms[{n}].{field}")  # noqa: E731
    parents, components = [b.parent for b in lines], [b.component for b in lines]
    parent_rows, component_rows = listed_rows(parents, listed_ids), listed_rows(components, listed_ids)
    if parent_rows is None or component_rows is None:  # a name not listed, or not a fit text
        named = distinct_texts(parents, at("parent")) | distinct_texts(components, at("component"))
    else:  # every name is a listed item's, and those are checked
        named = set()
    qty_per = qty_column([b.qty_per for b in lines], at("qty_per"))
    scrap = qty_column([b.scrap_pct for b in lines], at("scrap_pct"))
    _check_scrap(scrap)
    from_raw, to_raw = [b.from_period for b in lines], [b.to_period for b in lines]
    from_given, to_given = given_mask(from_raw), given_mask(to_raw)
    first = optional_period_column(from_raw, from_given, at("from_period"), 1, -MAX_PERIODS, 2 * MAX_PERIODS)
    last = optional_period_column(to_raw, to_given, at("to_period"), periods, -MAX_PERIODS, 2 * MAX_PERIODS)
    _check_windows(from_raw, to_raw, np.flatnonzero(from_given & to_given), first, last)
    receipt_ids, receipts = Entries.check(doc.scheduled_receipts, "scheduled_receipts", periods)
    demand_ids, demand = Entries.check(doc.demand, "demand", periods)
    rows = _item_rows(listed_ids, named, parents, components, receipt_ids, demand_ids)
    receipts.rows = _rows_of(receipt_ids, rows)
    demand.rows = _rows_of(demand_ids, rows)
    if parent_rows is None or component_rows is None:
        parent_rows, component_rows = _rows_of(parents, rows), _rows_of(components, rows)
    return CheckedInput(
        periods=periods, item_ids=list(rows), listed=len(listed_ids), lead_time=lead_time, lot_rule=rules,
        quantities=quantities, parent=parent_rows, component=component_rows, qty_per=qty_per, scrap_pct=scrap,
        first_period=np.maximum(first, 1), last_period=np.minimum(last, periods),
        from_raw=from_raw, to_raw=to_raw, receipts=receipts, demand=demand)


def _items(items: list):
    at = lambda field: (lambda n: f"items[{n}].{field}")  # noqa: E731
    ids = text_column([i.item_id for i in items], at("item_id"))
    rules = [i.lot_rule for i in items]
    for n, rule in enumerate(rules):
        if rule not in LOT_RULES:
            raise MrpInputError(INVALID, f"items[{n}].lot_rule must be one of {', '.join(LOT_RULES)}, got {rule!r}")
    lead_time = int_column([i.lead_time for i in items], at("lead_time"), 0, MAX_LEAD_TIME)
    quantities = {name: qty_column([getattr(i, name) for i in items], at(name), signed=name == "on_hand")
                  for name in ITEM_QUANTITIES}
    fixed = np.array([r == "fixed" for r in rules], dtype=bool)
    lots = quantities["fixed_lot"].values
    unset = fixed & (np.asarray(lots) <= 0) if quantities["fixed_lot"].integral else \
        fixed & np.array([v <= 0 for v in lots], dtype=bool)
    if unset.any():
        raise MrpInputError(INVALID, f"items[{int(np.flatnonzero(unset)[0])}]: the fixed lot rule needs a fixed_lot above 0")
    return ids, lead_time, rules, quantities


def _check_scrap(scrap: Column) -> None:
    distinct, codes = scrap.coded()
    over = np.flatnonzero(np.array([v >= 100 for v in distinct], dtype=bool)[codes]) if distinct else []
    if len(over):
        n = int(over[0])
        raise MrpInputError(INVALID, f"boms[{n}].scrap_pct must be below 100, got {scrap.values[n]}")


def _check_windows(from_raw: list, to_raw: list, both: np.ndarray, first: np.ndarray, last: np.ndarray) -> None:
    """`both`: the lines that give both bounds."""
    inverted = both[first[both] > last[both]]
    if inverted.size:
        n = int(inverted[0])
        raise MrpInputError(INVALID, f"boms[{n}]: from_period {from_raw[n]} is after to_period {to_raw[n]}")


def _item_rows(listed: list[str], named: set[str], parents, components, receipt_ids, demand_ids) -> dict[str, int]:
    """Each item's row: the listed ones in order, then any item only referenced, as the
    contract's own example plans B, named only in `boms` and `scheduled_receipts`."""
    rows = {name: row for row, name in enumerate(listed)}
    if len(rows) < len(listed):
        seen = set()
        twice = next(name for name in listed if name in seen or seen.add(name))
        raise MrpInputError(INVALID, f"item {twice!r} is listed twice")
    if named.union(receipt_ids, demand_ids) <= rows.keys():  # every item listed, as a plant's export has it
        return rows
    for names in (_interleave(parents, components), receipt_ids, demand_ids):
        for name in names:
            if name not in rows:
                rows[name] = len(rows)
    return rows


def _rows_of(names: list[str], rows: dict[str, int]) -> np.ndarray:
    return np.fromiter(map(rows.__getitem__, names), dtype=np.int64, count=len(names))


def _interleave(parents: list[str], components: list[str]) -> list[str]:
    return [name for pair in zip(parents, components) for name in pair]
