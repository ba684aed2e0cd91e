"""`mfgsync bench suppliers`: supplier cycles per second through the whole flow on SQLite, beside
the same run's plain storage of the same messages and files.

One cycle is what a buyer and an X12 supplier exchange for one purchase order: the ERP's
approved order ingested and delivered as an 850 (a file by atomic rename), the supplier's 997
received, its 855 (one line changed, one rejected, one accepted) received and answered with a
997, its 856 (two lots) received and answered, the warehouse receipt ingested, its 810 received
and answered, and the hub's answers delivered. Every step goes through the pipeline as the
commands run it (`ingest`, `ingest --source northfast`, `work`): rules, workflows, the store
in one transaction per batch, the outbox, the delivery worker. The supplier's documents are
rendered before the clock starts, except each 997 answering the hub's 850, which needs the
850 the hub wrote (reading and rendering it is inside the timing: a few percent).

Baseline, in the same run: the plain work of storing what one cycle stores — each of the nine
messages of a cycle written as JSON into one SQLite table in its own transaction (the hub's WAL
and synchronous settings), and the four EDI files of a cycle written by atomic rename with
fsync — the floor any hub that commits each message and each file durably stands on.

Usage: mfgsync bench suppliers [--cycles N] [--repeats R]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from _report import report
from mfgsync.app import build_hub
from mfgsync.config import parse_settings
from mfgsync.connectors.files import write_atomically
from mfgsync.formats import x12
from mfgsync.pipeline.edi_receipt import receive_text

MESSAGES_PER_CYCLE = 9  # PO, 997, 855 (+ its interchange), 856 (+), receipt, 810 (+)
FILES_PER_CYCLE = 4  # the 850 and three 997s


def _config(folder: Path) -> str:
    return f"""
systems:
  northfast: {{kind: x12, dropfolder: "{folder}/northfast", sender_id: ACMEMFG, receiver_id: NORTHFAST,
              version: "005010", price_tolerance_pct: 2}}
plants: {{P1: {{negative_stock: reject}}}}
"""


def _envelope(n: int, source: str, event_type: str, data: dict, now: str) -> dict:
    return {"specversion": "1.0", "id": f"{source}-{event_type}-{n}", "source": source, "type": event_type,
            "time": now, "data": data}


def _master(now: str) -> list[dict]:
    items = [_envelope(i, "plm", "item.upserted", {"item_id": item, "description": item.lower(), "base_uom": "C62", "item_type": "buy"}, now)
             for i, item in enumerate(("SEAL", "GASKET", "BOLT"))]
    return [*items, _envelope(0, "erp", "supplier.upserted", {"supplier_id": "northfast"}, now)]


def _cycle_documents(n: int, now: str) -> dict:
    po = f"45{n:08d}"
    lines = [{"line_no": 10 * (k + 1), "item_id": item, "qty": 100, "uom": "C62", "unit_price": "1.25",
              "need_date": "2030-06-01"} for k, item in enumerate(("SEAL", "GASKET", "BOLT"))]
    ack = {"po_number": po, "ack_id": f"A{n}", "ack_type": "accepted_with_changes", "lines": [
        {"line_no": 10, "status": "changed", "qty": 80, "uom": "C62", "promised_date": "2030-06-10"},
        {"line_no": 20, "status": "rejected", "qty": 0, "uom": "C62"},
        {"line_no": 30, "status": "accepted", "qty": 100, "uom": "C62", "promised_date": "2030-05-30"}]}
    asn = {"asn_id": f"ASN{n}", "supplier_id": "northfast", "lines": [
        {"po_number": po, "po_line_no": 10, "item_id": "SEAL", "qty": 50, "uom": "C62", "lot_id": f"L{n}a"},
        {"po_number": po, "po_line_no": 10, "item_id": "SEAL", "qty": 30, "uom": "C62", "lot_id": f"L{n}b"}]}
    inv = {"invoice_number": f"INV{n}", "supplier_id": "northfast", "po_number": po,
           "lines": [{"po_line_no": 10, "item_id": "SEAL", "qty": 50, "uom": "C62", "unit_price": "1.25"}]}
    settings = lambda number: x12.EnvelopeSettings(sender="NORTHFAST", receiver="ACMEMFG", control_number=number,
                                                   version="005010")
    return {
        "order": _envelope(n, "erp", "po.created", {"po_number": po, "supplier_id": "northfast", "status": "approved",
                                                    "lines": lines}, now),
        "855": x12.render("855", ack, settings(3 * n + 1)), "856": x12.render("856", asn, settings(3 * n + 2)),
        "810": x12.render("810", inv, settings(3 * n + 3)),
        "receipt": _envelope(n, "wms", "inventory.moved", {"movement_id": f"GR{n}", "kind": "receipt",
                                                           "item_id": "SEAL", "qty": 50, "uom": "C62",
                                                           "plant_id": "P1", "to_location": "RECEIVING",
                                                           "lot_id": f"L{n}a"}, now)}


def hub_cycles(cycles: int) -> tuple[float, int]:
    """Seconds for `cycles` whole cycles on a fresh SQLite store, and the files the hub wrote."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        hub = build_hub(parse_settings(_config(folder)), f"sqlite:///{folder}/hub.db")
        partner = hub.settings.systems["northfast"]
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        hub.intake.ingest(_master(now))
        documents = [_cycle_documents(n, now) for n in range(cycles)]
        out = folder / "northfast" / "out"
        start = time.perf_counter()
        for n, cycle in enumerate(documents):
            hub.intake.ingest([cycle["order"]])
            hub.worker.run_until_idle()
            sent = max(out.glob("*-order.edi"), key=lambda p: p.stat().st_mtime_ns).read_text()
            interchange = x12.read_interchanges(sent)[0][0]
            receive_text(hub.intake, hub.store, x12.render_997(interchange, x12.EnvelopeSettings(
                control_number=3 * cycles + n + 1)), partner)
            receive_text(hub.intake, hub.store, cycle["855"], partner)
            receive_text(hub.intake, hub.store, cycle["856"], partner)
            hub.intake.ingest([cycle["receipt"]])
            receive_text(hub.intake, hub.store, cycle["810"], partner)
            hub.worker.run_until_idle()
        elapsed = time.perf_counter() - start
        written = len(list(out.iterdir()))
        hub.close()
        return elapsed, written


