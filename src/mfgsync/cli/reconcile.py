"""`mfgsync reconcile`: two snapshots compared, each difference explained from the hub's records."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from mfgsync.app import live_stock
from mfgsync.cli.hub import JSON, _actor, _hub
from mfgsync.cli.output import fail, print_json
from mfgsync.model.timestamps import as_utc

console = Console()


def register(app: typer.Typer) -> None:
    app.command("reconcile")(reconcile)


def _as_of(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        fail(f"--as-of {text!r} is not an ISO 8601 time", "INPUT_INVALID")
    if moment.tzinfo is None:
        fail(f"--as-of {text!r} carries no time zone (e.g. 2026-12-01T06:00:00Z)", "INPUT_INVALID")
    return as_utc(moment)


def reconcile(left: Optional[str] = typer.Option(None, "--left", help="a snapshot file, `hub` or `system:NAME`"),
              right: Optional[str] = typer.Option(None, "--right", help="a snapshot file, `hub` or `system:NAME`"),
              as_of: Optional[str] = typer.Option(None, "--as-of", help="the snapshots' time (ISO 8601, with zone)"),
              left_system: Optional[str] = typer.Option(None, "--left-system", help="whose codes the left rows carry"),
              right_system: Optional[str] = typer.Option(None, "--right-system", help="whose codes the right rows carry"),
              purchase_orders: bool = typer.Option(False, "--purchase-orders",
                                                   help="ERP purchase orders (--left, default `hub`) against "
                                                        "supplier acknowledgements and ASNs"),
              name: Optional[str] = typer.Option(None, "--name", help="keep the run under this name"),
              as_json: bool = JSON) -> None:
    """Compare two inventory snapshots (or purchase orders) and explain every variance."""
    # Imported here: polars loads only for the command that needs it, not for every command.
    from mfgsync.reconcile import results
    from mfgsync.reconcile.inventory import Side, reconcile as reconcile_inventory
    from mfgsync.reconcile.purchase_orders import reconcile as reconcile_orders
    from mfgsync.reconcile.snapshots import SnapshotError
    moment = _as_of(as_of)
    hub = _hub()
    try:
        if purchase_orders:
            if right:
                fail("--right is not used with --purchase-orders: the supplier side is the hub's "
                     "acknowledgements, ASNs and receipts", "INPUT_INVALID")
            result = reconcile_orders(hub.store, Side(left or "hub", left_system))
        else:
            if not left or not right:
                fail("--left and --right are both needed (a snapshot file, `hub` or `system:NAME`)", "INPUT_INVALID")
            result = reconcile_inventory(hub.store, hub.settings, Side(left, left_system), Side(right, right_system),
                                         moment, live_stock(hub.settings))
    except SnapshotError as exc:
        fail(str(exc), exc.code)
    kept = results.keep(hub.store, name or ("purchase-orders" if purchase_orders else "cli"), result, hub.clock,
                        _actor(None).name)
    if as_json:
        print_json({**result, "kept": kept})
        return
    _print(result, kept)


def _print(result: dict, kept: dict) -> None:
    table = Table("kind", "keys")
    for kind, n in result["summary"].items():
        table.add_row(kind, str(n))
    console.print(table)
    variances = Table("key", "kind", "left", "right", "uom", "cause", "evidence")
    for v in result["variances"][:50]:
        variances.add_row(" / ".join(str(x) for x in v["key"].values() if x is not None), v["kind"],
                          str(v["left_qty"]), str(v["right_qty"]), v.get("uom") or "", v["cause"],
                          ", ".join(v["evidence"]))
    console.print(variances)
    for side in ("left", "right"):
        for p in result.get(side, {}).get("problems", [])[:20]:
            console.print(f"{side} row {p['row']}: {p['field']}: {p['message']}", soft_wrap=True)
    console.print(f"kept as {kept['run']}; {kept['raised']} warehouse exceptions raised", soft_wrap=True)
