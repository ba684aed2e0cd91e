"""Inventory reconciliation as a user runs it: two snapshots read, compared and explained, on
the hub's current records (DESIGN.md section 4's `mfgsync reconcile` document).

A side is a snapshot file (CSV, Parquet, JSON), `hub` (the hub's own balances) or
`system:NAME` (a configured ERP's stock pulled live). The side's system, when named, says whose
codes its rows carry and which deliveries count as not yet seen by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import polars as pl

from mfgsync.config import Settings
from mfgsync.model import entities as m
from mfgsync.model.units import Conversion, UnitCatalogue
from mfgsync.pipeline.clock import iso
from mfgsync.reconcile import causes, compare, evidence
from mfgsync.reconcile.snapshots import KEY, Normaliser, Snapshot, SnapshotError, from_balances, read_snapshot
from mfgsync.store.port import ReadSide, Store

HUB, LIVE = "hub", "system:"


@dataclass(frozen=True)
class Side:
    source: str  # a file path, `hub` or `system:NAME`
    system: str | None = None  # whose codes the rows carry

    @property
    def system_name(self) -> str | None:
        return self.system or (self.source[len(LIVE):] if self.source.startswith(LIVE) else None)


def catalogue(read: ReadSide, settings: Settings) -> UnitCatalogue:
    """The hub's conversions: global ones, the configuration's and those received as messages."""
    units = UnitCatalogue(settings.conversions())
    for data in read.entities_of_type("uom"):
        conv = m.UomConversion.model_validate(data)
        units.add(Conversion(conv.item_id, conv.from_uom, conv.to_uom, conv.factor))
    return units


def normaliser(read: ReadSide, settings: Settings, units: UnitCatalogue, system: str | None,
               known: dict[str, str | None] | None = None) -> Normaliser:
    """How a side's rows are read; `known` keeps the base units already looked up (both sides
    mostly name the same items)."""
    known = {} if known is None else known

    def base_units(items: list[str]) -> dict[str, str | None]:
        wanted = [i for i in items if i not in known]
        if wanted:
            known.update(dict.fromkeys(wanted))
            known.update(read.base_units(wanted))
        return known  # every item looked up so far: the caller joins it onto its own

    codes = settings.mappings.get(system, {}) if system else {}
    item_codes = {plant_id: plant.item_codes[system] for plant_id, plant in settings.plants.items()
                  if system and system in plant.item_codes}
    return Normaliser(units, base_units, codes, item_codes)


def load(side: Side, read: ReadSide, how: Normaliser, live: Callable[[str], list[dict]] | None,
         as_of: datetime | None = None) -> Snapshot:
    if side.source == HUB:  # as of a time: the ledger's entries after it left out (written as `iso`
        # writes the ledger's times, so text order is time order)
        balances = read.balances() if as_of is None else read.balances_as_of(iso(as_of.timestamp()))
        return from_balances(balances, HUB, how)
    if side.source.startswith(LIVE):
        if live is None:
            raise SnapshotError(f"{side.source}: no live source is configured for it")
        return from_balances(live(side.system_name), side.source, how)
    path = Path(side.source)
    if not path.is_file():
        raise SnapshotError(f"{side.source}: no such file (a side is a snapshot file, `hub` or `system:NAME`)")
    return read_snapshot(path, how)


def reconcile(store: Store, settings: Settings, left: Side, right: Side, as_of: datetime | None = None,
              live: Callable[[str], list[dict]] | None = None) -> dict[str, Any]:
    with store.reading() as read:
        units, known = catalogue(read, settings), {}
        snapshots = [load(side, read, normaliser(read, settings, units, side.system_name, known), live, as_of)
                     for side in (left, right)]
        compared = compare.compare(snapshots[0].frame, snapshots[1].frame, units, settings.reconciliation.tolerances)
        variances = compared.filter(pl.col("kind") != "match")
        targets = {s for s in (left.system_name, right.system_name) if s} or None
        found = evidence.gather(read, variances.get_column("item_id").unique().to_list(), targets, as_of)
    explained = causes.explain(variances, found, units).sort(list(KEY), nulls_last=False)
    return document(compared, explained, snapshots, as_of)


def document(compared: pl.DataFrame, explained: pl.DataFrame, snapshots: list[Snapshot],
             as_of: datetime | None) -> dict[str, Any]:
    return {
        "summary": compare.summary(compared),
        "variances": [_variance(row) for row in explained.iter_rows(named=True)],
        "totals": {"by_plant": compare.totals(compared, "plant_id"),
                   "by_item": compare.totals(explained, "item_id")},
        "as_of": as_of.isoformat() if as_of else None,
        **{side: {"source": s.name, "rows": s.rows_read, "keys": s.frame.height,
                  "problems": [p.to_json() for p in s.problems]}
           for side, s in zip(("left", "right"), snapshots)},
    }


def _variance(row: dict[str, Any]) -> dict[str, Any]:
    return {"key": {c: row[c] for c in KEY}, "kind": row["kind"],
            "left_qty": _exact(row["left_qty"]), "right_qty": _exact(row["right_qty"]), "uom": row["uom"],
            "left_status": row["left_status"], "right_status": row["right_status"],
            "cause": row["cause"], "evidence": row["evidence"]}


def _exact(value: Decimal | None) -> Decimal | None:
    """Without the 12 fixed decimal places, and never in exponent notation (2500, not 2.5E+3)."""
    return None if value is None else Decimal(format(value.normalize(), "f"))
