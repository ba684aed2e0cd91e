"""Commands for engineering change: what a release would do before it moves anything."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from mfgsync import queries
from mfgsync.adapters.decode import decode
from mfgsync.adapters.files import read_messages
from mfgsync.cli.hub import JSON, _hub
from mfgsync.cli.output import fail, print_json
from mfgsync.envelope import EventType
from mfgsync.model import entities as m

console = Console()


def register(app: typer.Typer) -> None:
    eco = typer.Typer(help="Engineering changes: their impact on open orders.", no_args_is_help=True)
    eco.command("simulate")(simulate)
    eco.command("status")(status)
    app.add_typer(eco, name="eco")


def _releases(path: Path) -> tuple[list[m.Bom], m.EngineeringChange | None]:
    """The BOM releases and the ECO in a file of envelopes or a PLM CSV; a coded error otherwise."""
    boms, eco = [], None
    for raw in read_messages(path):
        d = raw if not isinstance(raw, (str, bytes, dict)) else decode(raw, 4 * 1024 * 1024)
        if not d.ok:
            reasons = "; ".join(f"{f.code}: {f.message}" for f in d.findings) or "unreadable"
            fail(f"{path}: a message cannot be read ({reasons})", d.findings[0].code if d.findings else "INPUT_INVALID")
        if d.envelope.type == EventType.bom_released:
            boms.append(d.entity)
        elif d.envelope.type == EventType.eco_approved:
            eco = d.entity
    if not boms:
        fail(f"{path}: no BOM release to simulate", "INPUT_INVALID")
    return boms, eco


def simulate(path: Path = typer.Argument(..., help="envelopes (JSON lines) or a PLM CSV export"),
             as_of: Optional[str] = typer.Option(None, "--as-of", help="the date to judge from (default today, UTC)"),
             as_json: bool = JSON) -> None:
    """The whole impact of a BOM release or ECO on the hub's current state, writing nothing."""
    if not path.is_file():
        fail(f"{path}: no such file", "FILE_NOT_FOUND")
    try:
        day = date.fromisoformat(as_of) if as_of else datetime.now(timezone.utc).date()
    except ValueError:
        fail(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)", "INPUT_INVALID")
    boms, eco = _releases(path)
    result = queries.eco_impact(_hub().store, boms, eco, day)
    if as_json:
        print_json(result)
        return
    console.print(f"ECO {result['eco_id'] or '-'}, effective {result['effective_from'] or '-'}, as of {result['as_of']}")
    for title, rows, columns in (
            ("BOM changes", [{**c, "item_id": b["item_id"]} for b in result["boms"] for c in b["changes"]],
             ("item_id", "component_id", "change", "old_qty_per", "new_qty_per")),
            ("production orders", result["production_orders"], ("order_id", "status", "start_date", "action", "new_revision")),
            ("purchase actions", result["purchase_actions"], ("po_number", "line_no", "item_id", "action", "open_qty", "new_qty")),
            ("at risk", result["at_risk"], ("item_id", "qty", "need_date", "available_date", "days_late", "supplier_id"))):
        table = Table(*columns, title=title)
        for row in rows:
            table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
        console.print(table)


def status(eco_id: str = typer.Argument(..., help="the ECO's id (its correlation id)"), as_json: bool = JSON) -> None:
    """How far an ECO got into each target and plant: pending, delivered, confirmed or failed."""
    result = queries.eco_status(_hub().store, eco_id)
    if result is None:
        fail(f"nothing carries the ECO id {eco_id!r}", "NOT_FOUND", 1)
    if as_json:
        print_json(result)
        return
    table = Table("target", "plant", "status", "delivered", "confirmed", title=f"ECO {eco_id}")
    for row in result["targets"]:
        table.add_row(row["target"], row["plant_id"] or "*", row["status"], row["delivered_at"] or "",
                      row["confirmed_at"] or "")
    console.print(table)
    if result["latency_seconds"] is not None:
        console.print(f"release to every target confirmed: {result['latency_seconds']:g} s")
