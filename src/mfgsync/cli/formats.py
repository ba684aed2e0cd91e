"""Commands for file formats: `parse`, `edi parse`, `edi render`."""

import typer


def register(app: typer.Typer) -> None:
    pass
