"""Inventory snapshots: a system's stock as rows of InventoryBalance's fields, read from CSV,
Parquet or JSON (or pulled live, see connectors/tryton_stock.py), checked row by row and
normalised for comparison.

Every check is a column expression over the whole file, never a Python loop per row: a row that
fails one (a key field missing, a quantity that is not a number, a unit the hub does not know,
no conversion to the item's base unit) is reported with its 1-based row number and left out;
the others go on. Codes are read as the hub's through the sending system's mappings, quantities
are converted to each item's base unit, and rows of one key (item, plant, location, lot) are
summed: status is what is compared, not what is keyed (two statuses of one key read as both,
`available,quality_hold`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import polars as pl

from mfgsync.model.entities import StockStatus
from mfgsync.model.identifiers import MAX_IDENTIFIER_CHARS
from mfgsync.model.units import UnitCatalogue, UnitError, normalize_uom

KEY = ("item_id", "plant_id", "location_id", "lot_id")
COLUMNS = (*KEY, "status", "qty", "uom")
REQUIRED = ("item_id", "plant_id", "location_id", "qty", "uom")
SCALE = 12  # the hub's smallest quantity is 10^-12
QTY = pl.Decimal(38, SCALE)
MAX_QTY = Decimal(10) ** 15
STATUSES = [s.value for s in StockStatus]
# A key identifier holds no control character and no key separator (model/identifiers.py).
_BAD_IDENTIFIER = r"[\x00-\x1f\x7f|@#]"
_ROW = "__row"


class SnapshotError(ValueError):
    """A snapshot that cannot be read at all (no rows can be told apart)."""
    code = "SNAPSHOT_UNREADABLE"


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based, among the file's records (a CSV's header is not a record)
    field: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class Snapshot:
    """Balances by key in base units: KEY columns, status, qty (Decimal), uom."""
    name: str
    frame: pl.DataFrame
    rows_read: int = 0
    problems: list[RowProblem] = field(default_factory=list)


@dataclass
class Normaliser:
    """What reading a system's codes and units needs: its code mappings, each item's base unit
    (asked for the items a snapshot names), and the hub's conversions."""
    catalogue: UnitCatalogue
    # item -> base unit (None: unknown) for at least the items asked for; more are ignored
    base_units: Callable[[list[str]], Mapping[str, str | None]] = lambda items: {}
    codes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # kind -> their code -> ours
    item_codes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # plant -> item -> their code


# --- reading files into text columns ------------------------------------------------------

