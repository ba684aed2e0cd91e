"""How every command prints: one JSON document on stdout with --json, errors on stderr."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any, NoReturn

import typer

from mfgsync.model.base import decimal_to_number


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_to_number(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(document: Any) -> str:
    return json.dumps(document, default=_default, ensure_ascii=False)


def print_json(document: Any) -> None:
    sys.stdout.write(dumps(document) + "\n")


def fail(message: str, code: str | None = None, exit_code: int = 2) -> NoReturn:
    """Report an error on stderr (with its reason code) and exit non-zero."""
    prefix = f"error [{code}]: " if code else "error: "
    sys.stderr.write(prefix + message + "\n")
    raise typer.Exit(exit_code)
