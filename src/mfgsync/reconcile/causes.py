"""Why two systems disagree: each variance gets one cause and the evidence for it.

Evidence is what the hub's own records say about a stock position (see evidence.py): a movement
still waiting to be delivered, a dead-lettered or quarantined one, an ASN whose lot is in
transit, a movement after the snapshot's as-of time. It is joined onto the variances by key
(an ASN, which names no plant or location, by item and lot). A variance with evidence of
several causes takes the first in CAUSES' order, with all the evidence of that cause. A
quantity mismatch without evidence whose two quantities stand in the ratio of a known unit
conversion of the item (1,000 between grams and kilograms) is `unit_conversion`; whatever is
left is `unexplained`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import polars as pl

from mfgsync.model.units import REC20, UnitCatalogue
from mfgsync.reconcile.snapshots import KEY

CAUSES = ("pending_delivery", "dead_letter", "quarantined", "in_transit", "after_as_of", "unit_conversion",
          "unexplained")
_RANK = {cause: n for n, cause in enumerate(CAUSES)}
RATIO_TOLERANCE = 1e-9  # relative: a ratio read from 12-decimal quantities equals its factor well within it


@dataclass(frozen=True)
class Evidence:
    """One record that explains a stock position. plant_id and location_id None: any (an ASN
    names neither)."""
    item_id: str
    plant_id: str | None
    location_id: str | None
    lot_id: str | None
    cause: str
    ref: str  # message:<source>/<id>, exception:<id>, asn:<id>, movement:<id>


_EVIDENCE_SCHEMA = {**{c: pl.Utf8 for c in KEY}, "cause": pl.Utf8, "ref": pl.Utf8}


def explain(variances: pl.DataFrame, evidence: Iterable[Evidence], catalogue: UnitCatalogue) -> pl.DataFrame:
    """The variances (compare's rows other than match) with `cause` and `evidence` (a list)."""
    indexed = variances.with_row_index("_v")
    found = _matched(indexed, list(evidence))
    chosen = (found.with_columns(pl.col("cause").replace_strict(_RANK, return_dtype=pl.Int32).alias("_rank"))
              .filter(pl.col("_rank") == pl.col("_rank").min().over("_v"))
              .group_by("_v").agg(pl.col("cause").first(), pl.col("ref").unique().sort().alias("evidence")))
    explained = indexed.join(chosen, on="_v", how="left")
    converted = _unit_conversions(explained.filter(pl.col("cause").is_null() & (pl.col("kind") == "qty_mismatch")),
                                  catalogue)
    return (explained.join(converted, on="_v", how="left")
            .with_columns(pl.coalesce("cause", "_converted", pl.lit("unexplained")).alias("cause"),
                          pl.col("evidence").fill_null(pl.lit([], pl.List(pl.Utf8))))
            .drop("_converted").sort("_v").drop("_v"))


def _matched(indexed: pl.DataFrame, evidence: list[Evidence]) -> pl.DataFrame:
    """(_v, cause, ref) for every piece of evidence about a variance's position."""
    frame = pl.DataFrame([e.__dict__ for e in evidence], schema=_EVIDENCE_SCHEMA, orient="row") if evidence \
        else pl.DataFrame(schema=_EVIDENCE_SCHEMA)
    keyed = frame.filter(pl.col("plant_id").is_not_null())
    anywhere = frame.filter(pl.col("plant_id").is_null()).drop("plant_id", "location_id")
    positions = indexed.select("_v", *KEY)
    return pl.concat([
        positions.join(keyed, on=list(KEY), how="inner", nulls_equal=True).select("_v", "cause", "ref"),
        positions.join(anywhere, on=["item_id", "lot_id"], how="inner", nulls_equal=True).select("_v", "cause", "ref"),
    ])


def _unit_conversions(mismatches: pl.DataFrame, catalogue: UnitCatalogue) -> pl.DataFrame:
    """(_v, _converted) for the mismatches whose quantities are a known conversion apart."""
    if mismatches.is_empty():
        return pl.DataFrame(schema={"_v": pl.UInt32, "_converted": pl.Utf8})
    pairs = mismatches.select("item_id", "uom").unique()
    cache: dict[tuple[str, str | None], list[float]] = {}  # items without conversions of their own share them
    factors, special = [], catalogue.items_with_own_conversions()
    for item_id, uom in pairs.iter_rows():
        own = item_id if item_id in special else None
        if (uom, own) not in cache:
            cache[uom, own] = known_factors(catalogue, uom, own)
        factors += [(item_id, uom, f) for f in cache[uom, own]]
    table = pl.DataFrame(factors, schema={"item_id": pl.Utf8, "uom": pl.Utf8, "_factor": pl.Float64}, orient="row")
    low = pl.min_horizontal(pl.col("left_qty").abs(), pl.col("right_qty").abs()).cast(pl.Float64)
    high = pl.max_horizontal(pl.col("left_qty").abs(), pl.col("right_qty").abs()).cast(pl.Float64)
    return (mismatches.with_columns((high / low).alias("_ratio")).filter(pl.col("_ratio").is_finite())
            .join(table, on=["item_id", "uom"], how="inner")
            .filter(((pl.col("_ratio") / pl.col("_factor")) - 1).abs() < RATIO_TOLERANCE)
            .select("_v", pl.lit("unit_conversion").alias("_converted")).unique("_v"))


def known_factors(catalogue: UnitCatalogue, uom: str, item_id: str | None) -> list[float]:
    """The factors above 1 between `uom` and every unit the hub converts it to (for this item)."""
    found = set()
    for other in REC20:
        if other == uom or not catalogue.can_convert(uom, other, item_id):
            continue
        f = catalogue.factor(uom, other, item_id)
        f = f if f > 1 else 1 / f
        if f != 1:
            found.add(float(f))
    return sorted(found)
