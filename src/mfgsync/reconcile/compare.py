"""Two snapshots compared key by key, as one full join of two frames.

Every key (item, plant, location, lot) of either side is one of: match, only_left, only_right,
qty_mismatch (the quantities differ by more than the item's tolerance; exact by default) or
status_mismatch (same quantity, another status). A quantity difference is reported before a
status difference. Both sides are already in each item's base unit; a key whose two sides still
carry different units (an item the hub does not know) has its right side converted into the
left's unit where the hub's conversions allow.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Mapping

import polars as pl

from mfgsync.model.units import UnitCatalogue, UnitError
from mfgsync.reconcile.snapshots import KEY, QTY

KINDS = ("match", "only_left", "only_right", "qty_mismatch", "status_mismatch")
VARIANCE_KINDS = KINDS[1:]


def compare(left: pl.DataFrame, right: pl.DataFrame, catalogue: UnitCatalogue,
            tolerances: Mapping[str, Decimal] | None = None) -> pl.DataFrame:
    """One row per key: KEY columns, kind, left_qty, right_qty, left_status, right_status, uom,
    difference (right − left, a missing side counted as 0)."""
    sides = [frame.rename({"status": f"{side}_status", "qty": f"{side}_qty", "uom": f"{side}_uom"})
             for side, frame in (("left", left), ("right", right))]
    joined = sides[0].join(sides[1], on=list(KEY), how="full", coalesce=True, nulls_equal=True)
    joined = _right_in_left_units(joined, catalogue)
    tolerance = _tolerance(joined, tolerances or {})
    lq, rq = pl.col("left_qty"), pl.col("right_qty")
    difference = rq.fill_null(pl.lit(0).cast(QTY)) - lq.fill_null(pl.lit(0).cast(QTY))
    kind = (pl.when(rq.is_null()).then(pl.lit("only_left"))
            .when(lq.is_null()).then(pl.lit("only_right"))
            .when((rq - lq).abs() > tolerance).then(pl.lit("qty_mismatch"))
            .when(pl.col("left_status") != pl.col("right_status")).then(pl.lit("status_mismatch"))
            .otherwise(pl.lit("match")))
    return joined.select(*KEY, kind.alias("kind"), "left_qty", "right_qty", "left_status", "right_status",
                         pl.coalesce("left_uom", "right_uom").alias("uom"), difference.cast(QTY).alias("difference"))


def _right_in_left_units(joined: pl.DataFrame, catalogue: UnitCatalogue) -> pl.DataFrame:
    """Keys whose sides carry different units: the right converted to the left's unit, one factor
    per distinct (item, unit, unit); where no conversion exists the quantities stay as they are
    (and so differ)."""
    differ = pl.col("left_uom").is_not_null() & pl.col("right_uom").is_not_null() & \
        (pl.col("left_uom") != pl.col("right_uom"))
    pairs = joined.filter(differ).select("item_id", "right_uom", "left_uom").unique()
    if pairs.is_empty():
        return joined
    factors = []
    for item_id, src, dst in pairs.iter_rows():
        try:
            f = catalogue.factor(src, dst, item_id)
            factors.append(str(Decimal(f.numerator) / Decimal(f.denominator)))
        except UnitError:
            factors.append("1")
    table = pairs.with_columns(pl.Series("_f", factors, pl.Utf8).cast(QTY))
    return joined.join(table, on=["item_id", "right_uom", "left_uom"], how="left", nulls_equal=True).with_columns(
        pl.when(pl.col("_f").is_not_null()).then((pl.col("right_qty") * pl.col("_f")).cast(QTY))
        .otherwise(pl.col("right_qty")).alias("right_qty"),
        pl.when(pl.col("_f").is_not_null()).then(pl.col("left_uom")).otherwise(pl.col("right_uom")).alias("right_uom"),
    ).drop("_f")


def _tolerance(joined: pl.DataFrame, tolerances: Mapping[str, Decimal]) -> pl.Expr:
    """The item's tolerance (`*` for every item not named); exact when none is configured."""
    default = pl.lit(str(tolerances.get("*", 0))).cast(QTY)
    named = {item: str(qty) for item, qty in tolerances.items() if item != "*"}
    if not named:
        return default
    return pl.col("item_id").replace_strict(named, default=None, return_dtype=pl.Utf8).cast(QTY).fill_null(default)


def summary(compared: pl.DataFrame) -> dict[str, int]:
    counts = dict(compared.group_by("kind").len().iter_rows())
    return {kind: int(counts.get(kind, 0)) for kind in KINDS}


def totals(compared: pl.DataFrame, by: str) -> dict[str, dict]:
    """Per plant (or item): the count of each kind and the quantity of the variances (the sum of
    absolute differences, in base units)."""
    grouped = compared.group_by(by, "kind").agg(pl.len().alias("n"), pl.col("difference").abs().sum().alias("q"))
    result: dict[str, dict] = {}
    for name, kind, n, qty in grouped.sort(by, "kind").iter_rows():
        row = result.setdefault(name, {**{k: 0 for k in KINDS}, "variance_qty": Decimal(0)})
        row[kind] = n
        if kind != "match":
            row["variance_qty"] += qty or 0
    return result
