"""`mfgsync bench delivery`: deliveries/s to a drop folder (which fsyncs every file) with one
worker and with two worker processes, beside the connector alone writing the same payloads in
the same run.

N item.upserted messages over N items (N streams) subscribed to a drop folder queue N
deliveries; then `Worker.run_until_idle()` drains the outbox in this process (1 worker), or two
child processes each run a worker until it is drained (2 workers, timed from their start to
both done). On SQLite, and on PostgreSQL too when reachable (see bench/pipeline.py).

Usage: mfgsync bench delivery [--deliveries N] [--repeats R]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time
from pathlib import Path

from _report import report
from mfgsync.app import build_hub
from mfgsync.config import parse_settings
from mfgsync.connectors.base import Delivery
from mfgsync.connectors.files import DropFolderConnector
from pipeline import PG_ADMIN_URL, Postgres, Sqlite, generate, positive


def config(folder: Path) -> str:
    return f"""
systems: {{drop: {{kind: dropfolder, path: "{folder}"}}}}
subscriptions: {{item.upserted: [drop]}}
"""


def item_messages(n: int) -> list[str]:
    """n item.upserted envelopes, each for another item: n delivery streams."""
    items = dict.fromkeys(m for m in generate(n * 4) if '"type": "item.upserted"' in m)
    if len(items) < n:
        raise SystemExit(f"the generator gave only {len(items)} items for {n} deliveries")
    return list(items)[:n]


def queue(url: str, folder: Path, messages: list[str]):
    """A hub whose outbox holds one pending delivery per message, to the drop folder `folder`."""
    hub = build_hub(parse_settings(config(folder)), url)
    report_ = hub.intake.ingest(messages)
    assert report_.accepted == len(messages), report_.to_json()
    return hub


def delivered(folder: Path) -> int:
    return sum(1 for _ in folder.glob("*.json"))


def one_worker(url: str, folder: Path, messages: list[str]) -> float:
    hub = queue(url, folder, messages)
    os.sync()  # what the ingest left dirty is not flushed by the timed fsyncs
    start = time.perf_counter()
    hub.worker.run_until_idle()
    elapsed = time.perf_counter() - start
    hub.close()
    _check(folder, len(messages))
    return elapsed


def _child(url: str, folder: Path, ready) -> None:
    hub = build_hub(parse_settings(config(folder)), url, run_migrations=False)
    ready.wait()
    hub.worker.run_until_idle()
    hub.close()


def two_workers(url: str, folder: Path, messages: list[str]) -> float:
    queue(url, folder, messages).close()
    context = multiprocessing.get_context("fork")
    ready = context.Barrier(3)
    children = [context.Process(target=_child, args=(url, folder, ready)) for _ in range(2)]
    for child in children:
        child.start()
    os.sync()
    ready.wait()
    start = time.perf_counter()
    for child in children:
        child.join()
    elapsed = time.perf_counter() - start
    _check(folder, len(messages))
    return elapsed


def _check(folder: Path, expected: int) -> None:
    if delivered(folder) != expected:
        raise SystemExit(f"{delivered(folder)} of {expected} deliveries reached {folder}")


def connector_alone(source: Path, folder: Path) -> float:
    """The payloads the worker delivered, written again by the connector in a plain loop."""
    deliveries = [Delivery(p.stem, "drop", "item.upserted", p.stem, p.read_text(encoding="utf-8"))
                  for p in sorted(source.glob("*.json"))]
    connector = DropFolderConnector(folder)
    os.sync()
    start = time.perf_counter()
    for delivery in deliveries:
        connector.deliver(delivery)
    return time.perf_counter() - start


def measure(backend, messages: list[str], repeats: int, scratch: Path) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"one": [], "two": [], "connector": []}
    for r in range(repeats):
        folders = {k: scratch / f"{backend.name}-{r}-{k}" for k in times}
        with backend.database() as url:
            times["one"].append(one_worker(url, folders["one"], messages))
        with backend.database() as url:
            times["two"].append(two_workers(url, folders["two"], messages))
        times["connector"].append(connector_alone(folders["one"], folders["connector"]))
    return times


def print_backend(name: str, n: int, times: dict[str, list[float]]) -> None:
    rate = {k: n / statistics.median(v) for k, v in times.items()}
    report(f"{name} deliveries/s, 1 worker", rate["one"], "/s", "connector alone", rate["connector"], aim=0.6)
    report(f"{name} deliveries/s, 2 workers", rate["two"], "/s", "connector alone", rate["connector"])
    report(f"{name} deliveries/s, 2 workers", rate["two"], "/s", "1 worker", rate["one"], aim=1.5)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="mfgsync bench delivery", description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=positive, default=3000, help="deliveries per run (default 3,000)")
    parser.add_argument("--repeats", type=positive, default=3, help="runs per figure; medians are quoted")
    args = parser.parse_args(argv)
    messages = item_messages(args.deliveries)
    print(f"{len(messages):,} deliveries to a drop folder (fsync per file), {args.repeats} repeats; medians")
    postgres = Postgres(PG_ADMIN_URL)
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        backends = [Sqlite(scratch)] + ([postgres] if postgres.reachable() else [])
        for backend in backends:
            print_backend(backend.name, len(messages), measure(backend, messages, args.repeats, scratch))
