"""Several real processes against one PostgreSQL store, with the guarantees of one.

Four processes ingest overlapping feeds at once, three delivery workers drain one outbox while
one of them is killed with SIGKILL, and six processes open a fresh store at the same instant.
Each child is a separate interpreter started with `subprocess`, so the processes really run
side by side and share nothing but the database (and, for delivery, the target).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import create_engine, text
from tests.support.messages import envelope, item

from mfgsync import queries
from mfgsync.app import build_hub
from mfgsync.config import parse_settings
from mfgsync.model import keys

SECRET_ENV = "MFGSYNC_TEST_SECRET"


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), SECRET_ENV: "many-writers-secret"}


def _write_jsonl(path, messages: list[dict]) -> None:
    path.write_text("".join(json.dumps(m) + "\n" for m in messages))


def _finish(children: list[subprocess.Popen], timeout: float) -> list[tuple[int, str, str]]:
    """Wait for every child (killing the lot past the deadline); (returncode, stdout, stderr)."""
    deadline = time.monotonic() + timeout
    results = []
    for child in children:
        try:
            out, err = child.communicate(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for other in children:
                if other.poll() is None:
                    other.kill()
            out, err = child.communicate()
            pytest.fail(f"a child did not finish within {timeout} s: {err[-2000:]}")
        results.append((child.returncode, out, err))
    return results


# --- 1. four processes ingesting overlapping feeds -------------------------------------------

INGEST_CHILD = """
import json, sys, time
from pathlib import Path
from mfgsync.adapters.files import read_messages
from mfgsync.app import build_hub
from mfgsync.config import load_settings
hub = build_hub(load_settings(sys.argv[1]), sys.argv[2])
started = time.time()
batches = []  # when each batch committed, to show the processes overlapped
report = hub.intake.ingest(read_messages(Path(sys.argv[3])), on_batch=lambda _: batches.append(time.time()))
hub.close()
print(json.dumps({**report.to_json(), "started": started, "batches": batches}), flush=True)
"""

PROCESSES = 4
MESSAGES = 30_000  # in all, duplicates included
ITEMS, LOCATIONS = 25, 2  # 50 balances
OPENING = 100_000  # pieces received into every balance before the feeds start
TOO_MUCH = 10_000_000  # an issue no balance can cover, whatever the order: always quarantined


def _feeds(rng: random.Random) -> tuple[list[list[dict]], dict]:
    """Four overlapping feeds of movements, and what an independent reckoning expects of them.

    Each message is dealt to one feed; one in ten also goes to a second feed (the same source
    and id), so two processes race for it. Issues never total more than the opening stock, so
    no order of application takes a balance below zero; a few issues ask for more than any
    balance holds and are quarantined whichever process gets them. A few movements come again
    under a new message id (a re-sent fact): a duplicate of the movement, not a second booking.
    """
    balances = [(f"MW{i:02d}", f"L{j}") for i in range(ITEMS) for j in range(LOCATIONS)]
    distinct_count = round(MESSAGES / 1.1)
    originals: list[dict] = []
    fresh: list[dict] = []  # the movements made so far, for re-sending one
    for n in range(distinct_count):
        item_id, location = rng.choice(balances)
        roll = rng.random()
        if roll < 0.003:
            data = {"movement_id": f"MV{n:06d}", "kind": "issue", "item_id": item_id, "qty": TOO_MUCH,
                    "uom": "C62", "plant_id": "P1", "from_location": location}
        elif roll < 0.006 and fresh:
            data = dict(rng.choice(fresh))  # the same movement again, under a new message id
        elif roll < 0.6:
            data = {"movement_id": f"MV{n:06d}", "kind": "receipt", "item_id": item_id, "qty": rng.randint(1, 20),
                    "uom": "C62", "plant_id": "P1", "to_location": location}
            fresh.append(data)
        else:
            data = {"movement_id": f"MV{n:06d}", "kind": "issue", "item_id": item_id, "qty": rng.randint(1, 20),
                    "uom": "C62", "plant_id": "P1", "from_location": location}
            fresh.append(data)
        originals.append(envelope("inventory.moved", data, source="wms", message_id=f"wms-{n:06d}",
                                  time=f"2026-11-22T{8 + n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z"))
    feeds: list[list[dict]] = [[] for _ in range(PROCESSES)]
    holder: dict[str, int] = {}
    for message in originals:
        holder[message["id"]] = rng.randrange(PROCESSES)
        feeds[holder[message["id"]]].append(message)
    for message in rng.sample(originals, MESSAGES - distinct_count):
        # The same source and id in a second feed: two processes race for it.
        feeds[rng.choice([f for f in range(PROCESSES) if f != holder[message["id"]]])].append(message)
    for feed in feeds:
        rng.shuffle(feed)

    # The independent reckoning: each distinct movement booked once, from the input alone.
    expected = defaultdict(Decimal)
    for item_id, location in balances:
        expected[keys.balance(item_id, "P1", location, None, "available")] += OPENING
    booked: set[str] = set()
    applied = quarantined = 0
    for message in originals:
        data = message["data"]
        if data["qty"] == TOO_MUCH:
            quarantined += 1
            continue
        if data["movement_id"] in booked:
            continue  # a re-sent movement: counted as a duplicate
        booked.add(data["movement_id"])
        applied += 1
        sign, location = (1, data["to_location"]) if data["kind"] == "receipt" else (-1, data["from_location"])
        expected[keys.balance(data["item_id"], "P1", location, None, "available")] += sign * data["qty"]
    return feeds, {"balances": dict(expected), "applied": applied, "quarantined": quarantined,
                   "distinct": {m["id"] for m in originals}, "items": [i for i, _ in balances[::LOCATIONS]],
                   "places": balances}


@pytest.mark.slow
def test_four_processes_ingesting_overlapping_feeds_count_every_message_once_and_every_balance_equals_its_ledger(
        tmp_path, postgres_url):
    rng = random.Random(20261123)
    feeds, expected = _feeds(rng)
    config = tmp_path / "hub.yaml"
    config.write_text("plants: {P1: {negative_stock: reject}}\n")

    # Items first, so units are known, and an opening receipt into each balance.
    setup = [envelope("item.upserted", item(i, base_uom="C62"), message_id=f"item-{i}") for i in expected["items"]]
    setup += [envelope("inventory.moved", {"movement_id": f"OPEN-{i}-{loc}", "kind": "receipt", "item_id": i,
                                           "qty": OPENING, "uom": "C62", "plant_id": "P1", "to_location": loc},
                       source="wms", message_id=f"open-{i}-{loc}") for i, loc in expected["places"]]
    hub = build_hub(parse_settings(config.read_text()), postgres_url)
    opening = hub.intake.ingest(setup)
    assert opening.accepted == len(setup), opening.to_json()

    paths = []
    for n, feed in enumerate(feeds):
        paths.append(tmp_path / f"feed-{n}.jsonl")
        _write_jsonl(paths[-1], feed)
    fed = sum(len(feed) for feed in feeds)
    assert fed == MESSAGES

    started = time.monotonic()
    children = [subprocess.Popen([sys.executable, "-c", INGEST_CHILD, str(config), postgres_url, str(path)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
                for path in paths]
    results = _finish(children, timeout=150)
    elapsed = time.monotonic() - started
    for code, _, err in results:
        assert code == 0, err[-3000:]
    reports = [json.loads(out.strip().splitlines()[-1]) for _, out, _ in results]
    print(f"\n{PROCESSES} processes ingested {fed} messages in {elapsed:.1f} s:")
    zero = min(r["started"] for r in reports)
    for n, report in enumerate(reports):
        counts = {k: report[k] for k in ("accepted", "duplicates", "stale", "quarantined", "by_reason")}
        print(f"  feed {n} ({len(feeds[n])} messages): {counts}; {len(report['batches'])} batches committed "
              f"from {report['batches'][0] - zero:.1f} s to {report['batches'][-1] - zero:.1f} s")
    assert max(r["started"] for r in reports) < min(r["batches"][-1] for r in reports), \
        "every process was ingesting before any had finished"

    totals = Counter()
    for report in reports:
        totals.update({k: report[k] for k in ("accepted", "duplicates", "stale", "quarantined")})
    assert sum(totals.values()) == fed, f"every message counted once: {dict(totals)} for {fed} fed"
    assert totals["accepted"] == expected["applied"]
    assert totals["quarantined"] == expected["quarantined"]
    assert totals["stale"] == 0
    assert totals["duplicates"] == fed - expected["applied"] - expected["quarantined"]

    engine = create_engine(postgres_url)
    with engine.connect() as c:
        inbox = c.execute(text("SELECT source, message_id, outcome FROM inbox WHERE source = 'wms' "
                               "AND message_id LIKE 'wms-%'")).all()
        quarantines = c.execute(text("SELECT COUNT(*) FROM exceptions WHERE kind = 'quarantine'")).scalar()
    engine.dispose()
    ids = Counter(message_id for _, message_id, _ in inbox)
    assert set(ids) == expected["distinct"] and set(ids.values()) == {1}, "each message in the inbox exactly once"
    outcomes = Counter(outcome for _, _, outcome in inbox)
    assert outcomes["applied"] == totals["accepted"], "accepted across processes = distinct applied messages"
    assert outcomes["quarantined"] == quarantines == expected["quarantined"]

    with hub.store.reading() as read:
        stored = {keys.balance(b["item_id"], b["plant_id"], b["location_id"], b["lot_id"], b["status"]): b["qty"]
                  for b in read.balances()}
        ledgers = {key: read.ledger(key) for key in stored}
        actions = Counter(row[3] for row in read.audit_rows())
    assert stored == expected["balances"], "every balance equals the reckoning from the input"
    for key, rows in ledgers.items():
        assert all(r["kind"] == "delta" for r in rows)
        assert sum(r["qty"] for r in rows) == stored[key], f"{key} equals the sum of its ledger"
    assert sum(len(rows) for rows in ledgers.values()) == expected["applied"] + len(expected["places"])
    assert actions["message.applied"] == totals["accepted"] + len(setup)
    assert actions["message.quarantined"] == totals["quarantined"]
    verification = queries.verify_audit(hub.store)
    assert verification.ok, verification
    hub.close()
    print(f"  totals {dict(totals)}; {len(stored)} balances equal their ledgers and the reckoning; audit verifies")


# --- 2. three delivery workers, one killed midway --------------------------------------------

WORKER_CHILD = """
import sys, time
import httpx
from mfgsync.app import build_hub
from mfgsync.config import load_settings
from mfgsync.connectors.webhook import WebhookConnector
config, url, name, target = sys.argv[1:5]
settings = load_settings(config)
system = settings.systems["hook"]
# The configured webhook connector, on a client that names this worker to the target.
client = httpx.Client(timeout=system.timeout_seconds, headers={"X-Test-Worker": name})
hub = build_hub(settings, url, connectors={"hook": WebhookConnector(system.url, system.secret(), client=client)})
print("ready", flush=True)
deadline = time.monotonic() + 120
delivered = 0
while time.monotonic() < deadline:
    delivered += hub.worker.run_until_idle()
    with hub.store.reading() as read:
        backlog = read.backlog(time.time())
    if backlog.pending == 0:
        break
    time.sleep(0.1)  # what is left is leased by another worker, or backed off
