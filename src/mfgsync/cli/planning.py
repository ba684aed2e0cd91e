"""Commands for planning: `plan mrp` on a contract file or on the hub's own data."""

from __future__ import annotations

import sys
from datetime import date, datetime, timezone
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, NamedTuple, Optional

import typer

from mfgsync.cli.output import fail

if TYPE_CHECKING:  # the planning modules load numpy, polars and pyarrow: only the commands import them
    import polars as pl

    from mfgsync.planning.calendar import BucketCalendar
    from mfgsync.planning.checked import CheckedInput
    from mfgsync.planning.model import MrpInput, MrpPlan
    from mfgsync.planning.peg_table import PegTable, Stock

MAX_INPUT_BYTES = 512 * 1024 * 1024
PEGGING = ("single", "full", "none")
RECORDS = ("all", "active", "none")  # which items' records are written (planning.output.record_rows)


class Run(NamedTuple):
    plan: MrpPlan
    stock: Stock
    input: MrpInput | None  # rows: from a file, built only when full pegging asks for them
    checked: CheckedInput | None = None


INPUT = typer.Option(None, "--input", help="MRP input document (JSON, DESIGN.md section 5)")
FROM_STORE = typer.Option(False, "--from-store", help="plan the hub's current items, BOMs, stock and orders")
PLANT = typer.Option("P1", "--plant", help="with --from-store: the plant planned")
START = typer.Option(None, "--start", help="with --from-store: first day of bucket 1 (default today, UTC)")
PERIODS = typer.Option(52, "--periods", min=1, max=1000, help="with --from-store: buckets in the horizon")
BUCKET_DAYS = typer.Option(7, "--bucket-days", min=1, help="with --from-store: days per bucket")
DEMANDS_HELP = "with --from-store: end demands (JSON list)"


def register(app: typer.Typer) -> None:
    plan_app = typer.Typer(help="Planning: MRP on the contract's input or on the hub's data.", no_args_is_help=True)

    @plan_app.command("mrp")
    def mrp(
        input: Optional[Path] = INPUT, from_store: bool = FROM_STORE, plant: str = PLANT,
        start: Optional[str] = START, periods: int = PERIODS, bucket_days: int = BUCKET_DAYS,
        demands: Optional[Path] = typer.Option(None, "--demands", "--demand", help=DEMANDS_HELP),
        as_json: bool = typer.Option(False, "--json", help="print the plan as one JSON document"),
        output: Optional[Path] = typer.Option(None, "--output", help="write Parquet: FILE.parquet (planned orders) or a folder of tables"),
        records: str = typer.Option("all", "--records", help="records of all items, only active ones, or none"),
        pegging: str = typer.Option("single", "--pegging", help="single-level pegging, full (every level: small plants), or none"),
    ) -> None:
        """Regenerative MRP: planned orders, records by bucket, exceptions and pegging."""
        from mfgsync.planning.model import MrpInputError

        _one_of(records, RECORDS, "--records")
        _one_of(pegging, PEGGING, "--pegging")
        try:
            run = _run(input, from_store, plant, start, periods, bucket_days, demands, keep=True,
                       rows=pegging == "full")
            pegs = _single_level(run) if pegging != "none" else (lambda: None)
            if output:
                _write_parquet(output, run, records, pegs, full=pegging == "full")
            if as_json:
                _write_json(run, records, pegs(), full=pegging == "full")
            elif not output:
                _print_tables(run.plan, records)
        except MrpInputError as exc:
            fail(str(exc), exc.code)

    @plan_app.command("peg")
    def peg_command(
        item_id: Optional[str] = typer.Argument(None, metavar="ITEM",
                                                help="the item whose supplies are traced up to end demands"),
        demand: Optional[str] = typer.Option(None, "--demand",
                                             help="the end demand traced down: its ref, or its index in the demand list"),
        input: Optional[Path] = INPUT, from_store: bool = FROM_STORE, plant: str = PLANT,
        start: Optional[str] = START, periods: int = PERIODS, bucket_days: int = BUCKET_DAYS,
        demands: Optional[Path] = typer.Option(None, "--demands", help=DEMANDS_HELP),
        as_json: bool = typer.Option(False, "--json", help="print the tracing as one JSON document"),
    ) -> None:
        """Multi-level pegging of one item (up to the end demands) or one end demand (down to every supply)."""
        import msgspec

        from mfgsync.planning.model import MrpInputError
        from mfgsync.planning.tracing import trace_demand, trace_item

        if (item_id is None) == (demand is None):
            fail("give either an ITEM or --demand ID", "MRP_INPUT_INVALID")
        try:
            run = _run(input, from_store, plant, start, periods, bucket_days, demands, keep=False, rows=True)
            tracer = _tracer(run, item_id=item_id, demand=demand)
            document = trace_item(tracer, item_id) if item_id is not None else trace_demand(tracer, demand)
        except MrpInputError as exc:
            fail(str(exc), exc.code)
        if as_json:
            sys.stdout.buffer.write(msgspec.json.encode(document) + b"\n")
        else:
            _print_tracing(document)

    app.add_typer(plan_app, name="plan")


