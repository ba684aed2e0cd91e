"""Full pegging of a whole plant in bounded memory: how much of every supply ends in every end
demand, through every level, worked out a block of end demands at a time.

It is the tracing of tracing.py done for all supplies at once, as arrays. Each supply's share
of a bucket's dependent demand is split over the BOM lines that make it up (Tracer.piece_arrays,
first in, first out, in the input's order of lines), and a line's part serves what its parent's
release in that bucket serves, in proportion. Items are
taken parents first (by low-level code), so a release's shares are whole before its components
are reached. For one block of end demands the shares are a (releases x block) matrix; the block
is sized so that matrix stays within MEMORY_BUDGET, whatever the plant, and each block's result
is written before the next is worked out. Shares are floats (to six decimals in the output).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import msgspec
import numpy as np

from mfgsync.planning.peg_table import DEMAND, SUPPLY_KINDS
from mfgsync.planning.tracing import Tracer

MEMORY_BUDGET = 64 * 2**20  # bytes of share matrices per block of end demands
PLANNED = SUPPLY_KINDS.index("planned")
_encode = msgspec.json.Encoder().encode


@dataclass(eq=False)
class Served:
    """One block's result: supply k (a position in the PegTable) ends `qty` in end demand
    `demand`, sorted by demand then supply."""

    block_start: int
    block_end: int
    demand: np.ndarray
    supply: np.ndarray
    qty: np.ndarray


class FullPegging:
    def __init__(self, tracer: Tracer):
        plan, table = tracer.plan, tracer.t
        self.plan, self.t, self.demands = plan, table, len(tracer.inp.demand)
        releases = plan.planned_releases
        self.release_key = np.flatnonzero(releases.reshape(-1) != 0)  # row * periods + bucket - 1
        self.released = _as_float(releases.reshape(-1)[self.release_key])
        supply, parent, period, qty = (np.concatenate(column) for column in zip(
            *(tracer.piece_arrays(row) for row in range(len(plan.item_ids))))) if plan.item_ids else \
            (np.empty(0, dtype=np.int64),) * 4
        levels = plan.low_level_codes[table.supply_item]
        self.levels = [np.flatnonzero(levels == level) for level in range(int(levels.max(initial=-1)) + 1)]
        self.pieces = _by_level(levels, supply, {
            "release": self._release_of(parent.astype(np.int64) * plan.periods + period - 1), "qty": _as_float(qty)})
        direct = np.flatnonzero(table.peg_kind == DEMAND)
        self.direct = _by_level(levels, table.peg_supply[direct], {"demand": table.peg_demand[direct],
                                                                    "qty": _as_float(table.peg_qty[direct])})
        planned = np.flatnonzero(table.supply_kind == PLANNED)
        rows, release, _, _ = plan.order_columns()
        order = table.supply_index[planned]
        self.orders = _by_level(levels, planned, {"release": self._release_of(
            rows[order].astype(np.int64) * plan.periods + release[order] - 1)})

    def block_size(self) -> int:
        largest = max(self.release_key.size, self.t.supply_qty.size)  # share rows; served rows of a block
        return int(max(1, min(self.demands, MEMORY_BUDGET // (8 * max(largest, 1)))))

    def blocks(self) -> Iterator[Served]:
        size = self.block_size()
        for first in range(0, self.demands, size):
            yield self.block(first, min(first + size, self.demands))

    def block(self, first: int, end: int) -> Served:
        """Every supply's quantity ending in the end demands first..end-1."""
        width = end - first
        share = np.zeros((self.release_key.size, width))
        found = []
        for level, supplies in enumerate(self.levels):
            served = np.zeros((supplies.size, width))
            local = {"supply": supplies}
            direct = self.direct[level]
            inside = (direct["demand"] >= first) & (direct["demand"] < end)
            np.add.at(served, (_local(local, direct["supply"][inside]), direct["demand"][inside] - first),
                      direct["qty"][inside])
            pieces = self.pieces[level]
            for part in _chunks(pieces["supply"].size, width):  # pieces come sorted by supply
                supply = pieces["supply"][part]
                starts = np.flatnonzero(np.r_[True, supply[1:] != supply[:-1]])
                carried = share[pieces["release"][part]]
                carried *= pieces["qty"][part, None]
                served[_local(local, supply[starts])] += np.add.reduceat(carried, starts, axis=0)
            orders = self.orders[level]
            if orders["supply"].size:
                release = orders["release"]
                np.add.at(share, release, served[_local(local, orders["supply"])] / self.released[release, None])
            at, demand = np.nonzero(served)
            found.append((demand + first, supplies[at], served[at, demand]))
        demand, supply, qty = (np.concatenate(parts) for parts in zip(*found)) if found else (np.empty(0),) * 3
        order = np.lexsort((supply, demand))
        return Served(first, end, demand[order].astype(np.int32), supply[order].astype(np.int32), np.round(qty[order], 6))

    def _release_of(self, keys: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.release_key, keys).astype(np.int64)


