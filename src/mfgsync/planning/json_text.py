"""Single-level pegging as JSON text, built column by column rather than an object per peg.

Pegs are laid out by supply, so the `supplies` list can be written peg by peg: a supply's
first peg carries the supply's opening (`{"item_id": …, "pegs":[`), every other peg a comma,
and its last peg the closing `]}`. A chunk of pegs is then one string array made by Arrow's kernels, and a
chunk may end anywhere: the pieces only make the document when written one after the other.
"""

from __future__ import annotations

from typing import Iterator

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mfgsync.planning.contract import json_number
from mfgsync.planning.model import MrpPlan
from mfgsync.planning.peg_table import DEPENDENT, NEED_KINDS, SUPPLY_KINDS, PegTable

PEG_CHUNK = 1 << 16
_encode = msgspec.json.Encoder().encode


def supply_pieces(plan: MrpPlan, table: PegTable) -> Iterator[bytes]:
    """The members of the `supplies` list, with their commas, in pieces of PEG_CHUNK pegs."""
    s = table.peg_supply
    changes = np.flatnonzero(s[1:] != s[:-1]) + 1
    first, last = np.zeros(s.size, dtype=bool), np.zeros(s.size, dtype=bool)
    first[np.r_[0, changes] if s.size else []] = True
    last[np.r_[changes - 1, s.size - 1] if s.size else []] = True
    ids = pa.array([_encode(i).decode() for i in plan.item_ids], pa.string())
    for start in range(0, s.size, PEG_CHUNK):
        part = slice(start, start + PEG_CHUNK)
        yield _text(_chunk(table, ids, part, first[part], last[part]))


def _chunk(table: PegTable, ids: pa.Array, part: slice, first: np.ndarray, last: np.ndarray) -> pa.Array:
    supply, kind = table.peg_supply[part], table.peg_kind[part]
    index, demand = table.supply_index[supply], table.peg_demand[part]
    opening = _join(pc.if_else(supply > 0, ",", ""), '{"item_id":', ids.take(table.supply_item[supply]),
                    ',"supply":"', _names(SUPPLY_KINDS, table.supply_kind[supply]), '","index":',
                    pc.if_else(index >= 0, _numbers(index), "null"),
                    ',"period":', _numbers(table.supply_period[supply]),
                    ',"qty":', _numbers(table.supply_qty[supply]), ',"pegs":[')
    where = pc.if_else(demand >= 0, _join(',"demand":', _numbers(demand)),
                       pc.if_else(kind == DEPENDENT, _join(',"period":', _numbers(table.peg_period[part])), ""))
    return _join(pc.if_else(first, opening, ","), '{"to":"', _names(NEED_KINDS, kind), '","qty":',
                 _numbers(table.peg_qty[part]), where, "}", pc.if_else(last, "]}", ""))


def _join(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _text(strings: pa.Array) -> bytes:
    """The strings of an array one after the other: the array's own character buffer."""
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int32)[strings.offset:strings.offset + len(strings) + 1]
    return strings.buffers()[2][int(offsets[0]):int(offsets[-1])].to_pybytes()


def _names(names: tuple[str, ...], codes: np.ndarray) -> pa.Array:
    return pa.array(names, pa.string()).take(codes)


def _numbers(values: np.ndarray) -> pa.Array:
    """Numbers as their JSON text: integers as they are, exact quantities as json_number writes them."""
    if values.dtype != object:
        return pc.cast(pa.array(values), pa.string())
    return pa.array([_encode(json_number(v)).decode() for v in values.tolist()], pa.string())