def read_file(path: Path) -> pl.DataFrame:
    """Every column as text, whatever the file's format (by its suffix: .csv, .parquet, .json,
    .jsonl / .ndjson)."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            frame = pl.read_parquet(path)
            return frame.with_columns(pl.col(c).cast(pl.Utf8) for c in frame.columns)
        if suffix in (".json", ".jsonl", ".ndjson"):
            return _json_records(path.read_bytes(), suffix != ".json")
        if suffix in (".csv", ".txt", ""):
            return pl.read_csv(path, infer_schema=False, truncate_ragged_lines=True, encoding="utf8-lossy")
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        raise SnapshotError(f"{path}: cannot be read as a snapshot: {str(exc).splitlines()[0][:300]}") from None
    raise SnapshotError(f"{path}: unknown snapshot format {suffix!r} (use .csv, .parquet, .json or .jsonl)")


def _json_records(data: bytes, lines: bool) -> pl.DataFrame:
    """A JSON array of balances (or an InventorySnapshot's `{"balances": [...]}`), or JSON lines;
    numbers are kept as their text, so no quantity passes through a float."""
    text = data.decode("utf-8", errors="replace")
    load = lambda s: json.loads(s, parse_float=str, parse_int=str)  # noqa: E731
    try:
        records = [_record(load(line)) for line in text.splitlines() if line.strip()] if lines else load(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise SnapshotError(f"not valid JSON: {exc}") from None
    if isinstance(records, dict):
        records = records.get("balances")
    if not isinstance(records, list):
        raise SnapshotError("a JSON snapshot is a list of balances, or an object with a `balances` list")
    rows = [_record(r) for r in records]
    columns = sorted({name for row in rows for name in row} | set(COLUMNS))
    return pl.DataFrame({c: [row.get(c) for row in rows] for c in columns}, schema={c: pl.Utf8 for c in columns})


def _record(value: Any) -> dict[str, str | None]:
    """One JSON record's scalar fields as text; a record that is not an object has none (each of
    its key fields is then reported missing)."""
    if not isinstance(value, dict):
        return {}
    return {str(k): (v if isinstance(v, str) else None if v is None else json.dumps(v)) for k, v in value.items()}


# --- checking and normalising ---------------------------------------------------------------

def normalise(raw: pl.DataFrame, name: str, how: Normaliser) -> Snapshot:
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise SnapshotError(f"{name}: no column {', '.join(missing)} (a snapshot's columns are InventoryBalance's "
                            f"field names: {', '.join(COLUMNS)})")
    frame = raw.select(
        pl.int_range(1, pl.len() + 1).alias(_ROW),
        *(_text(c) if c in raw.columns else pl.lit(None, pl.Utf8).alias(c) for c in COLUMNS))
    frame = _mapped(frame, how)
    known = pl.col("uom").replace_strict(_units_known(frame), default=None, return_dtype=pl.Utf8)
    frame = frame.with_columns(pl.col("status").fill_null("available"), known.alias("_uom"),
                               pl.col("qty").cast(QTY, strict=False).alias("_qty"))
    checks = _checks()
    failing = pl.any_horizontal(failed for _, failed, _ in checks).fill_null(False)
    frame = frame.with_columns(failing.alias("_bad"))
    problems = _problems(frame.filter(pl.col("_bad")), checks)  # messages built for the failing rows only
    good, unconvertible = _in_base_units(frame.filter(~pl.col("_bad")), how)
    problems += unconvertible
    problems.sort(key=lambda p: (p.row, p.field))
    return Snapshot(name, _summed(good), raw.height, problems)


def _text(column: str) -> pl.Expr:
    """Surrounding whitespace stripped, an empty value read as absent."""
    stripped = pl.col(column).cast(pl.Utf8).str.strip_chars()
    return pl.when(stripped == "").then(None).otherwise(stripped).alias(column)


def _mapped(frame: pl.DataFrame, how: Normaliser) -> pl.DataFrame:
    """The system's codes read as the hub's: plants, locations, units and items by the system's
    mappings, then items by the plant's own item codes for that system."""
    for column, kind in (("plant_id", "plant"), ("location_id", "location"), ("uom", "uom"), ("item_id", "item")):
        if how.codes.get(kind):
            frame = frame.with_columns(pl.col(column).replace(dict(how.codes[kind])))
    pairs = [(plant, code, item) for plant, codes in how.item_codes.items() for item, code in codes.items()]
    if pairs:
        plant, code, item = (list(x) for x in zip(*pairs))
        codes = pl.DataFrame({"plant_id": plant, "item_id": code, "_item": item})
        frame = frame.join(codes, on=["plant_id", "item_id"], how="left").with_columns(
            pl.coalesce("_item", "item_id").alias("item_id")).drop("_item").sort(_ROW)
    return frame


def _units_known(frame: pl.DataFrame) -> dict[str, str]:
    """Each distinct unit code of the file that the hub knows, as its Rec 20 code."""
    known = {}
    for code in frame.get_column("uom").drop_nulls().unique().to_list():
        try:
            known[code] = normalize_uom(code)
        except UnitError:
            pass
    return known


def _checks() -> list[tuple[str, pl.Expr, pl.Expr]]:
    """(field, failed, message) of every check a row must pass."""
    checks: list[tuple[str, pl.Expr, pl.Expr]] = []
    for column in KEY:
        text = pl.col(column)
        if column != "lot_id":
            checks.append((column, text.is_null(), pl.lit(f"{column} is missing")))
        checks.append((column, text.str.len_chars() > MAX_IDENTIFIER_CHARS,
                       pl.lit(f"{column} is longer than {MAX_IDENTIFIER_CHARS} characters")))
        checks.append((column, text.str.contains(_BAD_IDENTIFIER),
                       pl.lit(f"{column} holds a control character or a key separator (|, @, #)")))
    qty, value = pl.col("qty"), pl.col("_qty")
    checks += [
        ("qty", qty.is_null(), pl.lit("qty is missing")),
        ("qty", qty.is_not_null() & value.is_null(), pl.format("qty {} is not a number", _shown(qty))),
        ("qty", value.abs() >= pl.lit(MAX_QTY).cast(QTY), pl.format("qty {} is 10^15 or more", _shown(qty))),
        ("qty", qty.str.contains(r"\.\d{13,}"), pl.format("qty {} has more than 12 decimal places", _shown(qty))),
        ("uom", pl.col("uom").is_null(), pl.lit("uom is missing")),
        ("uom", pl.col("uom").is_not_null() & pl.col("_uom").is_null(),
         pl.format("unknown unit of measure {}", _shown(pl.col("uom")))),
        ("status", ~pl.col("status").is_in(STATUSES),
         pl.format("unknown status {} (one of {})", _shown(pl.col("status")), pl.lit(", ".join(STATUSES)))),
    ]
    return checks


def _problems(frame: pl.DataFrame, checks: list[tuple[str, pl.Expr, pl.Expr]]) -> list[RowProblem]:
    if frame.is_empty():
        return []
    found = frame.select(pl.concat_list(
        pl.when(failed).then(pl.struct(pl.col(_ROW).alias("row"), pl.lit(column).alias("field"),
                                       message.alias("message")))
        for column, failed, message in checks).list.drop_nulls().alias("p")).explode("p").drop_nulls().unnest("p")
    return [RowProblem(*row) for row in found.iter_rows()]


