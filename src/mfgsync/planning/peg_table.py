"""Single-level pegging of a whole plant, as columns: what each supply is for, at its own item.

At every item, supply (stock on hand, then scheduled receipts and planned orders by due bucket)
is allotted first in, first out to the item's needs: stock already promised beyond what is
there, end demands, and the dependent demand that parents' releases put on it in each bucket;
what is left holds safety stock, and beyond that is lot-size excess. The needs then cover the
supply exactly, so both can be laid end to end over the whole plant: supply k spans
(S[k-1], S[k]] and need j spans (N[j-1], N[j]] of the same running total, and every peg is one
piece between consecutive ends of either. The table grows with supplies plus needs, never with
their product; which parents a dependent bucket serves, and the end demands at the top, are
traced on request (pegging.py holds the level-by-level reference).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from mfgsync.planning.model import MrpPlan

SUPPLY_KINDS = ("on_hand", "scheduled", "planned")
NEED_KINDS = ("allocated", "demand", "dependent", "safety_stock", "excess")
ALLOCATED, DEMAND, DEPENDENT, SAFETY, EXCESS = range(5)


@dataclass(eq=False)
class Stock:
    """What pegging needs besides the plan, per item row and per input entry."""

    start: np.ndarray  # on_hand - allocated
    safety_stock: np.ndarray
    demand_item: np.ndarray
    demand_period: np.ndarray
    demand_qty: np.ndarray
    receipt_item: np.ndarray
    receipt_period: np.ndarray
    receipt_qty: np.ndarray


@dataclass(eq=False)
class PegTable:
    # supplies, by item then due bucket: kind (SUPPLY_KINDS), index in the input's
    # scheduled_receipts or the plan's planned_orders() (-1 for stock), due bucket (0: stock)
    supply_item: np.ndarray
    supply_kind: np.ndarray
    supply_index: np.ndarray
    supply_period: np.ndarray
    supply_qty: np.ndarray
    # pegs, by supply: the supply's position above, what it covers (NEED_KINDS), the end
    # demand's index (-1 otherwise), the bucket of the need, and the quantity
    peg_supply: np.ndarray
    peg_kind: np.ndarray
    peg_demand: np.ndarray
    peg_period: np.ndarray
    peg_qty: np.ndarray


def peg_table(plan: MrpPlan, stock: Stock, items: np.ndarray | None = None) -> PegTable:
    """The whole plant's single-level pegging, or that of the item rows flagged in `items` (a
    boolean per row): each item's supplies meet its own needs only, so an item's part is the
    same either way; supply indexes stay those of the whole plan."""
    supply = _supplies(plan, stock, items)
    need = _needs(plan, stock, supply, items)
    supply_ends, need_ends = _running_total(supply["qty"]), _running_total(need["qty"])
    ends = _merged(supply_ends, need_ends)
    at_need = np.searchsorted(need_ends, ends, side="left")
    del need_ends
    peg_qty = ends.copy()
    peg_qty[1:] -= ends[:-1]
    return PegTable(
        supply["item"], supply["kind"], supply["index"], supply["period"], supply["qty"],
        peg_supply=np.searchsorted(supply_ends, ends, side="left").astype(np.int32),
        peg_kind=need["kind"][at_need], peg_demand=need["index"][at_need],
        peg_period=need["period"][at_need], peg_qty=peg_qty)


def _merged(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The distinct values of two ascending running totals, ascending: a stable sort of the two
    runs laid end to end is one merge."""
    ends = np.concatenate([a, b])
    ends.sort(kind="stable")
    return ends[np.r_[True, ends[1:] != ends[:-1]]] if ends.size else ends


def _running_total(qty: np.ndarray) -> np.ndarray:
    return np.cumsum(qty) if qty.size else qty


# the narrowest integers that hold each column: rows and indexes below 2**31, buckets below 2**15
NARROW = {"item": np.int32, "kind": np.int8, "index": np.int32, "period": np.int16}


def _in_order(presorted: dict[str, np.ndarray], rest: dict[str, np.ndarray], periods: int) -> dict[str, np.ndarray]:
    """Columns by item, bucket and kind. Most rows (the planned orders, or the dependent demand)
    come `presorted`, as np.nonzero reads a plan's matrix, and are of one kind; the few `rest`
    (stock, receipts, end demands...) are of the others, so no key is shared: only they are
    sorted (stably: the input's order within a key, for demands), then merged in by position.
    A column the presorted rows share one value of is given as that value."""
    big, small = _key(presorted, periods), _key(rest, periods)
    order = np.argsort(small, kind="stable")
    at = np.searchsorted(big, small[order]) + np.arange(order.size)
    del big, small
    from_rest = np.zeros(len(presorted["item"]) + order.size, dtype=bool)
    from_rest[at] = True
    from_presorted = ~from_rest
    laid_out = {}
    for name, values in presorted.items():
        dtype = NARROW.get(name) or np.result_type(values, rest[name])
        column = np.empty(from_rest.size, dtype=dtype)
        column[from_rest] = rest[name][order]
        column[from_presorted] = values
        laid_out[name] = column
    return laid_out


def _key(columns: dict[str, np.ndarray], periods: int) -> np.ndarray:
    return (columns["item"].astype(np.int64) * (periods + 2) + columns["period"]) * len(NEED_KINDS) + columns["kind"]