def _run(input: Path | None, from_store: bool, plant: str, start: str | None, periods: int, bucket_days: int,
         demands: Path | None, keep: bool, rows: bool) -> Run:
    """The plan of a file or of the store (kept there if `keep`); `rows`: the input's rows will
    be asked for, so a file's columns are held (otherwise they are let go once planned)."""
    if (input is None) == (not from_store):
        fail("give either --input FILE or --from-store", "MRP_INPUT_INVALID")
    _system_allocator()
    if input:
        return _from_file(input, rows)
    return _from_hub(plant, _start(start), periods, bucket_days, demands, keep)


def _system_allocator() -> None:
    """Arrow's buffers from the C allocator, not its own: jemalloc reserves address space in
    large arenas, which a planner running the command under an address-space limit (ulimit -v)
    pays for with a crash long before the plan needs the memory."""
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())


def _single_level(run: Run):
    """The plan's single-level pegging, worked out the first time it is asked for."""
    from mfgsync.planning.peg_table import peg_table

    return cache(lambda: peg_table(run.plan, run.stock))


def _write_json(run: Run, records: str, table: PegTable | None, full: bool) -> None:
    from mfgsync.planning.full_pegging import full_pegging_pieces
    from mfgsync.planning.output import plan_json

    section = full_pegging_pieces(_full_pegging(run, table)) if full else table
    for piece in plan_json(run.plan, records, section):
        sys.stdout.buffer.write(piece)
    sys.stdout.flush()


def _full_pegging(run: Run, table: PegTable):
    from mfgsync.planning.full_pegging import FullPegging

    return FullPegging(_tracer(run, table))


def _tracer(run: Run, table: PegTable | None = None, item_id: str | None = None, demand: str | None = None):
    """Tracing in floats (to six places); a whole plant from a file reads its BOM lines from the
    checked columns' arrays, so no object is built per line. Without a table, one item's or one
    end demand's trace builds the single-level pegging of the items it visits alone."""
    from mfgsync.planning.peg_table import peg_table
    from mfgsync.planning.tracing import Tracer, items_to_trace

    lines = run.checked.arrays() if run.checked is not None else None
    inp = run.checked.demands_only() if lines is not None else _rows(run)
    if table is None:
        table = peg_table(run.plan, run.stock, items_to_trace(inp, run.plan, lines, item_id, demand))
    return Tracer(inp, run.plan, table, exact=False, lines=lines)


def _rows(run: Run) -> MrpInput:
    """The input as rows: from the store it is at hand, from a file it is built from the columns."""
    return run.input if run.input is not None else run.checked.mrp_input()


def _one_of(value: str, allowed: tuple, option: str) -> None:
    if value not in allowed:
        fail(f"{option} must be one of {', '.join(allowed)}, got {value!r}", "MRP_INPUT_INVALID")


def _start(text: str | None) -> date:
    if text is None:
        return datetime.now(timezone.utc).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--start must be a date (YYYY-MM-DD), got {text!r}", "MRP_INPUT_INVALID")


def _from_file(path: Path, rows: bool) -> Run:
    from mfgsync.planning.contract import read_mrp_json
    from mfgsync.planning.engine import run_checked

    checked = read_mrp_json(_read(path))
    plan, stock = run_checked(checked)
    return Run(plan, stock, None, checked if rows else None)


def _from_hub(plant: str, start: date, periods: int, bucket_days: int, demand: Path | None, keep: bool) -> Run:
    """Plan the plant from one consistent view of the store; keep the plan there if asked."""
    from mfgsync.app import build_hub
    from mfgsync.planning.calendar import BucketCalendar
    from mfgsync.planning.from_store import plan_from_source, read_end_demands
    from mfgsync.planning.peg_table import stock_of_input
    from mfgsync.store.planning_source import StorePlanningSource

    calendar = BucketCalendar(start=start, bucket_days=bucket_days, periods=periods)
    demands = read_end_demands(_read(demand)) if demand else []
    hub = build_hub()
    try:
        with hub.store.reading() as read:
            planned = plan_from_source(StorePlanningSource(read, hub.settings), calendar, plant, demands)
        if keep:
            _keep(hub, planned, calendar, plant)
    finally:
        hub.close()
    return Run(planned.plan, stock_of_input(planned.input, planned.plan), planned.input)