def _shown(text: pl.Expr) -> pl.Expr:
    """A value quoted in a message, cut to 40 characters: a hostile file cannot bloat the report."""
    return pl.format("'{}'", text.str.slice(0, 40))


def _in_base_units(frame: pl.DataFrame, how: Normaliser) -> tuple[pl.DataFrame, list[RowProblem]]:
    """Quantities in each item's base unit (an item the hub does not know keeps the row's unit):
    one factor per distinct (item, unit), from one per (unit, base unit) — per item only for items
    with conversions of their own — joined onto the rows only where some unit is not the base."""
    pairs = frame.select("item_id", "_uom").unique()
    bases = how.base_units(pairs.get_column("item_id").unique().to_list())  # may hold other items too
    own = list(how.catalogue.items_with_own_conversions())
    known = pl.DataFrame({"item_id": list(bases), "_base": list(bases.values())},
                         schema={"item_id": pl.Utf8, "_base": pl.Utf8})
    pairs = pairs.join(known, on="item_id", how="left").with_columns(
        pl.coalesce("_base", "_uom").alias("_base"),
        pl.when(pl.col("item_id").is_in(own)).then(pl.col("item_id")).alias("_own"))
    pairs = pairs.join(_factors(pairs.select("_own", "_uom", "_base").unique(), how.catalogue),
                       on=["_own", "_uom", "_base"], how="left", nulls_equal=True)
    converting = pairs.filter((pl.col("_uom") != pl.col("_base")) | pl.col("_factor").is_null())
    if converting.is_empty():  # every row already in its item's base unit
        return frame.with_columns(pl.col("_qty").alias("qty"), pl.col("_uom").alias("uom")), []
    joined = frame.join(converting.select("item_id", "_uom", "_base", "_factor"), on=["item_id", "_uom"],
                        how="left", nulls_equal=True)
    stuck = joined.filter(pl.col("_base").is_not_null() & pl.col("_factor").is_null())
    problems = [RowProblem(row, "uom", f"no conversion from {uom} to {item_id}'s base unit {base}")
                for row, item_id, uom, base in stuck.select(_ROW, "item_id", "_uom", "_base").iter_rows()]
    good = joined.filter(pl.col("_base").is_null() | pl.col("_factor").is_not_null()).with_columns(
        pl.when(pl.col("_base").is_null()).then(pl.col("_qty"))
        .otherwise((pl.col("_qty") * pl.col("_factor").cast(QTY)).cast(QTY)).alias("qty"),
        pl.coalesce("_base", "_uom").alias("uom"))
    return good, problems


def _factors(combinations: pl.DataFrame, catalogue: UnitCatalogue) -> pl.DataFrame:
    """The factor of each (item with its own conversions or None, unit, base unit); None where the
    hub has no conversion."""
    factors = []
    for item_id, uom, base in combinations.iter_rows():
        try:
            factor = catalogue.factor(uom, base, item_id)
            factors.append(str(Decimal(factor.numerator) / Decimal(factor.denominator)))
        except UnitError:
            factors.append(None)
    return combinations.with_columns(pl.Series("_factor", factors, pl.Utf8))


def _summed(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per key. A key held in two statuses reads as both, in alphabetical order
    (`available,quality_hold`); in three or more, as the first and last of them. Only keys that
    appear more than once are grouped: most snapshots have none."""
    repeated = pl.struct(list(KEY)).is_duplicated()
    frame = frame.with_columns(repeated.alias("_repeated")).select(*COLUMNS, "_repeated")
    if not frame.get_column("_repeated").any():
        return frame.select(*KEY, "status", "qty", "uom")
    low, high = pl.col("status").min(), pl.col("status").max()
    once = frame.filter(~pl.col("_repeated")).select(*KEY, "status", "qty", "uom")
    return pl.concat([once, frame.filter(pl.col("_repeated")).group_by(list(KEY)).agg(
        pl.when(low == high).then(low).otherwise(pl.concat_str(low, pl.lit(","), high)).alias("status"),
        pl.col("qty").sum().cast(QTY), pl.col("uom").first())])


def read_snapshot(path: Path, how: Normaliser, name: str | None = None) -> Snapshot:
    return normalise(read_file(path), name or str(path), how)


def from_balances(rows: Iterable[Mapping[str, Any]], name: str, how: Normaliser) -> Snapshot:
    """A snapshot from balances already in hand (the hub's own, or an ERP's pulled live)."""
    rows = list(rows)
    columns = {c: [None if r.get(c) is None else str(r[c]) for r in rows] for c in COLUMNS}
    return normalise(pl.DataFrame(columns, schema={c: pl.Utf8 for c in COLUMNS}), name, how)
