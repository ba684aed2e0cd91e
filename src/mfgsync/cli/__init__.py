"""The command line: one Typer app; each area of the hub registers its own commands."""

from __future__ import annotations

import typer

from mfgsync.cli import bench, engineering, formats, hub, keys, planning, reconcile, shop_floor, suppliers


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="mfgsync",
        help="mfgsync: keeps BOMs, inventory, purchase and production orders aligned across "
        "PLM, ERP, MES, WMS and suppliers.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def root() -> None:
        """mfgsync, the manufacturing integration hub."""

    for area in (hub, engineering, formats, planning, keys, reconcile, shop_floor, suppliers, bench):
        area.register(app)
    return app


def main() -> None:
    build_app()()
