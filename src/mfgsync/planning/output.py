"""A plan written out: DESIGN.md section 5's JSON document in pieces, or tables for Parquet.

The JSON document is produced as a sequence of byte pieces, a few thousand rows at a time, so
a whole plant's plan is never held as one document. Which records are written is the caller's
choice: all items, only those with activity, or none. Nothing here writes a file.
"""

from __future__ import annotations

from typing import Callable, Iterator

import msgspec
import numpy as np
import polars as pl
import pyarrow as pa

from mfgsync.planning.contract import exception_document, json_number
from mfgsync.planning.json_text import supply_pieces
from mfgsync.planning.model import PAST_DUE, MrpPlan, RECORD_ROWS
from mfgsync.planning.peg_table import NEED_KINDS, SUPPLY_KINDS, PegTable

CHUNK = 4096
_encode = msgspec.json.Encoder().encode
ACTIVITY_ROWS = ("gross", "scheduled", "net", "planned_receipts", "planned_releases")


def record_rows(plan: MrpPlan, records: str) -> np.ndarray:
    """The item rows whose records are written: all, those with any activity, or none."""
    if records == "none":
        return np.empty(0, dtype=np.int64)
    if records == "all":
        return np.arange(len(plan.item_ids))
    active = np.zeros(len(plan.item_ids), dtype=bool)
    for name in ACTIVITY_ROWS:
        active |= (getattr(plan, name) != 0).any(axis=1)
    return np.flatnonzero(active)


def plan_json(plan: MrpPlan, records: str = "all",
              pegging: PegTable | Iterator[bytes] | None = None) -> Iterator[bytes]:
    """The plan as the contract's JSON document, in pieces, with a `pegging` section when given:
    single-level from a PegTable, or the pieces of a section written elsewhere (full pegging)."""
    yield b'{"planned_orders":['
    yield from _joined(_order_pieces(plan))
    yield b'],"records":{'
    yield from _joined(_record_pieces(plan, record_rows(plan, records)))
    yield b'},"exceptions":'
    yield _encode([exception_document(e) for e in plan.exceptions()])
    if isinstance(pegging, PegTable):
        yield b',"pegging":{"supplies":['
        yield from supply_pieces(plan, pegging)
        yield b"]}"
    elif pegging is not None:
        yield b',"pegging":'
        yield from pegging
    yield b"}\n"


def _joined(pieces: Iterator[bytes]) -> Iterator[bytes]:
    """Comma-separated pieces, each a run of members without its brackets."""
    first = True
    for piece in pieces:
        if piece:
            yield piece if first else b"," + piece
            first = False


def _numbers(values: np.ndarray) -> list:
    return values.tolist() if values.dtype != object else [json_number(v) for v in values.tolist()]


def _order_pieces(plan: MrpPlan) -> Iterator[bytes]:
    rows, release, due, qty = plan.order_columns()
    ids = plan.item_ids
    for start in range(0, rows.size, CHUNK):
        part = slice(start, start + CHUNK)
        orders = [{"item_id": ids[r], "release_period": rel, "due_period": d, "qty": q}
                  for r, rel, d, q in zip(rows[part].tolist(), release[part].tolist(), due[part].tolist(),
                                          _numbers(qty[part]))]
        yield _encode(orders)[1:-1]


def _record_pieces(plan: MrpPlan, rows: np.ndarray) -> Iterator[bytes]:
    for start in range(0, rows.size, CHUNK):
        part = rows[start:start + CHUNK]
        columns = {name: [_numbers(row) for row in getattr(plan, name)[part]] for name in RECORD_ROWS}
        chunk = {plan.item_ids[row]: {name: columns[name][k] for name in RECORD_ROWS}
                 for k, row in enumerate(part.tolist())}
        yield _encode(chunk)[1:-1]


# --- tables -----------------------------------------------------------------------------

def _quantities(values: np.ndarray) -> pl.Series:
    """Whole plans keep integers; exact plans are written as json_number writes them."""
    if values.dtype != object:
        return pl.Series(values, dtype=pl.Int64)
    return pl.Series([json_number(v) for v in values.tolist()], dtype=pl.Float64)


