"""`mfgsync bench pipeline`: events/s through the full pipeline, each beside a same-run baseline.

On SQLite (one process) and on PostgreSQL (one process on a fresh store and on an analyzed one,
and two processes ingesting two halves of the feed into one store at once):
- the hub, beside writing the very rows it wrote with plain batched executemany (read back from
  its store, written into a fresh store's tables in the same batch size);
- the hub, beside a raw single-table insert of the same envelopes with their ids as primary key;
- bytes written per event, beside the single-table insert's.
PostgreSQL: $MFGSYNC_BENCH_PG (an admin database where temporary databases are created and
dropped), default postgresql+psycopg://postgres@127.0.0.1:5432/postgres; unreachable, SQLite only.

Usage: mfgsync bench pipeline [--events N] [--repeats R]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

from sqlalchemy import inspect

from _report import report
from mfgsync.app import build_hub
from mfgsync.config import parse_settings
from mfgsync.store import open_store
from mfgsync.store.sql.dialect import Dialect
from mfgsync.store.sql.engine import open_engine

CONFIG = """
systems: {erp: {kind: memory}}
subscriptions: {item.upserted: [erp], bom.released: [erp], inventory.moved: [erp]}
"""
BATCH = 1000
PG_ADMIN_URL = os.environ.get("MFGSYNC_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


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


# --- where the runs write: a fresh SQLite file or a temporary PostgreSQL database ------------

class Sqlite:
    name = "SQLite"

    def __init__(self, folder: Path):
        self.folder = folder

    @contextmanager
    def database(self) -> Iterator[str]:
        path = self.folder / f"{uuid.uuid4().hex[:12]}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

    def size(self, engine) -> int:
        """The database file's size, the write-ahead log checkpointed into it."""
        with engine.connect() as c:
            c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return os.path.getsize(engine.url.database)


class Postgres:
    name = "PostgreSQL"

    def __init__(self, admin_url: str):
        self.admin_url = admin_url

    def _admin(self, statement: str) -> None:
        import psycopg
        with psycopg.connect(self.admin_url.replace("postgresql+psycopg://", "postgresql://"),
                             autocommit=True, connect_timeout=3) as connection:
            connection.execute(statement)

    def reachable(self) -> bool:
        try:
            self._admin("SELECT 1")
            return True
        except Exception as error:  # any failure to connect means: run SQLite only
            print(f"PostgreSQL is not reachable at {self.admin_url} ({str(error).splitlines()[0]}): SQLite only")
            return False

    @contextmanager
    def database(self) -> Iterator[str]:
        name = f"mfgsync_bench_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}"')
        try:
            yield self.admin_url.rsplit("/", 1)[0] + f"/{name}"
        finally:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def size(self, engine) -> int:
        """The hub's tables with their indexes and TOAST, summed."""
        with engine.connect() as c:
            return sum(c.exec_driver_sql("SELECT pg_total_relation_size(%s)", (t,)).scalar()
                       for t in hub_tables(engine))


def hub_tables(engine) -> list[str]:
    return [t for t in inspect(engine).get_table_names() if t != "alembic_version"]


def analyze(engine) -> None:
    with engine.connect() as c:
        for table in hub_tables(engine):
            c.exec_driver_sql(f"ANALYZE {table}")
        c.commit()


# --- the runs -------------------------------------------------------------------------------


class Run(NamedTuple):
    seconds: float
    bytes: int  # growth of the store
    counts: dict | None = None


def run_hub(backend, url: str, messages: list[str], prepare: Callable | None = None, config: str = CONFIG) -> Run:
    """The hub ingesting `messages` in one process into a freshly migrated store at `url`."""
    hub = build_hub(parse_settings(config), url)
    if prepare:
        prepare(hub.store.engine)
    before = backend.size(hub.store.engine)
    start = time.perf_counter()
    result = hub.intake.ingest(messages, batch_size=BATCH)
    elapsed = time.perf_counter() - start
    grown = backend.size(hub.store.engine) - before
    hub.close()
    return Run(elapsed, grown, result.to_json())


