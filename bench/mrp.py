"""MRP on a generated plant: the full regenerative run beside one plain pass over the BOM.

The plant: 100,000 items in 8 levels, about ten BOM lines per item (1,000,000), 52 weekly
buckets, demand on 5,000 end items; some components are shared across levels, some lines carry
scrap, fractional quantities or a revision window, and items mix the three lot rules. The
baseline is the least work any explosion does: for every BOM line and bucket, the parent's
release times qty_per summed into the component, once.

    mfgsync bench mrp [--items 100000] [--periods 52] [--repeats 5] [--seed 7]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import tracemalloc

import numpy as np
from _report import median_seconds, report

from mfgsync.planning.arrays import PlantArrays
from mfgsync.planning.fast import CHUNK_LINES, plan_integral

LEVELS = 8
LINES_PER_ITEM = 10
ITEMS_PER_END_ITEM = 20


def generate_plant(n_items: int, periods: int, seed: int) -> PlantArrays:
    rng = np.random.default_rng(seed)
    n_end = max(1, n_items // ITEMS_PER_END_ITEM)
    level = np.concatenate([np.zeros(n_end, dtype=np.int64),
                            1 + np.arange(n_items - n_end) * (LEVELS - 1) // max(1, n_items - n_end)])
    parent, component = _bom_lines(rng, level, n_items * LINES_PER_ITEM)
    m = parent.size
    num, den = _line_factors(rng, m)
    first, last = _revision_windows(rng, m, periods)
    lot_rule = rng.choice(np.array([0, 1, 2], dtype=np.int8), size=n_items, p=[0.6, 0.2, 0.2])
    demand_item, demand_period, demand_qty = _end_demand(rng, n_end, periods)
    receipt_item = rng.choice(n_items, size=n_items // 10, replace=False)
    return PlantArrays(
        periods=periods,
        item_ids=tuple(f"I{row:06d}" for row in range(n_items)),
        lead_time=rng.integers(0, 5, n_items),
        lot_rule=lot_rule,
        fixed_lot=np.where(lot_rule == 1, rng.integers(50, 500, n_items), 0),
        order_min=np.where(lot_rule == 2, 100, 0),
        order_multiple=np.where(lot_rule == 2, 10, 1),
        safety_stock=np.where(rng.random(n_items) < 0.3, rng.integers(1, 50, n_items), 0),
        start=rng.integers(0, 200, n_items),
        parent=parent, component=component, factor_num=num, factor_den=den,
        first_period=first, last_period=last,
        receipt_item=receipt_item,
        receipt_period=rng.integers(1, periods + 1, receipt_item.size),
        receipt_qty=rng.integers(10, 1000, receipt_item.size),
        demand_item=demand_item, demand_period=demand_period, demand_qty=demand_qty,
    )


def _bom_lines(rng, level: np.ndarray, n_lines: int) -> tuple[np.ndarray, np.ndarray]:
    """Parents on levels 0-6; components mostly one level down, some deeper (shared parts)."""
    parents = np.flatnonzero(level < LEVELS - 1)
    parent = rng.choice(parents, size=n_lines)
    depth = level[parent] + np.where(rng.random(n_lines) < 0.85, 1,
                                     rng.integers(1, LEVELS, n_lines))
    depth = np.minimum(depth, LEVELS - 1)
    bounds = np.searchsorted(level, np.arange(LEVELS + 1))
    low, high = bounds[depth], bounds[depth + 1]
    component = low + (rng.random(n_lines) * (high - low)).astype(np.int64)
    return parent, component


def _line_factors(rng, m: int) -> tuple[np.ndarray, np.ndarray]:
    """qty_per 1-4, some 0.5 and 2.5; some lines with 2% or 5% scrap (factors kept exact)."""
    choice = rng.choice(7, size=m, p=[0.5, 0.15, 0.1, 0.05, 0.05, 0.05, 0.1])
    num = np.array([1, 2, 3, 4, 1, 5, 50])[choice]  # 1/(1-2%) = 50/49; 1/(1-5%) = 20/19
    den = np.array([1, 1, 1, 1, 2, 2, 49])[choice]
    return num.astype(np.int64), den.astype(np.int64)


def _revision_windows(rng, m: int, periods: int) -> tuple[np.ndarray, np.ndarray]:
    """About 5% of lines belong to a revision that starts or ends inside the horizon."""
    first, last = np.ones(m, dtype=np.int64), np.full(m, periods, dtype=np.int64)
    change = rng.integers(2, periods + 1, m)
    old, new = rng.random(m) < 0.025, rng.random(m) > 0.975
    last[old], first[new] = change[old] - 1, change[new]
    return first, last


def _end_demand(rng, n_end: int, periods: int):
    """Each end item has demand in about half the buckets, from week 3 on."""
    cells = rng.random((n_end, periods)) < 0.5
    cells[:, :2] = False
    rows, cols = np.nonzero(cells)
    return rows.astype(np.int64), cols.astype(np.int64) + 1, rng.integers(5, 50, rows.size)


def plain_pass(plant: PlantArrays, releases: np.ndarray, by_component: np.ndarray) -> np.ndarray:
    """One pass over every BOM line and bucket: release times qty_per, summed per component."""
    gross = np.zeros_like(releases)
    for start in range(0, by_component.size, CHUNK_LINES):
        lines = by_component[start:start + CHUNK_LINES]
        components = plant.component[lines]
        need = releases[plant.parent[lines]] * plant.factor_num[lines, None]
        starts = np.flatnonzero(np.r_[True, components[1:] != components[:-1]])
        gross[components[starts]] += np.add.reduceat(need, starts, axis=0)
    return gross


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="mfgsync bench mrp")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--periods", type=int, default=52)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    began = time.perf_counter()
    plant = generate_plant(args.items, args.periods, args.seed)
    print(f"plant: {len(plant.item_ids):,} items, {plant.parent.size:,} BOM lines, {args.periods} buckets, "
          f"{np.unique(plant.demand_item).size:,} end items with demand "
          f"(generated in {time.perf_counter() - began:.1f} s)")

    plan = plan_integral(plant)
    assert plan is not None, "the generated plant must stay on the integer path"
    print(f"plan: {int(plan.low_level_codes.max()) + 1} low-level codes, "
          f"{int(np.count_nonzero(plan.planned_receipts)):,} planned orders, "
          f"{len(plan.reschedules):,} reschedule messages")

    by_component = np.argsort(plant.component, kind="stable")
    releases = plan.planned_releases
    # Alternate the two so that load from elsewhere on the machine weighs on both alike.
    baseline_times, full_times = [], []
    for _ in range(args.repeats):
        baseline_times.append(median_seconds(lambda: plain_pass(plant, releases, by_component), 1))
        full_times.append(median_seconds(lambda: plan_integral(plant), 1))
    baseline, full_run = statistics.median(baseline_times), statistics.median(full_times)
    report("full regenerative MRP run", full_run * 1000, "ms", "plain pass over BOM lines x buckets",
           baseline * 1000, higher_is_better=False)

    tracemalloc.start()
    plan_integral(plant)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of one run (traced allocations): {peak / 2**20:,.0f} MiB; "
          f"process peak resident set: {max_rss:,.0f} MiB")
