"""The fast MRP: the exact engine's plan, computed level by level over int64 arrays.

All items of one low-level code are netted together, bucket by bucket, as vectors; then every
BOM line whose parent is on that level is exploded at once, in chunks, into its components'
gross requirements. Integer arithmetic gives exactly what decimal arithmetic gives as long as
nothing outgrows int64; the engine checks that bound as it goes and returns None when a plan
would outgrow it, so the caller can take the exact path.
"""

from __future__ import annotations

import numpy as np

from mfgsync.planning.arrays import PlantArrays
from mfgsync.planning.lots import LotArrays, lot_sizes
from mfgsync.planning.lowlevel import low_level_codes
from mfgsync.planning.model import MrpPlan
from mfgsync.planning.reschedule import OpenReceipt, reschedule_message

# An item's gross over the whole horizon stays below GROSS_LIMIT: with inputs below
# arrays.INPUT_LIMIT, nets, lots and releases summed over the horizon then stay far inside int64.
GROSS_LIMIT = 2**52
PRODUCT_LIMIT = 2**62
CHUNK_LINES = 32_768  # lines exploded at once: bounds the temporary (lines x buckets) arrays


class _TooLarge(Exception):
    """A quantity could outgrow int64: the plan belongs to the exact path."""


def plan_integral(plant: PlantArrays) -> MrpPlan | None:
    """The plan of an integral plant, or None when its quantities grow beyond int64's reach."""
    n, periods = len(plant.item_ids), plant.periods
    levels = low_level_codes(n, plant.parent, plant.component, plant.item_ids)
    shape = (n, periods)
    gross = _sum_into(shape, plant.demand_item, plant.demand_period, plant.demand_qty)
    scheduled = _sum_into(shape, plant.receipt_item, plant.receipt_period, plant.receipt_qty)
    out = {name: np.zeros(shape, dtype=np.int64)
           for name in ("projected", "net", "planned_receipts", "planned_releases")}
    explosion = _Explosion(plant, levels, gross)
    try:
        for level, rows in enumerate(_rows_by_level(levels)):
            _net_level(plant, rows, gross, scheduled, out)
            explosion.explode_level(level, rows, out["planned_releases"])
    except _TooLarge:
        return None
    return MrpPlan(periods=periods, item_ids=plant.item_ids, lead_times=plant.lead_time,
                   low_level_codes=levels, gross=gross, scheduled=scheduled,
                   reschedules=tuple(_reschedules(plant, gross)), **out)


def _sum_into(shape, rows: np.ndarray, periods: np.ndarray, qty: np.ndarray) -> np.ndarray:
    matrix = np.zeros(shape, dtype=np.int64)
    np.add.at(matrix, (rows, periods - 1), qty)
    return matrix


def _rows_by_level(levels: np.ndarray) -> list[np.ndarray]:
    order = np.argsort(levels, kind="stable")
    bounds = np.searchsorted(levels[order], np.arange(int(levels.max(initial=0)) + 2))
    return [order[bounds[i]:bounds[i + 1]] for i in range(len(bounds) - 1)]


def _net_level(plant: PlantArrays, rows: np.ndarray, gross, scheduled, out) -> None:
    """Gross-to-net for every item of one level at once; matrices are (bucket, item) here, and
    each bucket is a few whole-row operations written straight into the record rows."""
    g, s = gross[rows].T.copy(), scheduled[rows].T.copy()
    if g.size and g.sum(axis=0).max() >= GROSS_LIMIT:
        raise _TooLarge
    safety, balance = plant.safety_stock[rows], plant.start[rows]
    lots = LotArrays.of(plant.lot_rule[rows], plant.fixed_lot[rows], plant.order_min[rows],
                        plant.order_multiple[rows])
    projected, net, receipts = np.empty_like(g), np.empty_like(g), np.empty_like(g)
    for t in range(plant.periods):
        available = projected[t]
        np.add(balance, s[t], out=available)
        available -= g[t]
        np.subtract(safety, available, out=net[t])
        np.maximum(net[t], 0, out=net[t])  # the net requirement: shortfall below safety stock
        available += lot_sizes(net[t], lots, out=receipts[t])
        balance = available
    out["projected"][rows] = projected.T
    out["net"][rows] = net.T
    out["planned_receipts"][rows] = receipts.T
    out["planned_releases"][rows] = _offset_by_lead_time(receipts, plant.lead_time[rows]).T