print(f"done {delivered} pending {backlog.pending} dead {backlog.dead}", flush=True)
"""

ITEMS_DELIVERED, VERSIONS = 300, 8
WORKERS = 3
LEASE_SECONDS = 2
# The target takes a while to answer, as a real one does: a worker's batch of 100 outlasts its
# lease, so the lease must be renewed — for the rows already delivered and not yet settled too.
ANSWER_SECONDS = 0.02


class CountingTarget:
    """A webhook target that records every call, repeats included, and answers 200 — except
    409 to a call whose fence is lower than the highest it has seen for that Idempotency-Key.
    A call from the worker chosen to die triggers the kill once that worker has made `kill_after`
    calls: the worker dies mid-batch, with deliveries answered but not yet settled."""

    def __init__(self):
        self.calls: list[dict] = []
        self.highest_fence: dict[str, int] = {}
        self.made: Counter = Counter()  # calls per worker
        self.lock = threading.Lock()
        self.victim: str | None = None
        self.victim_pid: int | None = None
        self.kill_after = 0
        self.killed_at: int | None = None  # the number of calls recorded when the victim was killed
        target = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # The answer leaves in one segment: headers and body written apart would wait on the
            # client's delayed ACK (40 ms a call) and make the target look slow for no reason.
            wbufsize = 65536
            disable_nagle_algorithm = True

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                envelope_ = json.loads(body)
                fence = self.headers.get("X-Mfgsync-Fence")
                call = {"key": self.headers.get("Idempotency-Key"), "fence": int(fence) if fence else None,
                        "worker": self.headers.get("X-Test-Worker"), "id": envelope_["id"],
                        "stream": keys.item(envelope_["data"]["item_id"]),
                        "description": envelope_["data"].get("description")}
                kill = False
                with target.lock:
                    if call["fence"] is not None and call["fence"] < target.highest_fence.get(call["key"], 0):
                        call["status"] = 409
                    else:
                        call["status"] = 200
                        if call["fence"] is not None:
                            target.highest_fence[call["key"]] = call["fence"]
                    target.made[call["worker"]] += 1
                    if call["worker"] == target.victim and target.killed_at is None:
                        if target.made[call["worker"]] >= target.kill_after:
                            kill, call["status"] = True, "killed"  # dies before it hears the answer
                            target.killed_at = len(target.calls) + 1
                    target.calls.append(call)
                if kill:
                    os.kill(target.victim_pid, signal.SIGKILL)
                    self.close_connection = True
                    return
                time.sleep(ANSWER_SECONDS)
                answer = b"{}" if call["status"] == 200 else b'{"error": "stale fence"}'
                self.send_response(call["status"])
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.slow
def test_three_delivery_workers_one_killed_midway_deliver_every_effect_once_per_key_in_stream_order(
        tmp_path, postgres_url, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "many-writers-secret")
    with CountingTarget() as target:
        config = tmp_path / "hub.yaml"
        config.write_text(f'systems: {{hook: {{kind: webhook, url: "{target.url}", secret_env: {SECRET_ENV}, '
                          f"timeout_seconds: 10}}}}\n"
                          "subscriptions: {item.upserted: [hook]}\n"
                          f"retry: {{lease_seconds: {LEASE_SECONDS}, base_seconds: 0.2, max_seconds: 1}}\n")
        messages = [envelope("item.upserted", item(f"DL{i:03d}", f"DL{i:03d} v{v}"), message_id=f"dl-{i}-{v}",
                             time=f"2026-11-22T10:{v:02d}:00Z")
                    for v in range(VERSIONS) for i in range(ITEMS_DELIVERED)]
        hub = build_hub(parse_settings(config.read_text()), postgres_url)
        report = hub.intake.ingest(messages)
        assert report.accepted == len(messages), report.to_json()
        engine = create_engine(postgres_url)
        with engine.connect() as c:
            rows = c.execute(text("SELECT id, entity_key, msg_key FROM outbox WHERE target = 'hook' ORDER BY id")).all()
        assert len(rows) == len(messages), "one effect per applied message"
        key_of = {f"hook-{outbox_id:010d}": (outbox_id, stream, msg_key.split("\x1f")[1])
                  for outbox_id, stream, msg_key in rows}

        names = [f"w{n}" for n in range(WORKERS)]
        target.victim = names[0]
        target.kill_after = len(rows) // (2 * WORKERS) + 37  # about a sixth of the way: mid-batch
        started = time.monotonic()
        children = [subprocess.Popen([sys.executable, "-c", WORKER_CHILD, str(config), postgres_url, name, target.url],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
                    for name in names]
        target.victim_pid = children[0].pid
        results = _finish(children, timeout=150)
        elapsed = time.monotonic() - started

        with engine.connect() as c:
            statuses = Counter(s for (s,) in c.execute(text("SELECT status FROM outbox")).all())
        engine.dispose()
        hub.close()
    calls = list(target.calls)

    victim_code = results[0][0]
    print(f"\n{len(rows)} effects over {ITEMS_DELIVERED} streams, {WORKERS} workers, {elapsed:.1f} s; "
          f"outbox {dict(statuses)}")
    for name, (code, out, err) in zip(names, results):
        made = Counter(c["status"] for c in calls if c["worker"] == name)
        print(f"  {name}: exit {code}, calls {dict(made)}, says {out.split(chr(10))[-2:-1] or out!r}")
    assert target.killed_at is not None and victim_code == -signal.SIGKILL, "the victim was killed mid-batch"
    for code, _, err in results[1:]:
        assert code == 0, err[-3000:]
    assert statuses == {"delivered": len(rows)}, "everything delivered after the takeover"

    accepted = Counter(c["key"] for c in calls if c["status"] == 200)
    repeats = {key: n for key, n in accepted.items() if n > 1}
    refused = [c for c in calls if c["status"] == 409]
    fences_seen = sum(1 for c in calls if c["fence"] is not None)
    print(f"  calls {len(calls)}: accepted {sum(accepted.values())} for {len(accepted)} keys, "
          f"repeats {len(repeats)}, refused (stale fence) {len(refused)}, killed in flight 1, "
          f"calls carrying a fence {fences_seen}")
    assert set(accepted) == set(key_of), "every effect reached the target"
    assert all(c["key"] in key_of for c in calls)
    # Repeats: only deliveries the killed worker had answered but not settled when it died.
    for key in repeats:
        by = [c["worker"] for c in calls if c["key"] == key and c["status"] == 200]
        assert by.count(target.victim) == len(by) - 1 and by[0] == target.victim, (key, by)
    assert len(repeats) < 100, "no more than one claimed batch of the killed worker"
    for c in refused:  # a stale writer refused: someone with a later lease delivered that key
        assert any(o["key"] == c["key"] and o["status"] == 200 and o["fence"] > c["fence"] for o in calls), c
    for key, n in accepted.items():
        assert n == 1 or key in repeats

    # Per stream, the accepted deliveries come in the order their outbox rows were created.
    created: dict[str, list[int]] = defaultdict(list)
    for outbox_id, stream, _ in rows:
        created[stream].append(outbox_id)
    received: dict[str, list[int]] = defaultdict(list)
    for c in calls:
        if c["status"] == 200:
            outbox_id, stream, message_id = key_of[c["key"]]
            assert c["stream"] == stream and c["id"] == message_id, c
            received[stream].append(outbox_id)
    for stream, ids in created.items():
        got = received[stream]
        assert got == sorted(got), f"{stream}: delivered out of order {got}"
        assert list(dict.fromkeys(got)) == ids
    last = {c["stream"]: c["description"] for c in calls if c["status"] == 200}
    assert all(last[keys.item(f"DL{i:03d}")] == f"DL{i:03d} v{VERSIONS - 1}" for i in range(ITEMS_DELIVERED))


# --- 3. six processes opening a fresh store at once ------------------------------------------

OPEN_CHILD = """
import os, sys, time
import alembic.command, psycopg, sqlalchemy
import mfgsync.store.sql
from mfgsync.store import open_store
url, barrier = sys.argv[1:3]
print("waiting", flush=True)
deadline = time.monotonic() + 30
while not os.path.exists(barrier) and time.monotonic() < deadline:
    time.sleep(0.002)
