"""`mfgsync bench reconcile`: two inventory snapshots of 1,000,000 rows each with 1% variances,
reconciled with root cause as a user runs it, beside a plain join of the same two files on the
key columns with the same dataframe library (polars), measured in the same run.

The snapshots (generated, seeded, Parquet; CSV too with --csv): 50,000 items in 20 locations of
plant P1, lots on a tenth of the rows, quantities with up to three decimals. The right side
differs from the left on 1% of the keys: 40% of those in quantity, 20% in status, 20% missing
on the right and 20% only on the right. The store (SQLite, in a temporary folder) holds the
items and, for a tenth of the quantity variances, a stock movement still waiting for the ERP,
so that root cause has evidence to find; building it is not timed.

Timed, medians of repeats:
- `mfgsync reconcile --left A --right B --as-of T --json`, the whole command as its own process
  (start-up, reading both files, comparison, causes, keeping the run and raising the unexplained
  variances, the JSON written);
- the same reconciliation in this process (no start-up, nothing kept);
- the baseline: `pl.read_parquet` of both files and one full join on the four key columns.

    mfgsync bench reconcile [--rows 1000000] [--variance 0.01] [--repeats 3] [--csv] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import polars as pl
from _report import median_seconds, report
from eco import command_figures

from mfgsync.app import build_hub
from mfgsync.config import parse_settings
from mfgsync.reconcile.inventory import Side, reconcile
from mfgsync.reconcile.snapshots import KEY

ITEMS, LOCATIONS = 50_000, 20
AS_OF = "2026-11-30T18:00:00+00:00"
AIM_RATIO, AIM_SECONDS = 3.0, 3.0


def generate(rows: int, share: float, seed: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Left, right, and the keys whose quantities differ (left's rows)."""
    rng = np.random.default_rng(seed)
    n = np.arange(rows)
    left = pl.DataFrame({
        "item_id": [f"I{i:06d}" for i in n % ITEMS], "plant_id": "P1",
        "location_id": [f"L{j:02d}" for j in (n // ITEMS) % LOCATIONS],
        "lot_id": [f"LOT{j}" if j % 10 == 0 else None for j in n // (ITEMS * LOCATIONS) + n % 97],
        "status": "available", "qty": [f"{q / 1000:.3f}" for q in rng.integers(1, 5_000_000, rows)], "uom": "C62"})
    left = left.unique(list(KEY), keep="first", maintain_order=True)
    picked = rng.permutation(left.height)[:int(left.height * share)]
    cut = np.cumsum([0.4, 0.2, 0.2, 0.2]) * len(picked)
    qty, status, missing, extra = np.split(picked, cut[:3].astype(int))
    marks = np.zeros(left.height, dtype=np.int8)
    marks[qty], marks[status], marks[missing] = 1, 2, 3
    right = left.with_columns(pl.Series("_m", marks)).with_columns(
        pl.when(pl.col("_m") == 1).then((pl.col("qty").cast(pl.Float64) + 1).round(3).cast(pl.Utf8))
        .otherwise(pl.col("qty")).alias("qty"),
        pl.when(pl.col("_m") == 2).then(pl.lit("quality_hold")).otherwise(pl.col("status")).alias("status"),
    ).filter(pl.col("_m") != 3)
    added = left[extra].with_columns(pl.col("location_id") + "-X")
    right = pl.concat([right.drop("_m"), added])
    return left, right, left[qty]


def pending_movements(differing: pl.DataFrame) -> list[dict]:
    """Envelopes for the store: the items, and a receipt still owed to the ERP for every tenth
    quantity variance (the ERP target never answers while the bench runs)."""
    items = [{"specversion": "1.0", "id": f"plm-{i}", "source": "plm", "type": "item.upserted",
              "time": "2026-11-30T08:00:00Z", "data": {"item_id": f"I{i:06d}", "description": f"item {i}", "base_uom": "C62"}}
             for i in range(ITEMS)]
    moves = [{"specversion": "1.0", "id": f"wms-{n}", "source": "wms", "type": "inventory.moved",
              "time": "2026-11-30T17:00:00Z",
              "data": {"movement_id": f"MV-{n}", "kind": "receipt", "item_id": row["item_id"], "qty": "1",
                       "uom": "C62", "plant_id": "P1", "to_location": row["location_id"], "lot_id": row["lot_id"],
                       "occurred_at": "2026-11-30T17:00:00Z"}}
             for n, row in enumerate(differing[::10].iter_rows(named=True))]
    return items + moves


def plain_join(left: Path, right: Path) -> pl.DataFrame:
    return pl.read_parquet(left).join(pl.read_parquet(right), on=list(KEY), how="full", coalesce=True,
                                      nulls_equal=True)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="mfgsync bench reconcile")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--variance", type=float, default=0.01)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--csv", action="store_true", help="time the command on CSV files too")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    left, right, differing = generate(args.rows, args.variance, args.seed)
    with tempfile.TemporaryDirectory(prefix="mfgsync-bench-reconcile-") as folder:
        folder = Path(folder)
        files = {side: folder / f"{side}.parquet" for side in ("left", "right")}
        left.write_parquet(files["left"]), right.write_parquet(files["right"])
        url = f"sqlite:///{folder}/hub.db"
        config = folder / "hub.yaml"
        config.write_text("systems:\n  erp: {kind: webhook, url: 'http://127.0.0.1:9', secret_env: BENCH_SECRET}\n"
                          "subscriptions: {inventory.moved: [erp]}\n")
        env = {**os.environ, "MFGSYNC_DATABASE_URL": url, "MFGSYNC_CONFIG": str(config), "BENCH_SECRET": "bench",
               "MFGSYNC_ACTOR": "bench"}
        began = time.perf_counter()
        os.environ["BENCH_SECRET"] = "bench"
        hub = build_hub(parse_settings(config.read_text()), url)
        hub.intake.ingest(pending_movements(differing))
        print(f"snapshots: {left.height:,} and {right.height:,} rows (Parquet); store: {ITEMS:,} items and "
              f"{differing.height // 10 + 1:,} movements owed to the ERP, built in {time.perf_counter() - began:.0f} s "
              "(not timed)")

        joins, alone = [], []
        as_of = datetime.fromisoformat(AS_OF).astimezone(timezone.utc)
        for _ in range(args.repeats):  # alternated, so that load from elsewhere weighs on both alike
            joins.append(median_seconds(lambda: plain_join(files["left"], files["right"]), 1))
            alone.append(median_seconds(lambda: reconcile(hub.store, hub.settings, Side(str(files["left"])),
                                                          Side(str(files["right"])), as_of), 1))
        result = reconcile(hub.store, hub.settings, Side(str(files["left"])), Side(str(files["right"])), as_of)
        hub.close()
        baseline = statistics.median(joins)
        causes = {}
        for v in result["variances"]:
            causes[v["cause"]] = causes.get(v["cause"], 0) + 1
        print(f"variances: {sum(result['summary'][k] for k in result['summary'] if k != 'match'):,} "
              f"{json.dumps(result['summary'])}; causes {json.dumps(causes)}")
        report("reconcile in process (read, compare, causes)", statistics.median(alone) * 1000, "ms",
               "plain polars join of both files", baseline * 1000, higher_is_better=False, aim=AIM_RATIO)

        command = ["reconcile", "--left", str(files["left"]), "--right", str(files["right"]), "--as-of", AS_OF,
                   "--json"]
        whole, _ = command_figures(command, env, folder / "out.json", args.repeats)
        start_up, _ = command_figures(["reconcile", "--help"], env, folder / "help.txt", args.repeats)
        printed = json.loads((folder / "out.json").read_bytes())
        assert printed["summary"] == result["summary"], "the command and the in-process run agree"
        report("reconcile --json, whole command (Parquet)", whole * 1000, "ms", "plain polars join of both files",
               baseline * 1000, higher_is_better=False, aim=AIM_RATIO)
        report("", whole * 1000, "ms", "start-up alone (reconcile --help)", start_up * 1000, higher_is_better=False)
        figures = [("reconcile --json, whole command (Parquet)", whole)]
        if args.csv:
            for side, frame in (("left", left), ("right", right)):
                frame.write_csv(folder / f"{side}.csv")
            csv = ["reconcile", "--left", str(folder / "left.csv"), "--right", str(folder / "right.csv"), "--as-of",
                   AS_OF, "--json"]
            whole_csv, _ = command_figures(csv, env, folder / "out.json", args.repeats)
            report("reconcile --json, whole command (CSV)", whole_csv * 1000, "ms", "plain polars join (Parquet)",
                   baseline * 1000, higher_is_better=False)
            figures.append(("reconcile --json, whole command (CSV)", whole_csv))
    for label, seconds in figures:
        print(f"{label:<44} {seconds:>14.2f} s          | aim under {AIM_SECONDS:g} s: "
              f"{'met' if seconds < AIM_SECONDS else 'missed'}")


if __name__ == "__main__":
    main(sys.argv[1:])