def _offset_by_lead_time(receipts: np.ndarray, lead: np.ndarray) -> np.ndarray:
    """Releases from receipts: bucket t - L, with every release before bucket 1 in bucket 1."""
    periods = receipts.shape[0]
    releases = np.zeros_like(receipts)
    for lead_time in np.unique(lead).tolist():
        cols = np.flatnonzero(lead == lead_time)
        due = receipts[:, cols]
        releases[0, cols] = due[:lead_time + 1].sum(axis=0)
        if lead_time + 1 < periods:
            releases[1:periods - lead_time, cols] = due[lead_time + 1:]
    return releases


WHOLE, FRACTIONAL, WINDOWED = range(3)  # kinds of BOM line, each exploded in its own chunks


class _Explosion:
    """BOM lines grouped by parent level and kind, components sorted within each group.

    Keeping lines of one kind together lets every chunk be computed in place: whole factors
    need one multiplication, fractional ones a ceiling division, windowed ones a mask.
    """

    def __init__(self, plant: PlantArrays, levels: np.ndarray, gross: np.ndarray):
        self.plant, self.gross = plant, gross
        n = len(plant.item_ids)
        kind = np.where(plant.factor_den > 1, FRACTIONAL, WHOLE)
        kind[(plant.first_period > 1) | (plant.last_period < plant.periods)] = WINDOWED
        group = levels[plant.parent] * 3 + kind
        self.order = np.argsort(group * n + plant.component)
        self.group_bounds = np.searchsorted(group[self.order], np.arange(int(group.max(initial=0)) + 2))
        self.releasing = np.zeros(n, dtype=bool)
        fan_in = np.bincount(plant.component, minlength=n).max(initial=0)
        # Any component's gross is its own demand plus at most fan_in line contributions.
        self.contribution_limit = (GROSS_LIMIT - int(gross.max(initial=0))) // max(int(fan_in), 1)

    def explode_level(self, level: int, rows: np.ndarray, releases: np.ndarray) -> None:
        plant = self.plant
        self.releasing[rows] = releases[rows].any(axis=1)
        largest_release = int(releases[rows].max(initial=0))
        for kind in (WHOLE, FRACTIONAL, WINDOWED):
            group = level * 3 + kind
            if group + 1 >= self.group_bounds.size:
                break
            lines = self.order[self.group_bounds[group]:self.group_bounds[group + 1]]
            lines = lines[self.releasing[plant.parent[lines]]]  # parents with no orders give nothing
            for start in range(0, lines.size, CHUNK_LINES):
                self._explode_lines(lines[start:start + CHUNK_LINES], kind, releases, largest_release)

    def _explode_lines(self, lines: np.ndarray, kind: int, releases: np.ndarray, largest_release: int) -> None:
        plant = self.plant
        num, den = plant.factor_num[lines, None], plant.factor_den[lines, None]
        largest = largest_release * int(num.max())
        if largest >= PRODUCT_LIMIT or largest // int(den.min()) + 1 >= self.contribution_limit:
            raise _TooLarge
        need = releases[plant.parent[lines]]
        if kind != WHOLE or num.max() > 1:
            need *= num
        if kind != WHOLE:  # ceil(P * num / den) exactly: (P * num + den - 1) // den
            need += den - 1
            need //= den
        if kind == WINDOWED:
            buckets = np.arange(1, plant.periods + 1)
            first, last = plant.first_period[lines, None], plant.last_period[lines, None]
            need *= (buckets >= first) & (buckets <= last)
        components = plant.component[lines]
        starts = np.flatnonzero(np.r_[True, components[1:] != components[:-1]])
        self.gross[components[starts]] += np.add.reduceat(need, starts, axis=0)


def _reschedules(plant: PlantArrays, gross: np.ndarray):
    """reschedule_messages for every receipt at once: receipt k of an item, earliest due first,
    is first needed in the bucket where cumulative gross exceeds start - safety stock + the
    receipts before it (cumulative gross never falls, so counting buckets finds it)."""
    if plant.receipt_item.size == 0:
        return
    order = np.lexsort((np.arange(plant.receipt_item.size), plant.receipt_period, plant.receipt_item))
    item, period, qty = plant.receipt_item[order], plant.receipt_period[order], plant.receipt_qty[order]
    before = np.cumsum(qty) - qty
    first_of_item = np.r_[True, item[1:] != item[:-1]]
    before -= np.maximum.accumulate(np.where(first_of_item, before, 0))
    threshold = plant.start[item] - plant.safety_stock[item] + before
    covered = (np.cumsum(gross[item], axis=1) <= threshold[:, None]).sum(axis=1)
    needed = np.where(covered < plant.periods, covered + 1, 0)
    for k in np.flatnonzero(needed != period).tolist():
        receipt = OpenReceipt(int(order[k]), int(period[k]), int(qty[k]))
        yield reschedule_message(plant.item_ids[item[k]], receipt, int(needed[k]) or None)
