"""`mfgsync bench api`: ingestion over HTTP on one uvicorn worker, as `mfgsync serve` runs it
(the API with its delivery worker, on SQLite), beside baselines measured in the same run.

- single: one message per request, sent one after another: requests/s and p50/p99 latency,
  beside a bare FastAPI route on the same server that returns at once;
- paced: single messages at a steady 100 requests/s: p50/p99 latency (aim: p99 under 20 ms),
  beside the bare route paced the same;
- batched: the same messages in batches of `--batch` to `/api/v1/batch` (each message keeping
  its own source, as `mfgsync ingest` reads a file): messages/s, beside the hub's own `ingest`
  of the same messages in this process on a fresh store (aim: at least 50% of it).

The messages are the pipeline benchmark's (items, BOM releases, stock movements, 5% duplicates,
2% invalid). Each run starts a fresh store and server; throughputs are medians over `--repeats`.
The API's rate limit is lifted for the benchmark: it measures the hub, not the limiter.

Usage: mfgsync bench api [--events N] [--singles N] [--paced N] [--batch N] [--repeats R]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx

from _report import report
from pipeline import generate, positive

BARE = "/bench/bare"


def serve(database_url: str, port: int) -> None:
    """The server process: `mfgsync serve`'s app (its delivery worker too) plus a bare route."""
    import uvicorn
    from mfgsync.api.server import background_work, create_app
    from mfgsync.app import build_hub
    from mfgsync.config import parse_settings

    hub = build_hub(parse_settings("{}"), database_url)
    app = create_app(hub, background_work(hub, live_traffic=False), rate_per_second=1e9, burst=1e9)
    app.add_api_route(BARE, lambda: {"ok": True}, methods=["POST"])
    uvicorn.run(app, host="127.0.0.1", port=port, workers=1, log_level="warning", access_log=False)


@contextmanager
def server(folder: Path) -> Iterator[tuple[str, str]]:
    """A fresh store with an admin key, served in its own process: (base URL, key)."""
    from mfgsync.api.keys import ApiKeys
    from mfgsync.app import build_hub
    from mfgsync.config import parse_settings

    url = f"sqlite:///{folder}/bench-{time.monotonic_ns()}.db"
    hub = build_hub(parse_settings("{}"), url)
    key = ApiKeys(hub.store, hub.clock).create("bench", "admin", "bench")
    hub.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, __file__, "--serve", url, str(port)], cwd=folder,
                               env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("the benchmark's server did not start")
            time.sleep(0.1)
        yield base, key
    finally:
        process.terminate()
        process.wait(timeout=15)


def source_of(message: str) -> str:
    try:
        document = json.loads(message)
        return document["source"] if isinstance(document, dict) and isinstance(document.get("source"), str) else "plm"
    except ValueError:
        return "plm"


def timed_requests(client: httpx.Client, requests: list[tuple[str, str]], pace: float | None = None) -> list[float]:
    """Latency of each (path, body) request in seconds; with `pace`, sent at that many a second."""
    latencies, start = [], time.perf_counter()
    for n, (path, body) in enumerate(requests):
        if pace:
            wait = start + n / pace - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
        began = time.perf_counter()
        response = client.post(path, content=body)
        latencies.append(time.perf_counter() - began)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code} {response.text[:200]}")
    return latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_once(folder: Path, messages: list[str], args) -> dict[str, float]:
    singles = [(f"/api/v1/ingest/{source_of(m)}", m) for m in messages[:args.singles]]
    paced = [(f"/api/v1/ingest/{source_of(m)}", m) for m in messages[args.singles:args.singles + args.paced]]
    figures = {}
    with server(folder) as (base, key), httpx.Client(base_url=base, timeout=60,
                                                      headers={"Authorization": f"Bearer {key}"}) as client:
        bare = timed_requests(client, [(BARE, "{}")] * len(singles))
        single = timed_requests(client, singles)
        figures |= {"bare_rps": len(bare) / sum(bare), "single_rps": len(single) / sum(single),
                    "bare_p50": percentile(bare, .5), "bare_p99": percentile(bare, .99),
                    "single_p50": percentile(single, .5), "single_p99": percentile(single, .99)}
        bare_paced = timed_requests(client, [(BARE, "{}")] * len(paced), pace=100)
        single_paced = timed_requests(client, paced, pace=100)
        figures |= {"paced_bare_p50": percentile(bare_paced, .5), "paced_bare_p99": percentile(bare_paced, .99),
                    "paced_p50": percentile(single_paced, .5),
                    "paced_p99": percentile(single_paced, .99)}
    with server(folder) as (base, key), httpx.Client(base_url=base, timeout=120,
                                                      headers={"Authorization": f"Bearer {key}"}) as client:
        batched = messages[:args.events]
        sent = ["\n".join(batched[n:n + args.batch]) for n in range(0, len(batched), args.batch)]
        sent = [("/api/v1/batch", body) for body in sent]
        figures["batched_mps"] = len(batched) / sum(timed_requests(client, sent))
    figures["ingest_mps"] = len(batched) / in_process_ingest(folder, batched)
    return figures


def in_process_ingest(folder: Path, messages: list[str]) -> float:
    """Seconds for the hub's own intake (what `mfgsync ingest` runs) on a fresh store."""
    from mfgsync.app import build_hub
    from mfgsync.config import parse_settings
    hub = build_hub(parse_settings("{}"), f"sqlite:///{folder}/ingest-{time.monotonic_ns()}.db")
    try:
        start = time.perf_counter()
        hub.intake.ingest(messages)
        return time.perf_counter() - start
    finally:
        hub.close()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="mfgsync bench api", description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=positive, default=10_000, help="messages sent in batches (default 10,000)")
    parser.add_argument("--singles", type=positive, default=2_000, help="messages sent one a request, back to back")
    parser.add_argument("--paced", type=positive, default=1_000, help="messages sent one a request at 100/s")
    parser.add_argument("--batch", type=positive, default=1_000, help="messages per batch request")
    parser.add_argument("--repeats", type=positive, default=3, help="runs; medians are quoted")
    args = parser.parse_args(argv)
    messages = generate(max(args.events, args.singles + args.paced))
    with tempfile.TemporaryDirectory() as tmp:
        runs = [run_once(Path(tmp), messages, args) for _ in range(args.repeats)]
    median = {name: statistics.median(run[name] for run in runs) for name in runs[0]}
    ms = {name: value * 1000 for name, value in median.items() if name.endswith(("p50", "p99"))}
    print(f"API ingestion on one uvicorn worker, SQLite, medians of {args.repeats} runs")
    report("single message: requests/s", median["single_rps"], "req/s", "bare route", median["bare_rps"])
    report("single message: p50 latency", ms["single_p50"], "ms", "bare route", ms["bare_p50"], higher_is_better=False)
    report("single message: p99 latency", ms["single_p99"], "ms", "bare route", ms["bare_p99"], higher_is_better=False)
    report("single at 100 req/s: p50 latency", ms["paced_p50"], "ms", "bare route paced", ms["paced_bare_p50"],
           higher_is_better=False)
    report("single at 100 req/s: p99 latency", ms["paced_p99"], "ms", "20 ms aim", 20.0, higher_is_better=False,
           aim=1.0)
    print(f"{'':<44} {'':>14} {'':<10} | bare route paced p99: {ms['paced_bare_p99']:,.1f} ms")
    report(f"batched ({args.batch} a request): messages/s", median["batched_mps"], "msg/s",
           "the hub's own ingest", median["ingest_mps"], aim=0.5)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2], int(sys.argv[3]))
