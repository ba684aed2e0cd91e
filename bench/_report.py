"""Shared by the benchmarks: time a thing several times and print it beside its baseline."""

from __future__ import annotations

import statistics
import time
from typing import Callable


def median_seconds(run: Callable[[], object], repeats: int = 3,
                   clock: Callable[[], float] = time.perf_counter) -> float:
    """The median time of `repeats` runs of `run`: wall time, or what `clock` counts (such as
    time.process_time, this process's CPU time, steadier while others share the machine)."""
    timings = []
    for _ in range(repeats):
        start = clock()
        run()
        timings.append(clock() - start)
    return statistics.median(timings)


def report(label: str, value: float, unit: str, baseline_label: str, baseline: float,
           higher_is_better: bool = True, aim: float | None = None) -> None:
    """One line: the figure, the baseline measured in the same run, and their ratio; with `aim`,
    whether the ratio reaches it (an aim to report against, never a test)."""
    ratio = value / baseline if baseline else float("nan")
    better = "higher is better" if higher_is_better else "lower is better"
    verdict = ""
    if aim is not None:
        met = ratio >= aim if higher_is_better else ratio <= aim
        verdict = f" | aim {'≥' if higher_is_better else '≤'} {aim:.2f}: {'met' if met else 'missed'}"
    print(f"{label:<44} {value:>14,.1f} {unit:<10} | {baseline_label}: {baseline:,.1f} {unit} "
          f"| ratio {ratio:.2f} ({better}){verdict}")
