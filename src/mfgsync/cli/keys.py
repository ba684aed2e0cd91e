"""`mfgsync keys create/list/revoke`: the API's keys, each with a role, stored hashed."""

from __future__ import annotations

from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from mfgsync.api.keys import ApiKeys, KeyProblem
from mfgsync.cli.hub import JSON, _actor, _hub
from mfgsync.cli.output import fail, print_json

console = Console()


def register(app: typer.Typer) -> None:
    keys = typer.Typer(help="API keys: each has a role; the key is shown once and stored hashed.",
                       no_args_is_help=True)
    keys.command("create")(create)
    keys.command("list")(list_keys)
    keys.command("revoke")(revoke)
    app.add_typer(keys, name="keys")


def _keys() -> ApiKeys:
    hub = _hub()
    return ApiKeys(hub.store, hub.clock)


def create(role: str = typer.Option(..., "--role", help="engineering, supply_chain, warehouse, planner, admin, "
                                    "or source:NAME (a source system: its own ingestion and webhooks only)"),
           name: str = typer.Option(..., "--name", help="the key's name, unique among active keys"),
           actor: Optional[str] = typer.Option(None, "--as", help="who creates it"), as_json: bool = JSON) -> None:
    """Create a key and print it, the only time it is shown."""
    try:
        text = _keys().create(name, role, _actor(actor).name)
    except KeyProblem as exc:
        fail(str(exc), exc.code)
    if as_json:
        print_json({"name": name, "role": role, "key": text})
    else:
        console.print(text, soft_wrap=True, highlight=False)
        Console(stderr=True).print(f"key {name} ({role}) created; it is shown only this once: keep it now")


def list_keys(as_json: bool = JSON) -> None:
    """Every key: name, role, status, who made it and when (never the key itself)."""
    found = _keys().list()
    if as_json:
        print_json({"keys": found})
        return
    table = Table("name", "role", "status", "created", "by", "revoked")
    for key in found:
        table.add_row(key["name"], key["role"], key["status"], key["created_at"], key["created_by"],
                      key.get("revoked_at") or "")
    console.print(table)


def revoke(name: str = typer.Argument(..., help="the key's name"),
           actor: Optional[str] = typer.Option(None, "--as", help="who revokes it"), as_json: bool = JSON) -> None:
    """Revoke a key: from now on every request with it is refused."""
    try:
        _keys().revoke(name, _actor(actor).name)
    except KeyProblem as exc:
        fail(str(exc), exc.code, 1 if exc.code == "NOT_FOUND" else 2)
    if as_json:
        print_json({"name": name, "status": "revoked"})
    else:
        console.print(f"key {name} revoked")