def _child(url: str, part: list[str], ready, results) -> None:
    hub = build_hub(parse_settings(CONFIG), url, run_migrations=False)
    ready.wait()
    results.put(hub.intake.ingest(part, batch_size=BATCH).to_json())
    hub.close()


def run_two_processes(url: str, messages: list[str]) -> Run:
    """Two processes, each ingesting every other batch of the feed, into one store at once;
    timed from their start to both done."""
    open_store(url).close()  # created and migrated before either starts
    batches = [messages[i:i + BATCH] for i in range(0, len(messages), BATCH)]
    halves = [[m for b in batches[k::2] for m in b] for k in (0, 1)]
    context = multiprocessing.get_context("fork")
    ready, results = context.Barrier(3), context.Queue()
    children = [context.Process(target=_child, args=(url, half, ready, results)) for half in halves]
    for child in children:
        child.start()
    ready.wait()
    start = time.perf_counter()
    counts = [results.get() for _ in children]
    for child in children:
        child.join()
    elapsed = time.perf_counter() - start
    return Run(elapsed, 0, {k: sum(c[k] for c in counts) for k in ("accepted", "duplicates", "stale", "quarantined")})


def _burn(rounds: int, ready, results) -> None:
    ready.wait()
    total = 0
    for i in range(rounds):
        total += i * i
    results.put(total)