def _as_float(values: np.ndarray) -> np.ndarray:
    return values.astype(np.float64)


def _by_level(levels: np.ndarray, supplies: np.ndarray, columns: dict[str, np.ndarray]) -> list[dict]:
    """The rows of each level (that of their supply's item), sorted by supply."""
    level = levels[supplies] if supplies.size else supplies
    order = np.lexsort((supplies, level))
    bounds = np.searchsorted(level[order], np.arange(int(levels.max(initial=-1)) + 2))
    return [{"supply": supplies[order[a:b]], **{name: values[order[a:b]] for name, values in columns.items()}}
            for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist())]


def _local(level: dict, supplies: np.ndarray) -> np.ndarray:
    """Positions of supplies among their level's (sorted) supplies."""
    return np.searchsorted(level["supply"], supplies)


def _chunks(count: int, width: int) -> Iterator[slice]:
    """Pieces taken so that (pieces x block) temporaries stay within the budget too."""
    step = max(1, MEMORY_BUDGET // (8 * max(width, 1)))
    return (slice(start, start + step) for start in range(0, count, step))


# --- written out ---

def full_pegging_pieces(pegging: FullPegging) -> Iterator[bytes]:
    """The `pegging` section of the plan's JSON document, in pieces: every supply with its
    single-level pegs (as `--pegging single` writes them), then every end demand with the
    supplies it ends in through every level and how much of each, a block at a time."""
    from mfgsync.planning.json_text import supply_pieces

    yield b'{"supplies":['
    yield from supply_pieces(pegging.plan, pegging.t)
    yield b'],"demands":['
    first = True
    for served in pegging.blocks():
        documents = _demand_documents(pegging, served)
        for start in range(0, len(documents), DOCUMENTS_PER_PIECE):
            yield (b"" if first else b",") + _encode(documents[start:start + DOCUMENTS_PER_PIECE])[1:-1]
            first = False
    yield b"]}"


DOCUMENTS_PER_PIECE = 256


def _demand_documents(pegging: FullPegging, served: Served) -> list[dict]:
    """Per end demand of the block: planned orders and scheduled receipts by index, stock by
    item, each list beside the quantities that end in the demand."""
    t, ids = pegging.t, pegging.plan.item_ids
    kind, index = t.supply_kind[served.supply], t.supply_index[served.supply]
    item = t.supply_item[served.supply]
    bounds = np.searchsorted(served.demand, np.arange(served.block_start, served.block_end + 1)).tolist()
    documents = []
    for d in range(served.block_start, served.block_end):
        part = slice(bounds[d - served.block_start], bounds[d - served.block_start + 1])
        entry = {"demand": d}
        for name, code, label in (("planned_orders", PLANNED, index), ("scheduled_receipts", SCHEDULED, index),
                                  ("on_hand", ON_HAND, None)):
            chosen = kind[part] == code
            qty = served.qty[part][chosen].tolist()
            keys = [ids[i] for i in item[part][chosen].tolist()] if label is None else label[part][chosen].tolist()
            pairs = sorted(zip(keys, qty))
            entry[name] = [k for k, _ in pairs]
            entry[f"{name}_qty"] = [_number(q) for _, q in pairs]
        documents.append(entry)
    return documents


ON_HAND, SCHEDULED = SUPPLY_KINDS.index("on_hand"), SUPPLY_KINDS.index("scheduled")


def _number(qty: float) -> int | float:
    return int(qty) if qty.is_integer() else qty


def end_demand_tables(pegging: FullPegging) -> Iterator:
    """The same as Arrow tables, one per block: a row per supply and end demand it ends in."""
    import pyarrow as pa

    t = pegging.t
    items = pa.array(pegging.plan.item_ids, pa.string())
    kinds = pa.array(SUPPLY_KINDS, pa.string())
    for served in pegging.blocks():
        index = t.supply_index[served.supply]
        yield pa.table({
            "demand": served.demand,
            "item_id": pa.DictionaryArray.from_arrays(pa.array(t.supply_item[served.supply], pa.int32()), items),
            "supply": pa.DictionaryArray.from_arrays(pa.array(t.supply_kind[served.supply], pa.int8()), kinds),
            "index": pa.array(index, mask=index < 0), "qty": served.qty})
