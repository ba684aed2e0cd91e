"""Commands for the hub itself: serve, ingest, work, get, exceptions, audit, kpi."""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from mfgsync.adapters.files import FORMATS, file_layout, read_messages
from mfgsync.app import Hub, audit_key, build_hub
from mfgsync.cli.output import fail, print_json
from mfgsync.config import ConfigError
from mfgsync import queries
from mfgsync.pipeline.clock import iso
from mfgsync.pipeline.exception_queue import Actor, ExceptionError
from mfgsync.pipeline.batch import IngestReport
from mfgsync.pipeline.edi_receipt import receive_file
from mfgsync.store.sql.engine import StoreNotMigrated

console = Console()
err = Console(stderr=True)
JSON = typer.Option(False, "--json", help="print one JSON document on stdout")
LAYOUT_NAMES = {"jsonl": "JSON lines", "json-array": "a JSON array", "json-document": "a single JSON document",
                "x12": "X12", "edifact": "EDIFACT", "b2mml": "B2MML", "plm-csv": "a PLM BOM CSV"}


def _hub(run_migrations: bool = True) -> Hub:
    try:
        return build_hub(run_migrations=run_migrations)
    except ConfigError as exc:
        fail(str(exc), "CONFIG_INVALID")
    except StoreNotMigrated as exc:
        fail(str(exc), "STORE_NOT_MIGRATED")


def _actor(value: str | None) -> Actor:
    """The operator: the OS user (or MFGSYNC_ACTOR), in the role MFGSYNC_ROLE (default admin)."""
    name = value or os.environ.get("MFGSYNC_ACTOR") or getpass.getuser()
    return Actor(name, os.environ.get("MFGSYNC_ROLE", "admin"))


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("ingest")(ingest)
    app.command("work")(work)
    app.command("worker")(worker)
    app.command("get")(get)
    app.command("kpi")(kpi)
    app.command("status")(status)
    app.command("lineage")(lineage)
    exceptions = typer.Typer(help="The quarantine, dead-letter and alert queues.", no_args_is_help=True)
    exceptions.command("list")(exceptions_list)
    exceptions.command("show")(exceptions_show)
    exceptions.command("resolve")(exceptions_resolve)
    exceptions.command("replay")(exceptions_replay)
    exceptions.command("approve")(exceptions_approve)
    app.add_typer(exceptions, name="exceptions")
    audit = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
    audit.command("verify")(audit_verify)
    audit.command("anchor")(audit_anchor)
    app.add_typer(audit, name="audit")
    db = typer.Typer(help="The store's schema.", no_args_is_help=True)
    db.command("upgrade")(db_upgrade)
    app.add_typer(db, name="db")


def serve(demo: bool = typer.Option(False, "--demo", help="load the demo plant and feed it live traffic"),
          host: str = typer.Option("127.0.0.1", "--host"), port: int = typer.Option(8000, "--port")) -> None:
    """Run the API, the delivery workers and the status page in one process."""
    from mfgsync.api.server import run
    run(host=host, port=port, demo=demo)


def ingest(paths: list[Path] = typer.Argument(..., help="files to push through the pipeline"),
           source: Optional[str] = typer.Option(None, "--source", help="the sending system (overrides the files')"),
           fmt: str = typer.Option("auto", "--format", help="/".join(FORMATS)),
           as_json: bool = JSON) -> None:
    """Push files through the full pipeline and report what happened to each message."""
    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", "UNKNOWN_FORMAT")
    for path in paths:
        if not path.is_file():
            fail(f"{path}: no such file", "FILE_NOT_FOUND")
    hub = _hub()
    total, layouts = IngestReport(), []
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err,
                  transient=True, disable=as_json) as progress:
        for path in paths:
            task = progress.add_task(f"ingest {path.name}", total=None)
            try:
                layouts.append({"path": str(path), "layout": file_layout(path, fmt)})
                partner = _edi_partner(hub, source, layouts[-1]["layout"])
                if partner is not None:  # its interchanges are answered and checked before their documents
                    report = receive_file(hub.intake, hub.store, path, partner)
                else:
                    messages = read_messages(path, fmt, source)
                    report = hub.intake.ingest(messages, source=source,
                                               on_batch=lambda r: progress.advance(task, r.total))
            except ValueError as exc:  # a partner file that cannot be parsed at all
                fail(f"{path}: {exc}", getattr(exc, "code", "INPUT_INVALID"))
            total.add(report)
    if as_json:
        print_json({**total.to_json(), "files": layouts})
        return
    for read in layouts:
        console.print(f"{read['path']}: read as {LAYOUT_NAMES.get(read['layout'], read['layout'])}", soft_wrap=True)
    table = Table("outcome", "messages")
    for name in ("accepted", "duplicates", "stale", "quarantined", "alerts"):
        table.add_row(name, str(getattr(total, name)))
    for code, n in sorted(total.by_reason.items()):
        table.add_row(f"  {code}", str(n))
    console.print(table)


