"""Commands for the hub itself: serve, ingest, work, get, exceptions, audit, kpi."""

import typer


def register(app: typer.Typer) -> None:
    pass
