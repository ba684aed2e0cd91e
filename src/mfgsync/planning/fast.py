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
from mfgsync.planning.lots import lot_sizes
from mfgsync.planning.lowlevel import low_level_codes
from mfgsync.planning.model import MrpPlan
from mfgsync.planning.reschedule import OpenReceipt, reschedule_messages

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
            explosion.explode_level(level, out["planned_releases"])
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
    """Gross-to-net for every item of one level at once; matrices are (bucket, item) here."""
    periods = plant.periods
    g, s = gross[rows].T.copy(), scheduled[rows].T.copy()
    if g.size and g.sum(axis=0).max() >= GROSS_LIMIT:
        raise _TooLarge
    safety, balance = plant.safety_stock[rows], plant.start[rows].copy()
    rule, fixed, minimum, multiple = (a[rows] for a in (
        plant.lot_rule, plant.fixed_lot, plant.order_min, plant.order_multiple))
    projected = np.empty_like(g)
    net, receipts = np.zeros_like(g), np.zeros_like(g)
    for t in range(periods):
        available = balance + s[t] - g[t]
        short = safety - available
        needy = np.flatnonzero(short > 0)
        if needy.size:
            need = short[needy]
            qty = lot_sizes(need, rule[needy], fixed[needy], minimum[needy], multiple[needy])
            net[t, needy], receipts[t, needy] = need, qty
            available[needy] += qty
        projected[t] = balance = available
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


class _Explosion:
    """BOM lines grouped by their parent's level, components sorted within each group."""

    def __init__(self, plant: PlantArrays, levels: np.ndarray, gross: np.ndarray):
        self.plant, self.gross = plant, gross
        parent_level = levels[plant.parent]
        order = np.lexsort((plant.component, parent_level))
        self.order = order
        self.level_bounds = np.searchsorted(parent_level[order], np.arange(int(levels.max(initial=0)) + 2))
        self.windowed = (plant.first_period > 1) | (plant.last_period < plant.periods)
        fan_in = np.bincount(plant.component, minlength=len(plant.item_ids)).max(initial=0)
        # Any component's gross is its own demand plus at most fan_in line contributions.
        self.contribution_limit = (GROSS_LIMIT - int(gross.max(initial=0))) // max(int(fan_in), 1)

    def explode_level(self, level: int, releases: np.ndarray) -> None:
        plant = self.plant
        lines = self.order[self.level_bounds[level]:self.level_bounds[level + 1]]
        lines = lines[releases[plant.parent[lines]].any(axis=1)]  # parents with no orders give nothing
        for start in range(0, lines.size, CHUNK_LINES):
            self._explode_lines(lines[start:start + CHUNK_LINES], releases)

    def _explode_lines(self, lines: np.ndarray, releases: np.ndarray) -> None:
        plant = self.plant
        released = releases[plant.parent[lines]]
        num, den = plant.factor_num[lines], plant.factor_den[lines]
        largest = int(released.max()) * int(num.max())
        if largest >= PRODUCT_LIMIT or largest // int(den.min()) + 1 >= self.contribution_limit:
            raise _TooLarge
        need = released * num[:, None]
        fractional = np.flatnonzero(den > 1)
        if fractional.size:  # ceil(P * num / den), exactly, for the lines whose factor is a fraction
            need[fractional] = -(-need[fractional] // den[fractional, None])
        windowed = np.flatnonzero(self.windowed[lines])
        if windowed.size:
            buckets = np.arange(1, plant.periods + 1)
            first, last = plant.first_period[lines[windowed]], plant.last_period[lines[windowed]]
            need[windowed] *= (buckets >= first[:, None]) & (buckets <= last[:, None])
        components = plant.component[lines]
        starts = np.flatnonzero(np.r_[True, components[1:] != components[:-1]])
        self.gross[components[starts]] += np.add.reduceat(need, starts, axis=0)


def _reschedules(plant: PlantArrays, gross: np.ndarray):
    if plant.receipt_item.size == 0:
        return
    by_item = np.argsort(plant.receipt_item, kind="stable")
    items = plant.receipt_item[by_item]
    bounds = np.flatnonzero(np.r_[True, items[1:] != items[:-1], True])
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        row = int(items[lo])
        receipts = [OpenReceipt(int(i), int(plant.receipt_period[i]), int(plant.receipt_qty[i]))
                    for i in by_item[lo:hi]]
        yield from reschedule_messages(plant.item_ids[row], int(plant.start[row]),
                                       int(plant.safety_stock[row]), gross[row].tolist(), receipts)