def _edi_partner(hub: Hub, source: str | None, layout: str):
    """The X12 or EDIFACT trading partner an EDI file comes from, when --source names one."""
    system = hub.settings.systems.get(source or "")
    return system if system is not None and system.kind == layout and system.kind in ("x12", "edifact") else None


def work(until_idle: bool = typer.Option(False, "--until-idle", help="exit once nothing is left to deliver now"),
         as_json: bool = JSON) -> None:
    """Run the delivery workers in this process."""
    import time
    hub = _hub()
    delivered = hub.worker.run_until_idle()
    while True:
        backlog = queries.backlog(hub.store, hub.clock())
        if backlog.leased and until_idle:
            # Leases left by a worker that died: wait them out, then take their rows over.
            time.sleep(min(max(backlog.lease_ends_at - hub.clock(), 0.05), 5.0))
        elif until_idle:
            break
        else:
            time.sleep(0.5)
        delivered += hub.worker.run_until_idle()
    _report_backlog(delivered, backlog, hub.clock(), as_json)


def _report_backlog(attempted: int, backlog, now: float, as_json: bool) -> None:
    waiting = None if backlog.next_retry_at is None else round(max(backlog.next_retry_at - now, 0.0), 3)
    if as_json:
        print_json({"attempted": attempted, "next_retry_in_seconds": waiting, "pending": backlog.pending,
                    "held_by_dead_letter": backlog.held_by_dead_letter, "dead_letters": backlog.dead})
        return
    parts = [f"{attempted} deliveries attempted; nothing more is due now"]
    if waiting is not None:
        parts.append(f"retries wait, the next in {waiting:g} s")
    if backlog.held_by_dead_letter:
        parts.append(f"{backlog.held_by_dead_letter} held behind {backlog.dead} dead letters "
                     "(`mfgsync exceptions list --kind dead_letter`)")
    console.print("; ".join(parts))


def worker() -> None:
    """One worker process: delivery and scheduled effects, until stopped. Any number may run
    against one PostgreSQL store."""
    import time
    hub = _hub(run_migrations=False)
    while True:
        if not hub.worker.run_once():
            time.sleep(0.5)


def get(entity_type: str = typer.Argument(..., metavar="TYPE", help=", ".join(queries.ENTITY_TYPES)),
        key: str = typer.Argument(...), revision: Optional[str] = typer.Option(None, "--revision"),
        plant: Optional[str] = typer.Option(None, "--plant"),
        history: bool = typer.Option(False, "--history", help="the messages applied to it, oldest first"),
        as_json: bool = JSON) -> None:
    """The current canonical state of one entity (or, with --history, how it got there)."""
    hub = _hub()
    try:
        found = queries.history(hub.store, entity_type, key, plant) if history else \
            queries.current(hub.store, entity_type, key, revision, plant)
    except queries.UnknownType as exc:
        fail(str(exc), exc.code)
    if found is None:
        fail(f"no {entity_type} {key}" + (f" revision {revision}" if revision else ""), "NOT_FOUND", 1)
    if as_json:
        print_json(found)
    else:
        console.print_json(json.dumps(found, default=str))


def kpi(as_json: bool = JSON) -> None:
    """The hub's KPIs, computed from its own records."""
    hub = _hub()
    figures = queries.kpis(hub.store, iso(hub.clock()))
    if as_json:
        print_json(figures)
    else:
        console.print_json(json.dumps(figures, default=str))


def status(as_json: bool = JSON) -> None:
    """What the hub owes right now: deliveries by state, dead letters, scheduled effects due."""
    hub = _hub()
    figures = queries.status(hub.store, hub.clock())
    if as_json:
        print_json(figures)
        return
    table = Table("", "")
    for name, value in figures["deliveries"].items():
        table.add_row(f"deliveries {name.replace('_', ' ')}", "" if value is None else str(value))
    table.add_row("scheduled effects due", str(figures["scheduled_due"]))
    table.add_row("exceptions open", str(figures["exceptions_open"]))
    console.print(f"store: {figures['store']}")
    console.print(table)


def lineage(correlation_id: str = typer.Argument(..., help="the correlation id of one business change"),
            as_json: bool = JSON) -> None:
    """Everything one business change caused: messages, effects, deliveries, exceptions and
    scheduled effects, each with the node that caused it, in time order."""
    tree = queries.lineage(_hub().store, correlation_id)
    if not tree["nodes"]:
        fail(f"nothing carries the correlation id {correlation_id!r}", "NOT_FOUND", 1)
    if as_json:
        print_json(tree)
        return
    table = Table("at", "kind", "id", "caused by", "system", "type", "entity", "status")
    for n in tree["nodes"]:
        table.add_row(n["at"] or "", n["kind"], n["id"].replace("\x1f", "/"), (n["parent"] or "").replace("\x1f", "/"),
                      n["system"] or "", n["event_type"] or "", n["entity_key"] or "", n["status"] or "")
    console.print(table)


def db_upgrade() -> None:
    """Apply the store's migrations (safe while other processes start)."""
    hub = _hub()
    console.print(f"store schema up to date ({hub.store.kind})")


