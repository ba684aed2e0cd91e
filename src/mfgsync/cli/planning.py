"""Commands for planning: `plan mrp`."""

import typer


def register(app: typer.Typer) -> None:
    pass