def run_machine_ceiling(rounds: int = 5_000_000) -> float:
    """How much faster two processes of plain Python arithmetic finish than one doing both
    halves' work: the most two ingesting processes could gain on this machine right now."""
    context = multiprocessing.get_context("fork")
    timings = []
    for workers in (1, 2):
        ready, results = context.Barrier(workers + 1), context.Queue()
        children = [context.Process(target=_burn, args=(rounds * 2 // workers, ready, results))
                    for _ in range(workers)]
        for child in children:
            child.start()
        ready.wait()
        start = time.perf_counter()
        for _ in children:
            results.get()
        for child in children:
            child.join()
        timings.append(time.perf_counter() - start)
    return timings[0] / timings[1]


def read_rows(url: str) -> dict[str, tuple[list[str], list[dict]]]:
    """Every row of the hub's tables at `url`: columns and rows per table."""
    engine = open_engine(url)
    rows = {}
    with engine.connect() as c:
        for table in hub_tables(engine):
            result = c.exec_driver_sql(f"SELECT * FROM {table}")
            columns = list(result.keys())
            rows[table] = (columns, [dict(zip(columns, r)) for r in result])
    engine.dispose()
    return rows


def run_rows_baseline(backend, url: str, rows: dict[str, tuple[list[str], list[dict]]]) -> Run:
    """The same rows, written with the driver's executemany in batches of the same size into a
    fresh store's tables, no processing."""
    store = open_store(url)
    dialect = Dialect(store.engine.dialect.name)
    statements = {t: dialect.insert(t, columns) for t, (columns, r) in rows.items() if r}
    longest = max((len(r) for _, r in rows.values()), default=0)
    before = backend.size(store.engine)
    start = time.perf_counter()
    for offset in range(0, longest, BATCH):
        with store.engine.begin() as c:
            for table, statement in statements.items():
                dialect.many(c, statement, rows[table][1][offset:offset + BATCH])
    elapsed = time.perf_counter() - start
    grown = backend.size(store.engine) - before
    store.close()
    return Run(elapsed, grown)


def envelope_rows(messages: list[str]) -> list[dict]:
    rows = []
    for index, message in enumerate(messages):
        try:
            key = str(json.loads(message)["id"])
        except ValueError:
            key = f"unreadable-{index}"
        rows.append({"id": key, "envelope": message})
    return rows


def run_single_table(backend, url: str, rows: list[dict]) -> Run:
    """A raw insert of the envelopes into one table, id primary key, a repeated id skipped."""
    engine = open_engine(url)
    dialect = Dialect(engine.dialect.name)
    with engine.begin() as c:
        c.exec_driver_sql("CREATE TABLE envelopes (id VARCHAR(200) PRIMARY KEY, envelope TEXT NOT NULL)")
    statement = dialect.insert("envelopes", ("id", "envelope"), " ON CONFLICT (id) DO NOTHING")
    before = _single_size(backend, engine)
    start = time.perf_counter()
    for offset in range(0, len(rows), BATCH):
        with engine.begin() as c:
            dialect.many(c, statement, rows[offset:offset + BATCH])
    elapsed = time.perf_counter() - start
    grown = _single_size(backend, engine) - before
    engine.dispose()
    return Run(elapsed, grown)


def _single_size(backend, engine) -> int:
    if isinstance(backend, Postgres):
        with engine.connect() as c:
            return c.exec_driver_sql("SELECT pg_total_relation_size('envelopes')").scalar()
    return backend.size(engine)


# --- one backend, R repeats, medians ----------------------------------------------------------

def measure(backend, messages: list[str], repeats: int, postgres: bool) -> dict[str, list[Run]]:
    runs: dict[str, list[Run]] = {}
    envelopes = envelope_rows(messages)

    def add(name: str, run: Run) -> None:
        runs.setdefault(name, []).append(run)

    for _ in range(repeats):
        with backend.database() as url:
            add("hub", run_hub(backend, url, messages))
            rows = read_rows(url)
        with backend.database() as url:
            add("rows", run_rows_baseline(backend, url, rows))
        with backend.database() as url:
            add("single", run_single_table(backend, url, envelopes))
        if postgres:
            with backend.database() as url:
                add("analyzed", run_hub(backend, url, messages, prepare=analyze))
            with backend.database() as url:
                add("two", run_two_processes(url, messages))
            add("ceiling", Run(run_machine_ceiling(), 0, {}))
    return runs


def rate(n: int, runs: list[Run]) -> float:
    return n / statistics.median(r.seconds for r in runs)


def per_event(n: int, runs: list[Run]) -> float:
    return statistics.median(r.bytes for r in runs) / n


def print_backend(name: str, n: int, runs: dict[str, list[Run]]) -> None:
    hub = rate(n, runs["hub"])
    label = f"{name} hub, 1 process" + (", fresh store" if "analyzed" in runs else "")
    print(f"{name}: outcomes {json.dumps(runs['hub'][-1].counts)}")
    report(label, hub, "events/s", "executemany of the same rows", rate(n, runs["rows"]), aim=0.30)
    report(label, hub, "events/s", "single-table insert", rate(n, runs["single"]), aim=0.15)
    if "analyzed" in runs:
        report(label, hub, "events/s", "analyzed store", rate(n, runs["analyzed"]), aim=1.0)
        report(f"{name} hub, 2 processes", rate(n, runs["two"]), "events/s", "1 process",
               hub, aim=1.6)
        ceiling = statistics.median(r.seconds for r in runs["ceiling"])
        print(f"{name}, 2 processes: gain {rate(n, runs['two']) / hub:.2f}x; on this machine now, two processes of "
              f"plain arithmetic gain {ceiling:.2f}x over one (the ceiling for any two processes)")
        print(f"{name}, 2 processes: outcomes {json.dumps(runs['two'][-1].counts)}")
    report(f"{name} bytes written per event", per_event(n, runs["hub"]), "bytes", "single-table insert",
           per_event(n, runs["single"]), higher_is_better=False)


def positive(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, not {value}")
    return number


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="mfgsync bench pipeline", description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=positive, default=30_000, help="envelopes per run (default 30,000)")
    parser.add_argument("--repeats", type=positive, default=3, help="runs per figure; medians are quoted")
    args = parser.parse_args(argv)
    messages = generate(args.events)
    print(f"{len(messages):,} envelopes, {args.repeats} repeats, batches of {BATCH}; medians")
    postgres = Postgres(PG_ADMIN_URL)
    with tempfile.TemporaryDirectory() as tmp:
        backends = [Sqlite(Path(tmp))] + ([postgres] if postgres.reachable() else [])
        for backend in backends:
            pg = isinstance(backend, Postgres)
            print_backend(backend.name, len(messages), measure(backend, messages, args.repeats, pg))
