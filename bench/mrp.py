"""MRP as a planner runs it: the whole `plan mrp` and `plan peg` commands beside the engine alone
and one plain pass over the BOM, each with its peak resident memory.

The plant (mfgsync.planning.generated): 100,000 items in 8 levels, about ten BOM lines per item
(1,000,000), 52 weekly buckets, demand on 5,000 end items. Each command is run as a separate
process on the contract's JSON file, `--command-repeats` times (the median is quoted): `plan mrp`
into FILE.parquet (read, plan, write the planned orders), and — read, plan, single-level pegging
(its default), write — with a Parquet folder and with `--json`; `plan peg` tracing up from a
part on the deepest level (it ends in end demands all over the plant) and from one on the first
level below the end items, and down from one end demand; with `--full`, `plan mrp --pegging full` into a Parquet folder too (its output grows
with supplies times end demands: for small plants). Every figure is quoted beside the engine's
time in the same run. The plain pass is the least work any explosion does: for every BOM line
and bucket, the parent's release times qty_per summed into the component, once.

    mfgsync bench mrp [--items 100000] [--periods 52] [--repeats 3] [--command-repeats 1] [--seed 7] [--full]
                      [--keep-plant FILE]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _report import median_seconds, report

from mfgsync.planning.arrays import PlantArrays
from mfgsync.planning.contract import read_mrp_json
from mfgsync.planning.fast import CHUNK_LINES, plan_integral
from mfgsync.planning.generated import document_json, plant_document


def plain_pass(plant: PlantArrays, releases: np.ndarray, by_component: np.ndarray) -> np.ndarray:
    """One pass over every BOM line and bucket: release times qty_per, summed per component."""
    gross = np.zeros_like(releases)
    for start in range(0, by_component.size, CHUNK_LINES):
        lines = by_component[start:start + CHUNK_LINES]
        components = plant.component[lines]
        need = releases[plant.parent[lines]] * plant.factor_num[lines, None]
        starts = np.flatnonzero(np.r_[True, components[1:] != components[:-1]])
        gross[components[starts]] += np.add.reduceat(need, starts, axis=0)
    return gross


def run_command(args: list[str], stdout) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one `mfgsync` process (this child alone)."""
    began = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "mfgsync.cli", *args], stdout=stdout)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"mfgsync {' '.join(args)} failed with exit code {process.returncode}")
    return elapsed, usage.ru_maxrss / 1024


def command_figures(args: list[str], repeats: int, out: Path) -> tuple[float, float]:
    runs = []
    for _ in range(repeats):
        with open(out, "wb") as stdout:
            runs.append(run_command(args, stdout))
    return statistics.median(t for t, _ in runs), max(m for _, m in runs)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="mfgsync bench mrp")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--periods", type=int, default=52)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--command-repeats", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--full", action="store_true", help="also plan mrp --pegging full (small plants)")
    parser.add_argument("--keep-plant", type=Path, help="also write the generated plant's JSON input to FILE")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="mfgsync-bench-mrp-") as folder:
        folder = Path(folder)
        began = time.perf_counter()
        raw = document_json(plant_document(args.items, args.periods, args.seed))
        (folder / "plant.json").write_bytes(raw)
        if args.keep_plant:
            args.keep_plant.write_bytes(raw)
        plant = read_mrp_json(raw).arrays()
        del raw
        print(f"plant: {len(plant.item_ids):,} items, {plant.parent.size:,} BOM lines, {args.periods} buckets, "
              f"{np.unique(plant.demand_item).size:,} end items with demand; input "
              f"{(folder / 'plant.json').stat().st_size / 2**20:,.0f} MiB of JSON "
              f"(generated in {time.perf_counter() - began:.1f} s)")
        plan = plan_integral(plant)
        assert plan is not None, "the generated plant must stay on the integer path"
        plan_levels = plan.low_level_codes
        print(f"plan: {int(plan.low_level_codes.max()) + 1} low-level codes, "
              f"{int(np.count_nonzero(plan.planned_receipts)):,} planned orders, "
              f"{len(plan.reschedules):,} reschedule messages")

        by_component = np.argsort(plant.component, kind="stable")
        releases = plan.planned_releases
        # Alternate the two so that load from elsewhere on the machine weighs on both alike.
        baseline_times, engine_times = [], []
        for _ in range(args.repeats):
            baseline_times.append(median_seconds(lambda: plain_pass(plant, releases, by_component), 1))
            engine_times.append(median_seconds(lambda: plan_integral(plant), 1))
        baseline, engine = statistics.median(baseline_times), statistics.median(engine_times)
        engine_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        del plan
        releases = None  # the plan let go before the commands run (the plain pass's lambda names it)
        report("MRP engine alone (regenerative run)", engine * 1000, "ms", "plain pass over BOM lines x buckets",
               baseline * 1000, higher_is_better=False)

        source = str(folder / "plant.json")
        deepest, first_level = plant.item_ids[-1], plant.item_ids[int(np.argmax(plan_levels == 1))]
        commands = [
            ("plan mrp --output FILE.parquet", ["mrp", "--output", str(folder / "plan" / "planned_orders.parquet")]),
            ("plan mrp --output Parquet folder", ["mrp", "--output", str(folder / "plan")]),
            ("plan mrp --json", ["mrp", "--json"]),
            (f"plan peg {deepest} (deepest level, up)", ["peg", deepest, "--json"]),
            (f"plan peg {first_level} (level 1, up)", ["peg", first_level, "--json"]),
            ("plan peg --demand 0 (down)", ["peg", "--demand", "0", "--json"])]
        if args.full:
            commands.append(("plan mrp --pegging full, Parquet folder",
                             ["mrp", "--pegging", "full", "--output", str(folder / "plan")]))
        for label, (command, *options) in commands:
            out = folder / "stdout"
            seconds, rss = command_figures(["plan", command, "--input", source, *options], args.command_repeats, out)
            report(label, seconds * 1000, "ms", "engine alone", engine * 1000, higher_is_better=False)
            written = sum(p.stat().st_size for p in (folder / "plan").glob("*")) if "--output" in options \
                else out.stat().st_size
            print(f"{'':<44} peak resident {rss:,.0f} MiB (benchmark process with the engine: "
                  f"{engine_rss:,.0f} MiB); {written / 2**20:,.0f} MiB written")
            shutil.rmtree(folder / "plan", ignore_errors=True)