store = open_store(url)
with store.reading() as read:
    read.ping()
    read.backlog(time.time())
store.close()
print("ok", flush=True)
"""


def test_six_processes_opening_a_fresh_store_at_once_all_start(tmp_path, postgres_url):
    barrier = tmp_path / "go"
    children = [subprocess.Popen([sys.executable, "-c", OPEN_CHILD, postgres_url, str(barrier)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
                for _ in range(6)]
    for child in children:
        assert child.stdout.readline().strip() == "waiting"  # all imported, all at the barrier
    barrier.write_text("go")
    results = _finish(children, timeout=60)
    for code, out, err in results:
        assert (code, out.strip()) == (0, "ok"), err[-3000:]
    engine = create_engine(postgres_url)
    with engine.connect() as c:
        versions = c.execute(text("SELECT version_num FROM alembic_version")).all()
    engine.dispose()
    assert len(versions) == 1, "migrated once, to one head"


def test_a_batch_outlasting_its_lease_keeps_the_rows_it_delivered_until_it_settles_them(database_url):
    """Rows delivered early in a batch stay pending until the batch settles: their lease is
    renewed with the rest, or another worker would deliver them again meanwhile."""
    from mfgsync.connectors.memory import MemoryConnector
    from mfgsync.pipeline.delivery import Worker
    from tests.conftest import FakeClock

    clock = FakeClock()
    settings = parse_settings("systems: {t: {kind: memory}}\nsubscriptions: {item.upserted: [t]}\n"
                              "retry: {lease_seconds: 2}\n")
    hub = build_hub(settings, database_url, clock=clock)
    hub.intake.ingest([envelope("item.upserted", item(f"LB{n}")) for n in range(3)])
    calls = []
    other = Worker(hub.store, {"t": MemoryConnector()}, settings.retry, clock, name="B")

    class Slow:  # answers in 1.5 s; while A delivers its last row, B looks for work
        def deliver(self, delivery):
            calls.append(("A", delivery.key))
            clock.advance(1.5)
            if len(calls) == 3:
                other.run_once()

    Worker(hub.store, {"t": Slow()}, settings.retry, clock, name="A").run_once()
    calls += [("B", d.key) for d in other.connectors["t"].received]
    hub.close()
    assert calls == [("A", "t-0000000001"), ("A", "t-0000000002"), ("A", "t-0000000003")]
