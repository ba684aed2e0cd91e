"""`mfgsync suppliers`: trading partners' drop folders picked up, and what the hub exchanged with them."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from mfgsync import queries
from mfgsync.adapters.supplier_catalogue import catalogue_envelopes, read_rows
from mfgsync.cli.hub import JSON, _hub
from mfgsync.cli.output import fail, print_json
from mfgsync.connectors.edi_partner import archive, pick_up
from mfgsync.pipeline.batch import IngestReport
from mfgsync.pipeline.edi_receipt import receive_file

console = Console()


def register(app: typer.Typer) -> None:
    suppliers = typer.Typer(help="Trading partners: EDI drop folders and the interchanges exchanged.",
                            no_args_is_help=True)
    suppliers.command("pickup")(pickup)
    suppliers.command("interchanges")(interchanges)
    suppliers.command("catalogue")(catalogue)
    app.add_typer(suppliers, name="suppliers")


def pickup(partner: Optional[str] = typer.Option(None, "--partner", help="only this partner's folder"),
           as_json: bool = JSON) -> None:
    """Read every file waiting in each EDI partner's `<dropfolder>/in`, then archive it."""
    hub = _hub()
    partners = [p for p in hub.settings.partners().values() if p.kind in ("x12", "edifact")
                and partner in (None, p.name)]
    if partner and not partners:
        fail(f"{partner!r} is not an X12 or EDIFACT partner in the configuration", "UNKNOWN_SOURCE")
    total, files = IngestReport(), []
    for system in partners:
        for path in pick_up(system.dropfolder):
            report = receive_file(hub.intake, hub.store, path, system)
            archived = archive(path, system.dropfolder)
            total.add(report)
            files.append({"partner": system.name, "file": archived.name, **report.to_json()})
    if as_json:
        print_json({**total.to_json(), "files": files})
        return
    for f in files:
        console.print(f"{f['partner']}: {f['file']}: {f['accepted']} accepted, {f['duplicates']} duplicates, "
                      f"{f['quarantined']} quarantined", soft_wrap=True)
    console.print(f"{len(files)} files, {total.accepted} messages accepted, {total.quarantined} quarantined")


def interchanges(partner: Optional[str] = typer.Option(None, "--partner", help="only this partner"),
                 as_json: bool = JSON) -> None:
    """Every interchange sent to and received from trading partners, with its acknowledgement."""
    hub = _hub()
    with hub.store.reading() as read:
        sent = [r for r in read.entities_of_type("sent_interchange") if partner in (None, r["partner"])]
        received = [r for r in read.entities_of_type("received_interchange") if partner in (None, r["partner"])]
    sent.sort(key=lambda r: (r["partner"], int(r["control_number"]) if r["control_number"].isdigit() else 0))
    received.sort(key=lambda r: (r["partner"], r["control_number"]))
    if as_json:
        print_json({"sent": sent, "received": [{k: v for k, v in r.items() if k != "replies"} for r in received]})
        return
    table = Table("partner", "direction", "number", "what", "status", "acknowledged")
    for r in sent:
        orders = ", ".join(s["po_number"] for s in r["sets"] if s.get("po_number"))
        table.add_row(r["partner"], "sent", r["control_number"], f"{r['purpose']} {orders}".strip(), r["status"],
                      r.get("acknowledged_at") or "")
    for r in received:
        table.add_row(r["partner"], "received", r["control_number"], f"{r['documents']} documents", r["status"], "")
    console.print(table)


def catalogue(path: Path = typer.Argument(..., help="the supplier's feed: CSV with a header row, or JSON rows"),
              supplier: str = typer.Option(..., "--supplier", help="the supplier the feed is from"),
              source: Optional[str] = typer.Option(None, "--source", help="the system of record taking it "
                                                   "into its sourcing rules (default: the owner of item.planning)"),
              as_json: bool = JSON) -> None:
    """Lead times, MOQs, order multiples and price breaks from a supplier's feed into sourcing rules."""
    hub = _hub()
    try:
        rows = read_rows(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        fail(f"{path}: cannot read the catalogue: {exc}", "INPUT_INVALID")
    with hub.store.reading() as read:
        known = queries.supplier_items(read, supplier)
        applied = read.messages(["sourcing.updated"], ["applied"])  # where each row falls in its rule's sequence
    sender = source or hub.settings.ownership.get("item.planning", "erp")
    now = datetime.fromtimestamp(hub.clock(), timezone.utc)
    report = hub.intake.ingest(catalogue_envelopes(rows, supplier, sender, known, now, applied))
    if as_json:
        print_json(report.to_json())
        return
    console.print(f"{len(rows)} rows: {report.accepted} applied, {report.duplicates} unchanged, "
                  f"{report.quarantined} quarantined")
