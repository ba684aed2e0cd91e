"""The exact MRP: section 5 of the design followed line by line, in Fractions.

It serves inputs with non-integral quantities and is the reference the fast integer path is
proved against. Any topological order gives the plan that low-level-code order gives: an item's
gross requirements depend only on its parents' releases, all planned before it.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from graphlib import CycleError, TopologicalSorter

import numpy as np

from mfgsync.planning.lots import lot_size
from mfgsync.planning.lowlevel import cycle_error
from mfgsync.planning.model import MrpInput, MrpPlan, PlanningItem, RECORD_ROWS
from mfgsync.planning.reschedule import OpenReceipt, reschedule_messages


def plan_exactly(inp: MrpInput) -> MrpPlan:
    periods = inp.periods
    order, levels = _planning_order(inp)
    gross = _by_bucket(inp.demand, periods)
    scheduled = _by_bucket(inp.scheduled_receipts, periods)
    lines_by_parent = defaultdict(list)
    for line in inp.boms:
        lines_by_parent[line.parent].append(line)
    items = {item.item_id: item for item in inp.items}
    records = {}
    for item_id in order:
        record = _net_item(items[item_id], gross[item_id], scheduled[item_id], periods)
        records[item_id] = record
        for line in lines_by_parent[item_id]:
            for period, released in enumerate(record["planned_releases"], start=1):
                if released and line.applies_in(period):
                    gross[line.component][period - 1] += line.requirement(released)
    ids = tuple(item.item_id for item in inp.items)
    matrices = {name: _object_matrix([records[i][name] for i in ids], periods) for name in RECORD_ROWS}
    return MrpPlan(
        periods=periods, item_ids=ids,
        lead_times=np.array([items[i].lead_time for i in ids], dtype=np.int64),
        low_level_codes=np.array([levels[i] for i in ids], dtype=np.int64),
        reschedules=tuple(_reschedules(inp, items, gross)), **matrices)


def _net_item(item: PlanningItem, gross: list, scheduled: list, periods: int) -> dict[str, list]:
    """Gross-to-net with safety stock as a floor, lot sizing and lead-time offsetting."""
    safety = Fraction(item.safety_stock)
    balance = Fraction(item.on_hand) - Fraction(item.allocated)
    record = {name: [Fraction(0)] * periods for name in RECORD_ROWS}
    record["gross"], record["scheduled"] = list(gross), list(scheduled)
    for t in range(periods):
        available = balance + scheduled[t] - gross[t]
        if available < safety:
            net = safety - available
            receipt = lot_size(net, item)
            record["net"][t] = net
            record["planned_receipts"][t] = receipt
            record["planned_releases"][max(0, t - item.lead_time)] += receipt
            available += receipt
        record["projected"][t] = available
        balance = available
    return record


def _planning_order(inp: MrpInput) -> tuple[list[str], dict[str, int]]:
    """Parents before components, and each item's low-level code (its deepest level)."""
    parents: dict[str, list[str]] = {item.item_id: [] for item in inp.items}
    for line in inp.boms:
        parents[line.component].append(line.parent)
    try:
        order = list(TopologicalSorter(parents).static_order())
    except CycleError as exc:
        raise cycle_error(list(exc.args[1])) from None
    levels: dict[str, int] = {}
    for item_id in order:
        levels[item_id] = max((levels[p] + 1 for p in parents[item_id]), default=0)
    return order, levels


def _by_bucket(entries, periods: int) -> dict[str, list]:
    table = defaultdict(lambda: [Fraction(0)] * periods)
    for entry in entries:
        table[entry.item_id][entry.period - 1] += Fraction(entry.qty)
    return table


def _reschedules(inp: MrpInput, items: dict[str, PlanningItem], gross: dict[str, list]):
    receipts = defaultdict(list)
    for index, entry in enumerate(inp.scheduled_receipts):
        receipts[entry.item_id].append(OpenReceipt(index, entry.period, Fraction(entry.qty)))
    for item_id, open_receipts in receipts.items():
        item = items[item_id]
        yield from reschedule_messages(item_id, Fraction(item.on_hand) - Fraction(item.allocated),
                                       Fraction(item.safety_stock), gross[item_id], open_receipts)


def _object_matrix(rows: list[list], periods: int) -> np.ndarray:
    matrix = np.empty((len(rows), periods), dtype=object)
    for r, row in enumerate(rows):
        matrix[r, :] = row
    return matrix