def _keep(hub, planned, calendar: BucketCalendar, plant: str) -> None:
    from mfgsync.pipeline.plan_results import keep_plan, po_line_pegging
    from mfgsync.planning.proposals import proposals_and_exceptions

    proposals, exceptions = proposals_and_exceptions(planned.input, planned.plan, calendar, plant)
    kept = keep_plan(hub.store, plant, proposals, exceptions, hub.clock, actor="planner",
                     pegging=po_line_pegging(planned.input, planned.plan, calendar, plant, proposals))
    typer.echo(f"kept: {kept.proposed} requisition proposals new or changed, {kept.unchanged} unchanged, "
               f"{kept.withdrawn} withdrawn; {kept.raised} planner exceptions raised, {kept.already_open} "
               f"already open, {kept.resolved} resolved (no longer raised)", err=True)


def _write_parquet(path: Path, run: Run, records: str, pegs, full: bool) -> None:
    """FILE.parquet gets the planned orders; a folder gets every table of the plan."""
    from mfgsync.planning.output import plan_tables

    tables = plan_tables(run.plan, records, pegs)
    try:
        if path.suffix == ".parquet":
            path.parent.mkdir(parents=True, exist_ok=True)
            _, orders = next(tables)
            orders.write_parquet(path, compression_level=PARQUET_LEVEL)
            return
        path.mkdir(parents=True, exist_ok=True)
        _write_tables(path, tables)
        if full:
            _write_end_demands(path / "end_demands.parquet", run, pegs())
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}", "FILE_UNREADABLE")


PARQUET_LEVEL = 1  # zstd's fastest level: files a little larger, written in half the time


def _write_tables(folder: Path, tables: Iterable[tuple[str, pl.DataFrame]]) -> None:
    """Each table written in a second thread while the next is worked out (polars writes
    without holding the interpreter, and most of the work on the next is numpy's)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as writer:
        written = [writer.submit(table.write_parquet, folder / f"{name}.parquet",
                                               compression_level=PARQUET_LEVEL) for name, table in tables]
    for done in written:
        done.result()  # an error writing any table is raised here


def _write_end_demands(path: Path, run: Run, table: PegTable) -> None:
    """Full pegging's table, written a block of end demands at a time (never held whole)."""
    import pyarrow.parquet as pq

    from mfgsync.planning.full_pegging import end_demand_tables

    writer = None
    try:
        for block in end_demand_tables(_full_pegging(run, table)):
            writer = writer or pq.ParquetWriter(path, block.schema, compression="zstd")
            writer.write_table(block)
    finally:
        if writer is not None:
            writer.close()


def _read(path: Path) -> bytes:
    from mfgsync.planning.contract import UNREADABLE
    from mfgsync.planning.model import MrpInputError

    try:
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise MrpInputError(UNREADABLE, f"{path} is larger than {MAX_INPUT_BYTES} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise MrpInputError(UNREADABLE, f"cannot read {path}: {exc.strerror or exc}") from None


def _print_tables(plan: MrpPlan, records: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from mfgsync.planning.model import RECORD_ROWS
    from mfgsync.planning.output import plan_tables

    console = Console()
    tables = dict(plan_tables(plan, records))
    if "records" in tables:
        for (item_id,), rows in tables["records"].group_by("item_id", maintain_order=True):
            table = Table(title=f"{item_id} (low-level code {plan.low_level_codes[plan.row_of(item_id)]})")
            table.add_column("")
            for bucket in range(1, plan.periods + 1):
                table.add_column(str(bucket), justify="right")
            for name in RECORD_ROWS:
                table.add_row(name.replace("_", " "), *(str(v) for v in rows[name].to_list()))
            console.print(table)
    for title, name, columns in (
            ("planned orders", "planned_orders", {"item_id": "item", "release_period": "release",
                                                  "due_period": "due", "qty": "qty"}),
            ("exceptions", "exceptions", {"item_id": "item", "kind": "kind", "period": "period",
                                          "detail": "detail"})):
        table = Table(title=title)
        for label in columns.values():
            table.add_column(label)
        for row in tables[name].select(list(columns)).iter_rows():
            table.add_row(*(str(v) for v in row))
        console.print(table)


def _print_tracing(document: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if "demand" in document:
        table = Table(title=f"end demand {document['demand']} ({document['ref'] or 'no ref'}): "
                            f"{document['demand_qty']} {document['item_id']} in period {document['period']}")
        for label in ("item", "supply", "index", "period", "qty", "serves"):
            table.add_column(label)
        for s in document["supplies"]:
            table.add_row(*(str(s[k]) for k in ("item_id", "supply", "index", "period", "qty", "serves")))
    else:
        table = Table(title=f"{document['item_id']}: its supplies and the end demands they serve")
        for label in ("supply", "index", "period", "qty", "end demands", "rest"):
            table.add_column(label)
        for s in document["supplies"]:
            ends = ", ".join(f"{d['qty']} to {d['ref'] or 'demand ' + str(d['demand'])}" for d in s["end_demands"])
            table.add_row(*(str(s[k]) for k in ("supply", "index", "period", "qty")), ends, str(s["rest"]))
    console.print(table)
