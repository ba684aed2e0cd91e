"""Full pegging of a whole plant, streamed: every supply with the end demands it serves through
every level, and every end demand with the supplies that serve it.

Items are taken parents first (by low-level code), so the share of each parent release that
ends in each end demand is known before its components are reached; once every component of
an item has been written, the item's shares are let go. What is held is the frontier between
the levels written and those still to come, never the whole plant's product of supplies and
end demands; the output itself is that product, which is why full pegging is asked for.
"""

from __future__ import annotations

from array import array
from collections import Counter
from typing import Iterator

import msgspec
import numpy as np

from mfgsync.planning.peg_table import DEMAND, DEPENDENT, NEED_KINDS, SUPPLY_KINDS
from mfgsync.planning.tracing import Tracer, as_fraction, supply_document, traced_number

PIECE = 1 << 16  # numbers per piece written, about: a supply may serve thousands of end demands
_encode = msgspec.json.Encoder().encode


def full_pegging_pieces(tracer: Tracer) -> Iterator[bytes]:
    """The `pegging` section of the plan's JSON document, in pieces. Which supplies serve each
    end demand is noted as pairs of integers while the supplies are written."""
    served_by = _Pairs()
    yield b'{"supplies":['
    yield from _members(_supplies(tracer, served_by))
    yield b'],"demands":['
    yield from _members(_demands(tracer, served_by))
    yield b"]}"


class _Pairs:
    """(end demand, supply) pairs, four bytes each."""

    def __init__(self):
        self.demand, self.supply = array("i"), array("i")

    def add(self, supply: int, demands: list[int]) -> None:
        self.demand.extend(demands)
        self.supply.extend([supply] * len(demands))


def _members(entries: Iterator[dict]) -> Iterator[bytes]:
    batch, first, size = [], True, 0
    for entry in entries:
        batch.append(entry)
        size += 8 + sum(len(value) for value in entry.values() if isinstance(value, list))
        if size >= PIECE:
            yield (b"" if first else b",") + _encode(batch)[1:-1]
            batch, first, size = [], False, 0
    if batch:
        yield (b"" if first else b",") + _encode(batch)[1:-1]


def _supplies(tracer: Tracer, served_by: _Pairs) -> Iterator[dict]:
    """Each supply with its single-level pegs and its end demands, parents first."""
    plan = tracer.plan
    waiting = Counter({row: len(children) for row, children in tracer.lines_from.items()})
    parents_of: dict[int, set[int]] = {}
    for parent, children in tracer.lines_from.items():
        for child in children:
            parents_of.setdefault(child, set()).add(parent)
    for row in np.argsort(plan.low_level_codes, kind="stable").tolist():
        for supply in tracer.supplies_of(row):
            entry = _supply(tracer, supply)
            served_by.add(supply, entry["end_demands"])
            yield entry
        if waiting[row]:
            tracer.keep_release_shares(row)
        tracer.forget_served(tracer.supplies_of(row))
        for parent in parents_of.get(row, ()):
            waiting[parent] -= 1
            if not waiting[parent]:
                tracer.forget_release_shares(parent)


def _supply(tracer: Tracer, supply: int) -> dict:
    """The supply, its single-level pegs, and the end demands it serves with the quantity of it
    that ends in each (two lists, side by side)."""
    served = sorted(tracer.served(supply).items())
    return {**supply_document(tracer, supply), "pegs": [_peg(tracer, p) for p in tracer.pegs_of(supply)],
            "end_demands": [d for d, _ in served], "end_demand_qty": [traced_number(q) for _, q in served]}


def _peg(tracer: Tracer, p: int) -> dict:
    t = tracer.t
    peg = {"to": NEED_KINDS[t.peg_kind[p]], "qty": traced_number(as_fraction(t.peg_qty[p]))}
    if t.peg_kind[p] == DEMAND:
        peg["demand"] = int(t.peg_demand[p])
    elif t.peg_kind[p] == DEPENDENT:
        peg["period"] = int(t.peg_period[p])
    return peg


def _demands(tracer: Tracer, served_by: _Pairs) -> Iterator[dict]:
    """Each end demand's supplies: planned orders and scheduled receipts by index, stock by item."""
    demand = np.frombuffer(served_by.demand, dtype=np.int32)
    supply = np.frombuffer(served_by.supply, dtype=np.int32)
    order = np.lexsort((supply, demand))
    bounds = np.searchsorted(demand[order], np.arange(len(tracer.inp.demand) + 1))
    t = tracer.t
    for d in range(len(tracer.inp.demand)):
        found = {"planned_orders": [], "scheduled_receipts": [], "on_hand": []}
        for s in supply[order[bounds[d]:bounds[d + 1]]].tolist():
            kind = SUPPLY_KINDS[t.supply_kind[s]]
            if kind == "on_hand":
                found["on_hand"].append(tracer.plan.item_ids[t.supply_item[s]])
            else:
                found["planned_orders" if kind == "planned" else "scheduled_receipts"].append(int(t.supply_index[s]))
        yield {"demand": d, **{name: sorted(values) for name, values in found.items()}}
