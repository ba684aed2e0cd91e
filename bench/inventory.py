"""`mfgsync bench inventory`: movements per second through the ledger on SQLite for the
shift-change burst (consumption across 200 items and 3 plants, shuffled within each stream,
5% duplicates, a quarter of the items consumed in grams against kilograms), beside the
same-run raw-insert baseline: the very rows the hub wrote, read back from its store and written
into a fresh store's tables with plain batched executemany (bench/pipeline.py's baseline).

Usage: mfgsync bench inventory [--events N] [--repeats R]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from _report import report
from pipeline import BATCH, Sqlite, positive, read_rows, run_hub, run_rows_baseline

from mfgsync.demo.shift_burst import shift_burst

CONFIG = "systems: {erp: {kind: memory}}\nsubscriptions: {inventory.moved: [erp]}\n"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="mfgsync bench inventory", description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=positive, default=50_000, help="consumption events (default 50,000)")
    parser.add_argument("--repeats", type=positive, default=3, help="runs per figure; medians are quoted")
    args = parser.parse_args(argv)
    burst = shift_burst(args.events)
    n = len(burst.messages)
    print(f"{n:,} envelopes ({len(burst.consumptions):,} distinct consumptions), {args.repeats} repeats, "
          f"batches of {BATCH}; SQLite; medians")
    hub_runs, raw_runs = [], []
    with tempfile.TemporaryDirectory() as tmp:
        backend = Sqlite(Path(tmp))
        for _ in range(args.repeats):
            with backend.database() as url:
                run = run_hub(backend, url, burst.messages, config=CONFIG)
                hub_runs.append(run)
                rows = read_rows(url)
            with backend.database() as url:
                raw_runs.append(run_rows_baseline(backend, url, rows))
    print(f"outcomes {hub_runs[-1].counts}")
    hub_rate = n / statistics.median(r.seconds for r in hub_runs)
    raw_rate = n / statistics.median(r.seconds for r in raw_runs)
    report("SQLite ledger, 1 process", hub_rate, "events/s", "executemany of the same rows", raw_rate, aim=0.40)
