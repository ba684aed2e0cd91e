"""`mfgsync bench pipeline`: events/s through the full pipeline on SQLite, beside a same-run
baseline that writes the very rows the pipeline wrote with plain batched executemany.

Usage: mfgsync bench pipeline [--events N] [--repeats R]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from _report import report
from mfgsync.app import build_hub
from mfgsync.config import parse_settings
from mfgsync.store.database import open_database
from mfgsync.store.records import execute_many

CONFIG = """
systems: {erp: {kind: memory}}
subscriptions: {item.upserted: [erp], bom.released: [erp], inventory.moved: [erp]}
"""
BATCH = 1000
TABLES = ("inbox", "entities", "exceptions", "outbox", "audit")


def generate(n: int, seed: int = 7) -> list[str]:
    """n envelopes: items, BOM releases and stock movements, 5% duplicates, 2% invalid."""
    rng = random.Random(seed)
    n_items = max(n * 3 // 10, 50)
    parts = [f"P{i:06d}" for i in range(n_items)]
    messages: list[dict | str] = []
    for i, part in enumerate(parts):
        messages.append(_env(f"i{i}", "plm", "item.upserted", 0,
                             {"item_id": part, "description": f"part {part}", "base_uom": "EA", "item_type": "make"}))
    revisions: dict[str, int] = {}
    for k in range(n * 2 // 10):
        parent = parts[rng.randrange(0, n_items // 10)]
        revisions[parent] = revisions.get(parent, 0) + 1
        components = rng.sample(parts[n_items // 10:], 5)
        lines = [{"line_no": 10 * (j + 1), "component_id": c, "qty_per": rng.randint(1, 4), "uom": "EA"}
                 for j, c in enumerate(components)]
        messages.append(_env(f"b{k}", "plm", "bom.released", k + 1,
                             {"item_id": parent, "revision": str(revisions[parent]), "lines": lines}))
    for k in range(n - len(messages)):
        messages.append(_env(f"m{k}", "wms", "inventory.moved", k + 1, {
            "movement_id": f"MV{k}", "kind": "receipt", "item_id": rng.choice(parts), "qty": rng.randint(1, 100),
            "uom": "EA", "plant_id": "P1", "to_location": f"L{rng.randint(1, 20)}"}))
    boms, moves = messages[n_items:n_items + n * 2 // 10], messages[n_items + n * 2 // 10:]
    merged, b, v = [], 0, 0  # BOM releases and movements interleaved, each in its own order
    while b < len(boms) or v < len(moves):
        if v >= len(moves) or (b < len(boms) and rng.random() < len(boms) / (len(boms) + len(moves))):
            merged.append(boms[b]); b += 1
        else:
            merged.append(moves[v]); v += 1
    messages = messages[:n_items] + merged
    for index in rng.sample(range(n_items, len(messages)), n * 2 // 100):
        if index % 2:
            messages[index] = '{"id": "broken-' + str(index) + '", "source": "plm", "type": '
        else:
            messages[index]["data"]["uom" if "uom" in messages[index]["data"] else "base_uom"] = "FURLONG"
    texts = [m if isinstance(m, str) else json.dumps(m) for m in messages]
    for index in rng.sample(range(len(texts)), n * 5 // 100):
        texts.insert(rng.randrange(index, len(texts)), texts[index])
    return texts[:n]


def _env(message_id: str, source: str, event_type: str, second: int, data: dict) -> dict:
    minute, sec = divmod(second, 60)
    hour, minute = divmod(minute, 60)
    return {"specversion": "1.0", "id": message_id, "source": source, "type": event_type,
            "time": f"2026-11-22T{hour % 24:02d}:{minute:02d}:{sec:02d}Z", "data": data}


def run_pipeline(messages: list[str], folder: Path) -> tuple[float, dict]:
    hub = build_hub(parse_settings(CONFIG), f"sqlite:///{folder}/pipeline.db")
    start = time.perf_counter()
    result = hub.intake.ingest(messages, batch_size=BATCH)
    elapsed = time.perf_counter() - start
    hub.close()
    return elapsed, result.to_json()


def run_baseline(source: Path, folder: Path) -> float:
    """The same rows, written with executemany in batches of the same size, no processing."""
    with open_database(f"sqlite:///{source}").reading() as c:
        rows = {t: [dict(r._mapping) for r in c.execute(text(f"SELECT * FROM {t}"))] for t in TABLES}
    target = open_database(f"sqlite:///{folder}/baseline.db")
    statements = {t: f"INSERT INTO {t} ({', '.join(rows[t][0])}) VALUES ({', '.join(':' + k for k in rows[t][0])})"
                  for t in TABLES if rows[t]}
    start = time.perf_counter()
    longest = max(len(r) for r in rows.values())
    for offset in range(0, longest, BATCH):
        with target.transaction() as c:
            for table, statement in statements.items():
                chunk = rows[table][offset:offset + BATCH]
                execute_many(c, statement, chunk)  # the driver's executemany, as the pipeline writes
    elapsed = time.perf_counter() - start
    target.dispose()
    return elapsed


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="mfgsync bench pipeline")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    messages = generate(args.events)
    hub_times, base_times, counts = [], [], None
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            elapsed, counts = run_pipeline(messages, folder)
            hub_times.append(elapsed)
            base_times.append(run_baseline(folder / "pipeline.db", folder))
    print(f"{len(messages):,} envelopes; outcomes: {json.dumps(counts)}")
    hub_rate = len(messages) / statistics.median(hub_times)
    base_rate = len(messages) / statistics.median(base_times)
    report("pipeline events/s (median, SQLite)", hub_rate, "events/s", "executemany of the same rows", base_rate)