def exceptions_list(status: str = typer.Option("open", "--status", help="open, resolved, replayed, all"),
                    kind: Optional[str] = typer.Option(None, "--kind", help="quarantine, dead_letter, alert"),
                    role: Optional[str] = typer.Option(None, "--role"),
                    code: Optional[str] = typer.Option(None, "--code"),
                    after: int = typer.Option(0, "--after", help="list from the exception after this id"),
                    limit: int = typer.Option(100, "--limit", min=1, max=1000), as_json: bool = JSON) -> None:
    """The exceptions waiting for someone (or all, with --status all), a page at a time."""
    page = _hub().exceptions.page(status, kind, role, code, after, limit)
    rows = page.rows
    if as_json:
        print_json({"exceptions": [{k: v for k, v in r.items() if k not in ("payload", "original_payload")}
                                   for r in rows], "more": page.more, "next_after": page.next_after})
        return
    table = Table("id", "kind", "status", "role", "type", "entity", "reasons", "seen")
    for r in rows:
        table.add_row(str(r["id"]), r["kind"], r["status"], r["owner_role"], r["event_type"] or "",
                      r["entity_key"] or "", "\n".join(f"{x['code']}: {x['message']}" for x in r["reasons"]),
                      str(r["times_seen"]))
    console.print(table)
    if page.more:
        console.print(f"more exceptions follow: `mfgsync exceptions list --after {page.next_after}`")


def exceptions_show(exception_id: int, as_json: bool = JSON) -> None:
    """One exception in full, with its raw payload."""
    try:
        row = _hub().exceptions.get(exception_id)
    except ExceptionError as exc:
        fail(str(exc), "NOT_FOUND", 1)
    if as_json:
        print_json(row)
    else:
        console.print_json(json.dumps(row, default=str))


def exceptions_resolve(exception_id: int, note: str = typer.Option("", "--note"),
                       actor: Optional[str] = typer.Option(None, "--as", help="who resolves it"),
                       as_json: bool = JSON) -> None:
    """Close an exception without replaying it."""
    _operate(lambda hub: hub.exceptions.resolve(exception_id, _actor(actor), note), as_json)


def exceptions_replay(exception_id: int,
                      data: Optional[Path] = typer.Option(None, "--data", help="JSON file: corrected data or envelope"),
                      actor: Optional[str] = typer.Option(None, "--as", help="who asks for the replay"),
                      as_json: bool = JSON) -> None:
    """Run a quarantined message through the pipeline again (after a fix), or requeue a dead letter."""
    corrected = None
    if data is not None:
        try:
            corrected = json.loads(data.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            fail(f"{data}: cannot read corrected JSON: {exc}", "MALFORMED_JSON")
        if not isinstance(corrected, dict):
            fail(f"{data}: the correction must be a JSON object", "MALFORMED_JSON")
    _operate(lambda hub: hub.exceptions.replay(exception_id, _actor(actor), corrected), as_json)


def exceptions_approve(exception_id: int, actor: Optional[str] = typer.Option(None, "--as", help="the approver"),
                       as_json: bool = JSON) -> None:
    """Approve a replay that waits for a second person, and carry it out."""
    _operate(lambda hub: hub.exceptions.approve(exception_id, _actor(actor)), as_json)


def _operate(action, as_json: bool) -> None:
    try:
        outcome = action(_hub())
    except ExceptionError as exc:
        fail(str(exc), exc.code)
    if as_json:
        print_json({"id": outcome.id, "status": outcome.status, "detail": outcome.detail})
    else:
        console.print(f"exception {outcome.id}: {outcome.status} ({outcome.detail})")


def audit_verify(anchor: Optional[Path] = typer.Option(None, "--anchor", help="a file `audit anchor --json` wrote"),
                 as_json: bool = JSON) -> None:
    """Check the audit chain: an edited, deleted, inserted or truncated row is reported, with a
    non-zero exit (see the README for what this proves and what it cannot)."""
    hub = _hub()
    result = queries.verify_audit(hub.store, audit_key(), _read_anchor(anchor) if anchor else None)
    if as_json:
        print_json({"ok": result.ok, "rows": result.rows, "problems": result.problems})
    elif result.ok:
        console.print(f"audit log intact: {result.rows} rows")
    else:
        err.print("\n".join(result.problems))
    if not result.ok:
        raise typer.Exit(1)


def _read_anchor(path: Path) -> tuple[int, str]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return int(document["seq"]), str(document["hash"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        fail(f"{path}: not an audit anchor ({exc})", "INPUT_INVALID")


def audit_anchor(as_json: bool = JSON) -> None:
    """The audit log's newest link: keep it apart from the store, and check later with
    `audit verify --anchor FILE` that the log still holds it unchanged."""
    head = queries.audit_anchor(_hub().store)
    if head is None:
        fail("the audit log is empty: nothing to anchor yet", "NOT_FOUND", 1)
    if as_json:
        print_json(head)
    else:
        console.print(f"row {head['seq']}: {head['hash']}")