def _supplies(plan: MrpPlan, stock: Stock, items: np.ndarray | None) -> dict[str, np.ndarray]:
    on_hand = _of_items(np.flatnonzero(stock.start > 0), items)
    receipts = np.flatnonzero(stock.receipt_qty > 0)
    receipts = receipts[items[stock.receipt_item[receipts]]] if items is not None else receipts
    rows, _, due, qty = plan.order_columns()  # the order of planned_orders(), by item then due bucket
    index = np.arange(rows.size)
    if items is not None:
        index = index[items[rows]]
        rows, due, qty = rows[index], due[index], qty[index]
    planned = {"item": rows, "period": due, "kind": SUPPLY_KINDS.index("planned"), "index": index, "qty": qty}
    return _in_order(planned, {
        "item": np.concatenate([on_hand, stock.receipt_item[receipts]]),
        "period": np.concatenate([np.zeros(on_hand.size, dtype=np.int64), stock.receipt_period[receipts]]),
        "kind": np.repeat(np.arange(2), [on_hand.size, receipts.size]),
        "index": np.concatenate([np.full(on_hand.size, -1), receipts]),
        "qty": np.concatenate([stock.start[on_hand], stock.receipt_qty[receipts]]),
    }, plan.periods)


def _of_items(rows: np.ndarray, items: np.ndarray | None) -> np.ndarray:
    return rows if items is None else rows[items[rows]]


def _needs(plan: MrpPlan, stock: Stock, supply: dict[str, np.ndarray],
           items: np.ndarray | None) -> dict[str, np.ndarray]:
    n, periods = plan.gross.shape
    short = _of_items(np.flatnonzero(stock.start < 0), items)
    demands = np.flatnonzero(stock.demand_qty > 0)
    end_demand = np.zeros_like(plan.gross)
    np.add.at(end_demand, (stock.demand_item, stock.demand_period - 1), stock.demand_qty)
    demands = demands[items[stock.demand_item[demands]]] if items is not None else demands
    dependent = plan.gross - end_demand
    del end_demand
    if items is not None:
        dependent[~items] = 0
    cells = np.flatnonzero(dependent)
    dep_rows, dep_cols = np.divmod(cells, periods)
    dtype = np.result_type(plan.gross, stock.start)  # object when either holds exact fractions
    needed = plan.gross.sum(axis=1).astype(dtype)
    needed[short] += -stock.start[short]
    supplied = np.zeros(n, dtype=dtype)
    item = supply["item"]  # supplies come sorted by item: each item's run is summed at once
    first = np.flatnonzero(np.r_[True, item[1:] != item[:-1]]) if item.size else item
    if item.size:
        supplied[item[first]] = np.add.reduceat(supply["qty"], first)
    left = supplied - needed  # never negative: MRP keeps the balance at or above safety stock
    held = np.minimum(left, stock.safety_stock)
    safety = _of_items(np.flatnonzero(held > 0), items)
    excess = _of_items(np.flatnonzero(left - held > 0), items)
    dependent_needs = {"item": dep_rows, "period": dep_cols + 1, "kind": DEPENDENT, "index": -1,
                       "qty": dependent.reshape(-1)[cells]}
    parts = [  # (item, period, qty) of each other kind of need, in NEED_KINDS order
        (short, 0, -stock.start[short]),
        (stock.demand_item[demands], stock.demand_period[demands], stock.demand_qty[demands]),
        (safety, periods + 1, held[safety]),
        (excess, periods + 1, (left - held)[excess]),
    ]
    sizes = [len(item) for item, _, _ in parts]
    return _in_order(dependent_needs, {
        "item": np.concatenate([item for item, _, _ in parts]),
        "period": np.concatenate([np.broadcast_to(p, (len(i),)) for i, p, _ in parts]).astype(np.int64),
        "kind": np.repeat([ALLOCATED, DEMAND, SAFETY, EXCESS], sizes),
        "index": np.concatenate([np.full(sizes[0], -1), demands, np.full(sum(sizes[2:]), -1)]),
        "qty": np.concatenate([q for _, _, q in parts]),
    }, periods)


def stock_of_arrays(plant) -> Stock:
    """Stock from the integer arrays of the fast path (a PlantArrays)."""
    return Stock(plant.start, plant.safety_stock, plant.demand_item, plant.demand_period, plant.demand_qty,
                 plant.receipt_item, plant.receipt_period, plant.receipt_qty)


def stock_of_input(inp, plan: MrpPlan) -> Stock:
    """Stock from an MrpInput, in exact Fractions (the exact path's plans)."""
    rows = {item_id: row for row, item_id in enumerate(plan.item_ids)}

    def exact(values) -> np.ndarray:
        array = np.empty(len(values), dtype=object)
        array[:] = [Fraction(v) for v in values]
        return array

    def entries(entries):
        return (np.array([rows[e.item_id] for e in entries], dtype=np.int64),
                np.array([e.period for e in entries], dtype=np.int64), exact([e.qty for e in entries]))

    items = {item.item_id: item for item in inp.items}
    start = exact([items[i].on_hand - items[i].allocated for i in plan.item_ids])
    safety = exact([items[i].safety_stock for i in plan.item_ids])
    return Stock(start, safety, *entries(inp.demand), *entries(inp.scheduled_receipts))
