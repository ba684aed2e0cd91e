"""Multi-level pegging on request: up from one item's supplies to the end demands they serve, or
down from one end demand through every supply that serves it, with quantities.

It is traced from the single-level pegging (peg_table.py). A supply's share of an item's
dependent demand in a bucket is split over the BOM lines that make up that demand, first in,
first out in the input's order of lines (as pegging.py, the reference, pegs them); a line's part
serves what its parent's releases of that bucket serve, in proportion to the release. So a
quantity traced through a shared release may be a fraction, and a supply's end-demand
quantities sum to at most its own quantity: the rest holds stock (allocated, safety stock or
lot-size excess) at its own level or above. Only the items above or below the one asked for
are visited.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from itertools import repeat

import numpy as np

from mfgsync.planning.arrays import PlantArrays
from mfgsync.planning.model import MrpInput, MrpInputError, MrpPlan
from mfgsync.planning.peg_table import DEMAND, DEPENDENT, SUPPLY_KINDS, PegTable, _merged

UNKNOWN = "MRP_PEG_UNKNOWN"
PLANNED = SUPPLY_KINDS.index("planned")
Shares = dict  # end demand index -> Fraction of a quantity


class Tracer:
    """Traces on one plan. `exact`: shares in Fractions (one item or end demand); otherwise in
    floats, for a whole plant (the single-level parts stay exact either way)."""

    def __init__(self, inp: MrpInput, plan: MrpPlan, table: PegTable, exact: bool = True,
                 lines: PlantArrays | None = None):
        """`lines`: the BOM lines as the fast engine's arrays, read instead of `inp.boms` (then
        `inp` needs only its end demands: no object per line is built)."""
        self.inp, self.plan, self.t = inp, plan, table
        self.share = Fraction if exact else float
        # per component: (parent row, factor numerator and denominator, window) of each line into it
        if lines is not None:  # looked up per item when visited: only the sub-graph traced is read
            self.lines_into, self.lines_from = _LinesInto(lines), _LinesFrom(lines)
        else:
            self.lines_into: dict[int, list[tuple]] = defaultdict(list)
            self.lines_from: dict[int, set[int]] = defaultdict(set)
            for component, line in self._lines(inp, plan, lines):
                self.lines_into[component].append(line)
                self.lines_from[line[0]].add(component)
        item, pegs = table.supply_item, table.peg_supply
        self._start_arrays = (np.searchsorted(item, np.arange(len(plan.item_ids) + 1)),
                              np.searchsorted(pegs, np.arange(table.supply_qty.size + 1)))
        self._supply_starts, self._peg_starts = (starts.tolist() for starts in self._start_arrays)
        self.release = plan.order_columns()[1]
        self._pieces: dict[int, dict[int, list]] = {}
        self._lines: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
        self._served: dict[int, Shares] = {}
        self._release_shares: dict[tuple[int, int], Shares] = {}

    @staticmethod
    def _lines(inp: MrpInput, plan: MrpPlan, lines: PlantArrays | None):
        """(component row, (parent row, factor num, factor den, first bucket, last bucket)) of
        every BOM line in the input's order; a window ending before bucket 1 is empty."""
        if lines is not None:
            yield from zip(lines.component.tolist(), zip(
                lines.parent.tolist(), lines.factor_num.tolist(), lines.factor_den.tolist(),
                lines.first_period.tolist(), lines.last_period.tolist()))
            return
        factors: dict[tuple, Fraction] = {}  # a plant repeats a few (qty_per, scrap) pairs: each reduced once
        for line in inp.boms:
            pair = (line.qty_per, line.scrap_pct)
            factor = factors.get(pair) or factors.setdefault(pair, line.factor())
            yield plan.row_of(line.component), (
                plan.row_of(line.parent), factor.numerator, factor.denominator,
                1 if line.from_period is None else line.from_period,
                plan.periods if line.to_period is None else line.to_period)

    # --- the single-level table, one item at a time ---
    def supplies_of(self, row: int) -> range:
        return range(self._supply_starts[row], self._supply_starts[row + 1])

    def pegs_of(self, supply: int) -> range:
        return range(self._peg_starts[supply], self._peg_starts[supply + 1])

    def pieces(self, row: int) -> dict[int, list[tuple[int, int, Fraction]]]:
        """supply -> (parent row, bucket, qty) of each part of a BOM line's need it covers."""
        if row not in self._pieces:
            offsets: dict[int, int | Fraction] = defaultdict(int)
            found = defaultdict(list)
            for supply in self.supplies_of(row):
                for p in self.pegs_of(supply):
                    if self.t.peg_kind[p] == DEPENDENT:
                        period, qty = int(self.t.peg_period[p]), as_fraction(self.t.peg_qty[p])
                        found[supply] += self._split(row, period, offsets[period], qty)
                        offsets[period] += qty
            self._pieces[row] = found
        return self._pieces[row]

    def _split(self, row: int, period: int, start: Fraction, qty: Fraction) -> list:
        """The part (start, start + qty] of the item's dependent need in a bucket, by BOM line."""
        parents, ends = self._lines_at(row, period)
        parts = []
        for k in range(bisect_right(ends, start), len(ends)):
            low = ends[k - 1] if k else 0
            if low >= start + qty:
                break
            parts.append((parents[k], period, min(ends[k], start + qty) - max(low, start)))
        return parts

    def _lines_at(self, row: int, period: int) -> tuple[list[int], list[int]]:
        """The parents of the BOM lines making up the item's dependent need in a bucket, in the
        input's order, and where each line's part of the need ends."""
        key = (row, period)
        if key not in self._lines:
            parents, ends, end = [], [], 0
            releases = self.plan.planned_releases[:, period - 1]
            for parent, num, den, first, last in self.lines_into[row]:
                released = releases[parent]
                if released and first <= period <= last:
                    released = as_fraction(released)  # the line's requirement, rounded up (model.BomLink)
                    end += -(-released.numerator * num // (released.denominator * den))
                    parents.append(parent)
                    ends.append(end)
            self._lines[key] = (parents, ends)
        return self._lines[key]

    def releases(self, row: int, period: int) -> list[int]:
        """The item's planned-order supplies released in a bucket."""
        return [s for s in self.supplies_of(row) if self.t.supply_kind[s] == PLANNED
                and self.release[self.t.supply_index[s]] == period]

    # --- up: what a supply serves ---
    def served(self, supply: int) -> Shares:
        """End demand -> quantity of this supply that ends in it, through every level above."""
        if supply not in self._served:
            shares: Shares = defaultdict(self.share)
            for p in self.pegs_of(supply):
                if self.t.peg_kind[p] == DEMAND:
                    shares[int(self.t.peg_demand[p])] += self.share(as_fraction(self.t.peg_qty[p]))
            for parent, period, qty in self.pieces(int(self.t.supply_item[supply])).get(supply, ()):
                qty = self.share(qty)
                for demand, share in self.release_shares(parent, period).items():
                    shares[demand] += qty * share
            self._served[supply] = dict(shares)
        return self._served[supply]

    def release_shares(self, row: int, period: int) -> Shares:
        """End demand -> the fraction of the item's release in a bucket that ends in it."""
        key = (row, period)
        if key not in self._release_shares:
            released = self.share(as_fraction(self.plan.planned_releases[row, period - 1]))
            shares: Shares = defaultdict(self.share)
            for order in self.releases(row, period):
                for demand, qty in self.served(order).items():
                    shares[demand] += qty / released
            self._release_shares[key] = dict(shares)
        return self._release_shares[key]

    def keep_release_shares(self, row: int) -> None:
        """Work out the shares of every release of the item, so its supplies can be forgotten."""
        for period in (np.flatnonzero(self.plan.planned_releases[row]) + 1).tolist():
            self.release_shares(row, period)

    def forget_served(self, supplies: range) -> None:
        for supply in supplies:
            self._served.pop(supply, None)

    def forget_release_shares(self, row: int) -> None:
        for period in range(1, self.plan.periods + 1):
            self._release_shares.pop((row, period), None)

    def piece_arrays(self, row: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """pieces() of the whole item as arrays: (supply, parent row, bucket, qty) of each part of
        a BOM line's need that a supply covers. The lines' needs, bucket by bucket in the input's
        order of lines, and the supplies' dependent pegs cover the same running total, so every
        piece lies between consecutive ends of either (as in peg_table)."""
        lines, pegs = self.lines_into[row], self._dependent_pegs(row)
        if not lines or not pegs.size:
            return (np.empty(0, dtype=np.int64),) * 4
        parent, num, den, first, last = (np.array(column) for column in zip(*lines))
        released = self.plan.planned_releases[parent]
        buckets = np.arange(1, self.plan.periods + 1)
        need = -(-released * num[:, None] // den[:, None])  # the line's requirement, rounded up
        need[(buckets < first[:, None]) | (buckets > last[:, None])] = 0
        line_ends, peg_ends = np.cumsum(need.T.reshape(-1)), np.cumsum(self.t.peg_qty[pegs])
        ends = _merged(peg_ends, line_ends)
        qty = ends.copy()
        qty[1:] -= ends[:-1]
        ends, qty = ends[qty > 0], qty[qty > 0]  # lines that need nothing in a bucket end where the last did
        at_line = np.searchsorted(line_ends, ends)
        return (self.t.peg_supply[pegs][np.searchsorted(peg_ends, ends)], parent[at_line % len(lines)],
                at_line // len(lines) + 1, qty)

    def _dependent_pegs(self, row: int) -> np.ndarray:
        supplies = self.supplies_of(row)
        pegs = np.arange(self._peg_starts[supplies.start], self._peg_starts[supplies.stop])
        return pegs[self.t.peg_kind[pegs] == DEPENDENT]

    def served_from(self, row: int) -> dict[int, dict[int, float]]:
        """served() of every supply of the item at once, in floats (see carried_up)."""
        carried = self.carried_up(row)
        found = {}
        for k, supply in enumerate(self.supplies_of(row)):
            ends = np.flatnonzero(carried[k])
            found[supply] = dict(zip(ends.tolist(), carried[k, ends].tolist()))
        return found

    def carried_up(self, row: int) -> np.ndarray:
        """(supply of the item x end demand): how much of each supply ends in each end demand,
        in floats, carried up rather than pulled down: the supplies' weights (one column each)
        go up through the releases their pieces serve, components before parents, and are read
        off the end demands where they arrive. Nothing is held per end demand on the way up.

        A whole level of the BOM is carried at once: the items of a low-level code are never
        each other's parents, and the weights reaching a release are summed in the order one
        item at a time would sum them (the items in row order, each one's pieces in order), so
        the floats come out the same to the last bit."""
        own = self.supplies_of(row)
        levels, periods = self.plan.low_level_codes, self.plan.periods
        above = np.flatnonzero(self._items_above(row))
        above = above[np.argsort(levels[above], kind="stable")]  # by level, then row: a level's items side by side
        slot = np.zeros(len(levels), dtype=np.int64)
        slot[above] = np.arange(above.size)
        level_starts = np.searchsorted(levels[above], np.arange(int(levels[row]) + 2))
        result = np.zeros((len(own), len(self.inp.demand)))
        # (item slot * bucket x supply): the weight reaching each release of the items above
        reaching = np.zeros((above.size * periods, len(own)))
        reached = np.zeros(above.size * periods, dtype=bool)  # the releases some weight reached
        for level in range(int(levels[row]), -1, -1):
            at_level = above[level_starts[level]:level_starts[level + 1]]
            first = int(slot[at_level[0]]) * periods if at_level.size else 0
            items = np.array([row]) if level == int(levels[row]) else at_level[  # those some weight reached
                reached[first:first + at_level.size * periods].reshape(at_level.size, periods).any(axis=1)]
            for part in self._chunks(items) if items.size else ():
                chunk = items[part]
                weight = np.eye(len(own)) if chunk[0] == row else self._orders_weight_of(chunk, reaching, slot)
                self._carry_chunk(chunk, weight, result, reaching, reached, slot)
        return result

    # the need elements (BOM line x bucket) of the items carried at once: bounds the pieces held
    CHUNK_NEEDS = 200_000

    def _chunks(self, items: np.ndarray) -> list[slice]:
        """Runs of consecutive items whose lines' needs number about CHUNK_NEEDS."""
        starts = self._line_columns()[-1]
        needs = np.cumsum((starts[items + 1] - starts[items]) * self.plan.periods)
        bounds = np.searchsorted(needs, np.arange(self.CHUNK_NEEDS, int(needs[-1]) + 1, self.CHUNK_NEEDS), side="right")
        edges = [0, *sorted(set(bounds.tolist()) - {0, items.size}), items.size]
        return [slice(a, b) for a, b in zip(edges, edges[1:])]

    def _carry_chunk(self, items: np.ndarray, weight: np.ndarray, result: np.ndarray, reaching: np.ndarray,
                     reached: np.ndarray, slot: np.ndarray) -> None:
        """Read off what the items' supplies serve directly; carry the rest to their parents."""
        periods, width = self.plan.periods, weight.shape[1]
        starts = self._starts()[0]
        supplies = _ranges(starts[items], starts[items + 1])
        self._read_off_level(result.T, supplies, weight)
        supply, parent, period, qty = self._level_pieces(items)
        if not parent.size:
            return
        share = qty.astype(float) / self.plan.planned_releases[parent, period - 1].astype(float)
        carried = (weight[np.searchsorted(supplies, supply)] * share[:, None]).reshape(-1)
        # one element at a time, in order, so each sum adds up as piece by piece would; adding a
        # zero changes no sum, so only the weights that are there are added
        there = np.flatnonzero(carried)
        cells = (slot[parent] * periods + period - 1)[there // width]
        reached[cells] = True
        np.add.at(reaching.reshape(-1), cells * width + there % width, carried[there])

    def _orders_weight_of(self, items: np.ndarray, reaching: np.ndarray, slot: np.ndarray) -> np.ndarray:
        """The weight of each supply of the items: a planned order carries what reached its
        release's bucket; other supplies carry none."""
        periods = self.plan.periods
        starts = self._starts()[0]
        supplies = _ranges(starts[items], starts[items + 1])
        weight = np.zeros((supplies.size, reaching.shape[1]))
        planned = np.flatnonzero(self.t.supply_kind[supplies] == PLANNED)
        bucket = self.release[self.t.supply_index[supplies[planned]]] - 1
        owner = np.searchsorted(starts[items], supplies[planned], side="right") - 1
        weight[planned] = reaching[slot[items[owner]] * periods + bucket]
        return weight

    def _same_totals(self, items: np.ndarray, need: np.ndarray, sizes: np.ndarray, pegs: np.ndarray) -> bool:
        """Whether each item's lines need in all what its dependent pegs cover, as a plan has it
        (`need`: the items' blocks of `sizes` laid end to end)."""
        lines_total = np.zeros(items.size, dtype=need.dtype)
        np.add.at(lines_total, np.repeat(np.arange(items.size), sizes), need)
        pegs_total = np.zeros(items.size, dtype=need.dtype)
        owner = np.searchsorted(items, self.t.supply_item[self.t.peg_supply[pegs]])
        np.add.at(pegs_total, owner, self.t.peg_qty[pegs])
        return bool(np.all(lines_total == pegs_total))

    def _starts(self) -> tuple[np.ndarray, np.ndarray]:
        """Where each item's supplies and each supply's pegs start, as arrays."""
        return self._start_arrays

    def _read_off_level(self, result: np.ndarray, supplies: np.ndarray, weight: np.ndarray) -> None:
        """_read_off_into for the supplies of several items, in the order given."""
        peg_starts = self._starts()[1]
        counts = peg_starts[supplies + 1] - peg_starts[supplies]
        pegs = _ranges(peg_starts[supplies], peg_starts[supplies + 1])
        at = np.repeat(np.arange(supplies.size), counts)
        demand = self.t.peg_kind[pegs] == DEMAND
        pegs, at = pegs[demand], at[demand]
        if pegs.size:
            np.add.at(result, self.t.peg_demand[pegs], weight[at] * self.t.peg_qty[pegs].astype(float)[:, None])

    def _items_above(self, row: int) -> np.ndarray:
        """A boolean per item row: the item and every item whose releases it can serve."""
        parent, component = self._line_columns()[:2]
        found = np.zeros(len(self.plan.item_ids), dtype=bool)
        found[row] = True
        frontier = found.copy()
        while frontier.any():
            step = np.zeros_like(found)
            step[parent[frontier[component]]] = True
            frontier = step & ~found
            found |= step
        return found

    def _line_columns(self) -> tuple[np.ndarray, ...]:
        """(parent, component, factor num, factor den, first bucket, last bucket) of every BOM
        line, by component and then in the input's order, and where each component's lines start."""
        if not hasattr(self, "_columns"):
            if isinstance(self.lines_into, _LinesInto):
                a, order = self.lines_into.a, self.lines_into.order
                columns = (a.parent[order], a.component[order], a.factor_num[order], a.factor_den[order],
                           a.first_period[order], a.last_period[order], self.lines_into.starts)
            else:
                rows = sorted(self.lines_into)
                lines = [(r, *line) for r in rows for line in self.lines_into[r]]
                component, parent, num, den, first, last = (
                    np.array(c) for c in zip(*lines)) if lines else (np.empty(0, dtype=np.int64),) * 6
                starts = np.searchsorted(component, np.arange(len(self.plan.item_ids) + 1))
                columns = (parent, component, num, den, first, last, starts)
            self._columns = columns
        return self._columns

    def _level_pieces(self, items: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """piece_arrays() of several items at once, one after another in the order given: each
        item's lines' needs and its supplies' dependent pegs cover the same total, so running
        totals over all of them meet at every item's end, and no piece spans two items."""
        parent, _, num, den, first, last, starts = self._line_columns()
        lines = _ranges(starts[items], starts[items + 1])
        counts = starts[items + 1] - starts[items]
        supply_starts, peg_starts = self._starts()
        pegs = _ranges(peg_starts[supply_starts[items]], peg_starts[supply_starts[items + 1]])
        pegs = pegs[self.t.peg_kind[pegs] == DEPENDENT]
        if not lines.size or not pegs.size:
            return (np.empty(0, dtype=np.int64),) * 4
        periods = self.plan.periods
        released = self.plan.planned_releases[parent[lines]]
        buckets = np.arange(1, periods + 1)
        need = -(-released * num[lines, None] // den[lines, None])  # each line's requirement, rounded up
        need[(buckets < first[lines, None]) | (buckets > last[lines, None])] = 0
        # each item's block of needs laid out bucket by bucket, its lines in order within a bucket
        block = np.repeat(np.cumsum(counts) - counts, counts) * periods  # where the line's item's block starts
        local = np.arange(lines.size) - np.repeat(np.cumsum(counts) - counts, counts)
        width = np.repeat(counts, counts)
        flat = np.empty(need.size, dtype=need.dtype)
        flat[(block + local)[:, None] + (buckets - 1) * width[:, None]] = need
        line_ends, peg_ends = np.cumsum(flat), np.cumsum(self.t.peg_qty[pegs])
        if not self._same_totals(items, flat, counts * periods, pegs):
            return tuple(np.concatenate(c) for c in zip(*(self.piece_arrays(int(i)) for i in items)))
        ends = _merged(peg_ends, line_ends)
        qty = ends.copy()
        qty[1:] -= ends[:-1]
        ends, qty = ends[qty > 0], qty[qty > 0]
        at_line = np.searchsorted(line_ends, ends)
        item_block = np.searchsorted(np.cumsum(counts) * periods, at_line, side="right")
        offset = at_line - (np.cumsum(counts) - counts)[item_block] * periods
        line = (np.cumsum(counts) - counts)[item_block] + offset % counts[item_block]
        return (self.t.peg_supply[pegs][np.searchsorted(peg_ends, ends)], parent[lines][line],
                offset // counts[item_block] + 1, qty)

    def _orders_weight(self, supplies: range, reaching: np.ndarray) -> np.ndarray:
        """Each planned order of the item carries the weight reaching its release's bucket."""
        kind = self.t.supply_kind[supplies.start:supplies.stop]
        weight = np.zeros((len(supplies), reaching.shape[1]))
        planned = np.flatnonzero(kind == PLANNED)
        release = self.release[self.t.supply_index[supplies.start + planned]]
        weight[planned] = reaching[release - 1]
        return weight

    def _read_off_into(self, result: np.ndarray, supplies: range, weight: np.ndarray) -> None:
        """The weight of the item's supplies that ends in the end demands they cover directly."""
        pegs = np.arange(self._peg_starts[supplies.start], self._peg_starts[supplies.stop])
        pegs = pegs[self.t.peg_kind[pegs] == DEMAND]
        if pegs.size:
            np.add.at(result, self.t.peg_demand[pegs],
                      weight[self.t.peg_supply[pegs] - supplies.start] * self.t.peg_qty[pegs].astype(float)[:, None])

    # --- down: what serves an end demand ---
    def serving(self, demand: int) -> dict[int, Fraction]:
        """supply -> quantity of it that ends in the end demand, through every level below."""
        row = self.plan.row_of(self.inp.demand[demand].item_id)
        found: dict[int, Fraction] = defaultdict(Fraction)
        for supply in self.supplies_of(row):
            for p in self.pegs_of(supply):
                if self.t.peg_kind[p] == DEMAND and self.t.peg_demand[p] == demand:
                    found[supply] += as_fraction(self.t.peg_qty[p])
        shares: dict[tuple[int, int], Fraction] = defaultdict(Fraction)  # (row, bucket) -> release share
        levels = self.plan.low_level_codes
        queue, queued = [(int(levels[row]), row)], {row}
        while queue:  # parents before components: a component's shares are whole when it is reached
            _, row = heapq.heappop(queue)
            for supply, parts in self.pieces(row).items():
                for parent, period, qty in parts:
                    if shares.get((parent, period)):
                        found[supply] += qty * shares[(parent, period)]
            releasing = False  # only a release that serves the demand leads further down
            for supply in self.supplies_of(row):
                if found.get(supply) and self.t.supply_kind[supply] == PLANNED:
                    period = int(self.release[self.t.supply_index[supply]])
                    shares[(row, period)] += found[supply] / as_fraction(self.plan.planned_releases[row, period - 1])
                    releasing = True
            for child in (self.lines_from[row] - queued) if releasing else ():
                queued.add(child)
                heapq.heappush(queue, (int(levels[child]), child))
        return {s: q for s, q in found.items() if q}


def _ranges(starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """The integers of each range [start, stop) laid end to end."""
    counts = stops - starts
    return np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))


class _LinesInto:
    """component row -> (parent row, factor num, factor den, first bucket, last bucket) of each
    BOM line into it, in the input's order, read from the arrays when first asked for."""

    def __init__(self, lines: PlantArrays):
        self.a = lines
        self.order = np.argsort(lines.component, kind="stable")
        self.starts = np.searchsorted(lines.component[self.order], np.arange(len(lines.item_ids) + 1))
        self.found: dict[int, list[tuple]] = {}

    def __getitem__(self, row: int) -> list[tuple]:
        if row not in self.found:
            at = self.order[self.starts[row]:self.starts[row + 1]]
            a = self.a
            self.found[row] = list(zip(a.parent[at].tolist(), a.factor_num[at].tolist(), a.factor_den[at].tolist(),
                                       a.first_period[at].tolist(), a.last_period[at].tolist()))
        return self.found[row]


class _LinesFrom:
    """parent row -> the component rows of its BOM lines."""

    def __init__(self, lines: PlantArrays):
        self.a = lines
        self.order = np.argsort(lines.parent, kind="stable")
        self.starts = np.searchsorted(lines.parent[self.order], np.arange(len(lines.item_ids) + 1))

    def __getitem__(self, row: int) -> set[int]:
        return set(self.a.component[self.order[self.starts[row]:self.starts[row + 1]]].tolist())


# --- which items a trace visits ---

def items_to_trace(inp: MrpInput, plan: MrpPlan, lines: PlantArrays | None, item_id: str | None = None,
                   demand: str | None = None) -> np.ndarray:
    """A boolean per item row: the item and every item above it (what its supplies can serve),
    or an end demand's item and every item below it (what can serve the demand). A trace reads
    the single-level pegging of these alone, so only their part of the table need be built."""
    if item_id is not None:
        row, up = _row(plan, item_id), True
    else:
        row, up = plan.row_of(inp.demand[_demand_index(inp, demand)].item_id), False
    parent, component = _bom_rows(inp, plan, lines)
    start, reached = (component, parent) if up else (parent, component)
    found = np.zeros(len(plan.item_ids), dtype=bool)
    found[row] = True
    frontier = found.copy()
    while frontier.any():  # one level of the BOM at a time
        step = np.zeros_like(found)
        step[reached[frontier[start]]] = True
        frontier = step & ~found
        found |= step
    return found


def _bom_rows(inp: MrpInput, plan: MrpPlan, lines: PlantArrays | None) -> tuple[np.ndarray, np.ndarray]:
    """(parent row, component row) of every BOM line."""
    if lines is not None:
        return lines.parent, lines.component
    rows = [(plan.row_of(line.parent), plan.row_of(line.component)) for line in inp.boms]
    return (np.array([p for p, _ in rows], dtype=np.int64).reshape(-1),
            np.array([c for _, c in rows], dtype=np.int64).reshape(-1))


# --- documents ---

def trace_item(tracer: Tracer, item_id: str) -> dict:
    """The item's supplies, each with the end demands it serves and how much."""
    row = _row(tracer.plan, item_id)
    supplies = []
    carried = tracer.carried_up(row)
    reached = np.flatnonzero(carried.any(axis=0)).tolist()
    demands = dict(zip(reached, (_demand(tracer.inp, d) for d in reached)))  # each described once
    for k, supply in enumerate(tracer.supplies_of(row)):
        ends = np.flatnonzero(carried[k])
        served = carried[k, ends].tolist()
        entry = supply_document(tracer, supply)
        entry["end_demands"] = [{**demands[d], "qty": q} for d, q in zip(ends.tolist(), _traced_floats(served))]
        entry["rest"] = traced_number(float(as_fraction(tracer.t.supply_qty[supply])) - sum(served))
        supplies.append(entry)
    return {"item_id": item_id, "supplies": supplies}


def trace_demand(tracer: Tracer, demand: str) -> dict:
    """One end demand, named by its index or its ref, with every supply serving it and how much."""
    index = _demand_index(tracer.inp, demand)
    serving = tracer.serving(index)
    levels = tracer.plan.low_level_codes
    order = sorted(serving, key=lambda s: (int(levels[tracer.t.supply_item[s]]), s))
    return {**_demand(tracer.inp, index),
            "supplies": [{**supply_document(tracer, s), "serves": traced_number(serving[s])} for s in order]}


def _row(plan: MrpPlan, item_id: str) -> int:
    try:
        return plan.row_of(item_id)
    except KeyError:
        raise MrpInputError(UNKNOWN, f"item {item_id!r} is not in the plan") from None


def _demand_index(inp: MrpInput, demand: str) -> int:
    by_ref = [i for i, d in enumerate(inp.demand) if d.ref == demand]
    if by_ref:
        return by_ref[0]
    if demand.isdigit() and int(demand) < len(inp.demand):
        return int(demand)
    raise MrpInputError(UNKNOWN, f"end demand {demand!r} is neither an index into the {len(inp.demand)} "
                                 "demands nor the ref of one")


def supply_document(tracer: Tracer, supply: int) -> dict:
    t, index = tracer.t, int(tracer.t.supply_index[supply])
    return {"item_id": tracer.plan.item_ids[t.supply_item[supply]], "supply": SUPPLY_KINDS[t.supply_kind[supply]],
            "index": None if index < 0 else index, "period": int(t.supply_period[supply]),
            "qty": traced_number(as_fraction(t.supply_qty[supply]))}


def _demand(inp: MrpInput, index: int) -> dict:
    d = inp.demand[index]
    return {"demand": index, "item_id": d.item_id, "period": int(d.period), "ref": d.ref,
            "demand_qty": traced_number(as_fraction(d.qty))}


def as_fraction(qty) -> int | Fraction:
    """A quantity of the plan (a numpy integer, or a Fraction on the exact path) as an exact
    number: a Python int when whole (integer arithmetic is many times cheaper than Fraction's)."""
    if isinstance(qty, Fraction):
        return qty
    if isinstance(qty, Decimal):
        qty = Fraction(qty)
        return qty.numerator if qty.denominator == 1 else qty
    return int(qty)


def _traced_floats(values: list[float]) -> list[int | float]:
    """traced_number of each float, a whole list at once."""
    return [int(q) if q.is_integer() else q for q in map(round, values, repeat(6))]


def traced_number(qty: Fraction | float) -> int | float:
    """Whole quantities as integers; a share of a release as its nearest float (traced in
    floats: to six decimal places)."""
    if isinstance(qty, float):
        qty = round(qty, 6)
        return int(qty) if qty.is_integer() else qty
    return qty.numerator if qty.denominator == 1 else float(qty)
