"""Commands for planning: `plan mrp`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from mfgsync.cli.output import fail, print_json
from mfgsync.planning.contract import UNREADABLE, parse_mrp_json, plan_document
from mfgsync.planning.engine import run_mrp
from mfgsync.planning.model import MrpInputError, MrpPlan, RECORD_ROWS
from mfgsync.planning.pegging import peg, pegging_document

MAX_INPUT_BYTES = 512 * 1024 * 1024


def register(app: typer.Typer) -> None:
    plan_app = typer.Typer(help="Planning: MRP on the contract's input.", no_args_is_help=True)

    @plan_app.command("mrp")
    def mrp(
        input: Path = typer.Option(..., "--input", help="MRP input document (JSON, DESIGN.md section 5)"),
        as_json: bool = typer.Option(False, "--json", help="print the plan as one JSON document"),
        pegging: bool = typer.Option(True, "--pegging/--no-pegging",
                                     help="add the pegging of every order to end demands (slow on whole plants)"),
    ) -> None:
        """Regenerative MRP: planned orders, records by bucket, exceptions and pegging."""
        try:
            inp = parse_mrp_json(_read(input))
            plan = run_mrp(inp)
            document = plan_document(plan)
            if pegging:
                document["pegging"] = pegging_document(peg(inp, plan))
        except MrpInputError as exc:
            fail(str(exc), exc.code)
        if as_json:
            print_json(document)
        else:
            _print_tables(plan, document)

    app.add_typer(plan_app, name="plan")


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise MrpInputError(UNREADABLE, f"{path} is larger than {MAX_INPUT_BYTES} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise MrpInputError(UNREADABLE, f"cannot read {path}: {exc.strerror or exc}") from None


def _print_tables(plan: MrpPlan, document: dict) -> None:
    console = Console()
    buckets = [str(t) for t in range(1, plan.periods + 1)]
    for item_id, record in document["records"].items():
        table = Table(title=f"{item_id} (low-level code {plan.low_level_codes[plan.row_of(item_id)]})")
        table.add_column("")
        for bucket in buckets:
            table.add_column(bucket, justify="right")
        for name in RECORD_ROWS:
            table.add_row(name.replace("_", " "), *(str(v) for v in record[name]))
        console.print(table)
    orders = Table(title="planned orders")
    for column in ("item", "release", "due", "qty"):
        orders.add_column(column)
    for order in document["planned_orders"]:
        orders.add_row(order["item_id"], str(order["release_period"]), str(order["due_period"]), str(order["qty"]))
    console.print(orders)
    exceptions = Table(title="exceptions")
    for column in ("item", "kind", "period", "detail"):
        exceptions.add_column(column)
    for exception in document["exceptions"]:
        exceptions.add_row(exception["item_id"], exception["kind"], str(exception["period"]), exception["detail"])
    console.print(exceptions)