def plan_tables(plan: MrpPlan, records: str = "all",
                pegging: Callable[[], PegTable | None] | None = None) -> Iterator[tuple[str, pl.DataFrame]]:
    """(name, table) of planned_orders, records (one row per item and bucket), exceptions and
    pegging, each built only when the one before has been taken: a writer can write one while
    the next is worked out. `pegging` gives the single-level pegging when it is reached.
    Item ids and kinds are dictionary-encoded (polars Enum): a column of codes, not of strings."""
    ids = pl.Series("item_id", plan.item_ids, dtype=pl.Enum(plan.item_ids))
    rows, release, due, qty = plan.order_columns()
    yield "planned_orders", pl.DataFrame({
        "item_id": ids.gather(rows), "release_period": release, "due_period": due, "qty": _quantities(qty)})
    if records != "none":
        yield "records", _records_table(plan, ids, record_rows(plan, records))
    yield "exceptions", _exceptions_table(plan)
    table = pegging() if pegging is not None else None
    if table is not None:
        yield "pegging", _pegging_table(ids, table)


EXCEPTION_SCHEMA = {"item_id": pl.String, "kind": pl.String, "period": pl.Int64, "detail": pl.String,
                    "receipt": pl.Int64, "needed_period": pl.Int64}  # MrpException's fields, in order


def _exceptions_table(plan: MrpPlan) -> pl.DataFrame:
    """One row per message, in the order of plan.exceptions(): the reschedule messages from
    their objects, the past-due releases (most of a large plan's messages) built as columns."""
    messages = plan.reschedules
    columns = list(zip(*messages)) if messages else [[] for _ in EXCEPTION_SCHEMA]
    rescheduled = pl.DataFrame(dict(zip(EXCEPTION_SCHEMA, columns)), schema=EXCEPTION_SCHEMA).with_columns(
        row=pl.Series([plan.row_of(m.item_id) for m in messages], dtype=pl.Int64))
    rows, due, wanted, shown = plan.past_due_columns()
    late = pl.DataFrame({"row": rows, "period": due, "wanted": wanted, "qty": pl.Series(shown).cast(pl.String)})
    late = late.select(
        item_id=pl.Series(plan.item_ids, dtype=pl.String).gather(rows), kind=pl.lit("past_due"),
        period=pl.col("period"), detail=pl.format(PAST_DUE, pl.col("qty"), pl.col("period"), pl.col("wanted"),
                                                  1 - pl.col("wanted")),
        receipt=pl.lit(None, dtype=pl.Int64), needed_period=pl.lit(None, dtype=pl.Int64), row=pl.col("row"))
    together = pl.concat([rescheduled, late.cast(rescheduled.schema)])
    return together.sort("row", "period", "kind", maintain_order=True).select(list(EXCEPTION_SCHEMA))


def _records_table(plan: MrpPlan, ids: pl.Series, rows: np.ndarray) -> pl.DataFrame:
    periods = plan.periods
    every = rows.size == len(plan.item_ids)  # then each matrix is the column as it stands, uncopied
    columns = {"item_id": ids.gather(np.repeat(rows, periods)),
               "period": np.tile(np.arange(1, periods + 1, dtype=np.int16), rows.size)}
    for name in RECORD_ROWS:
        matrix = getattr(plan, name)
        columns[name] = _quantities((matrix if every else matrix[rows]).reshape(-1))
    return pl.DataFrame(columns)


def _pegging_table(ids: pl.Series, table: PegTable) -> pl.DataFrame:
    s = table.peg_supply
    return pl.DataFrame({
        "item_id": ids.gather(table.supply_item[s]),
        "supply": _labels(SUPPLY_KINDS, table.supply_kind[s]),
        "index": _or_null(table.supply_index[s]), "due_period": table.supply_period[s],
        "to": _labels(NEED_KINDS, table.peg_kind),
        "demand": _or_null(table.peg_demand), "need_period": table.peg_period, "qty": _quantities(table.peg_qty)})


def _labels(names: tuple[str, ...], codes: np.ndarray) -> pl.Series:
    return pl.Series(names, dtype=pl.Enum(names)).gather(codes)


def _or_null(values: np.ndarray) -> pl.Series:
    """-1 marks "none" in the arrays; a table says so with a null."""
    return pl.from_arrow(pa.array(values, mask=values < 0))