def plain_cycles(cycles: int) -> float:
    """Seconds to store the same messages one transaction each and write the same files."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        db = sqlite3.connect(folder / "plain.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE messages (id TEXT PRIMARY KEY, body TEXT NOT NULL)")
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        documents = [_cycle_documents(n, now) for n in range(cycles)]
        start = time.perf_counter()
        for n, cycle in enumerate(documents):
            bodies = [json.dumps(cycle["order"]), cycle["855"], cycle["855"], cycle["856"], cycle["856"],
                      json.dumps(cycle["receipt"]), cycle["810"], cycle["810"], cycle["855"]]
            for k, body in enumerate(bodies):
                db.execute("BEGIN IMMEDIATE")
                db.execute("INSERT INTO messages VALUES (?, ?)", (f"{n}-{k}", body))
                db.execute("COMMIT")
            for k in range(FILES_PER_CYCLE):
                write_atomically(folder / "out", f"{n}-{k}.edi", cycle["855"])
        elapsed = time.perf_counter() - start
        db.close()
        return elapsed


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="mfgsync bench suppliers", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=100, help="purchase-order cycles per run (default 100)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each, the median reported (default 3)")
    args = parser.parse_args(argv)
    hub_rates, plain_rates = [], []
    for _ in range(args.repeats):
        seconds, written = hub_cycles(args.cycles)
        if written != FILES_PER_CYCLE * args.cycles:
            raise SystemExit(f"the hub wrote {written} files for {args.cycles} cycles, "
                             f"not {FILES_PER_CYCLE * args.cycles}: the flow is broken")
        hub_rates.append(args.cycles / seconds)
        plain_rates.append(args.cycles / plain_cycles(args.cycles))
    print(f"{args.cycles} cycles of {MESSAGES_PER_CYCLE} messages and {FILES_PER_CYCLE} EDI files each, "
          f"median of {args.repeats} runs, SQLite")
    report("supplier cycles/s through the whole flow", statistics.median(hub_rates), "cycles/s",
           "plain SQLite + files", statistics.median(plain_rates))
