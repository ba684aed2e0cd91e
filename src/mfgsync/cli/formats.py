"""Commands for file formats: `parse`, `edi parse`, `edi render`."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import typer

from mfgsync.cli.output import fail, print_json
from mfgsync.formats import FormatError, decode, parse_any, parse_edi
from mfgsync.formats.partners import DEFAULT_PROFILE
from mfgsync.formats.receipt import parse_leniently

X12_TYPES = ("850", "855", "856", "810", "997")
EDIFACT_TYPES = ("ORDERS", "ORDRSP", "DESADV", "INVOIC", "CONTRL")


def _read_text(path: Path) -> str:
    try:
        return decode(path.read_bytes())
    except OSError as exc:
        fail(f"{path}: cannot read: {exc.strerror or exc}", "FILE_UNREADABLE")


def _format_failure(path: Path, exc: FormatError) -> None:
    exc.file = str(path)
    fail(str(exc), exc.code)


def _summary(result: dict[str, Any]) -> None:
    for interchange in result.get("interchanges", []):
        typer.echo(f"interchange {interchange['control_number']} {interchange['sender']} -> {interchange['receiver']}")
        for document in interchange["documents"]:
            typer.echo(f"  {document['type']:<7} {document.get('control_number', ''):<10} {document['entity']}")
    for document in result.get("documents", []):
        typer.echo(f"{document['type']}")


def _render(kind: str, data: Any, sender: str, receiver: str, control_number: int, version: str) -> str:
    from mfgsync.formats import edifact, x12

    now = datetime.now(timezone.utc)
    if kind in X12_TYPES:
        settings = x12.EnvelopeSettings(sender=sender, receiver=receiver, control_number=control_number,
                                        version=version, on=now.date(), at=now.time().replace(microsecond=0))
        return x12.render(kind, data, settings)
    settings = edifact.EnvelopeSettings(sender=sender, recipient=receiver, reference=str(control_number),
                                        on=now.date(), at=now.time().replace(microsecond=0))
    return edifact.render(kind, data, settings)


def register(app: typer.Typer) -> None:
    edi = typer.Typer(help="X12 and EDIFACT: parse into canonical documents, render from them.",
                      no_args_is_help=True)
    app.add_typer(edi, name="edi")

    @app.command("parse")
    def parse(path: Path = typer.Argument(..., help="file to read"),
              format: str = typer.Option("auto", "--format", help="auto, x12, edifact, b2mml or plm-csv"),
              as_json: bool = typer.Option(False, "--json", help="print one JSON document")) -> None:
        """Read any supported file into canonical documents without applying them."""
        text = _read_text(path)
        try:
            result = parse_any(text, format)
        except FormatError as exc:
            _format_failure(path, exc)
        print_json(result) if as_json else _summary(result)

    @edi.command("parse")
    def edi_parse(path: Path = typer.Argument(..., help="X12 or EDIFACT file"),
                  strict: bool = typer.Option(False, "--strict", help="refuse control-number and count "
                                              "mismatches in envelopes instead of warning about them"),
                  as_json: bool = typer.Option(False, "--json", help="print one JSON document")) -> None:
        """Parse X12 or EDIFACT (detected from content) into canonical documents.

        Read leniently: control-number and count mismatches in envelopes and trailers are
        printed as warnings (on stderr; in `warnings` with --json) and the documents still read;
        any other fault exits non-zero with its reason code, as --strict does for every fault."""
        text = _read_text(path)
        try:
            result = parse_edi(text) if strict else parse_leniently(text, DEFAULT_PROFILE)
        except FormatError as exc:
            _format_failure(path, exc)
        faults = [(i["control_number"], e) for i in result["interchanges"] for e in i.get("errors", [])]
        if faults:
            number, first = faults[0]
            fail(f"{path}: interchange {number}: {first}", first.split(":", 1)[0])
        for interchange in [] if as_json else result["interchanges"]:
            for warning in interchange.get("warnings", []):
                typer.echo(f"{path}: interchange {interchange['control_number']}: warning {warning}", err=True)
        print_json(result) if as_json else _summary(result)

    @edi.command("render")
    def edi_render(kind: str = typer.Option(..., "--type", help="850/855/856/810/997 or ORDERS/ORDRSP/DESADV/INVOIC/CONTRL"),
                   json_in: Path = typer.Option(..., "--json-in", help="canonical JSON: the entity, or {\"data\": entity}"),
                   sender: str = typer.Option("SENDER", help="interchange sender id"),
                   receiver: str = typer.Option("RECEIVER", help="interchange receiver id"),
                   control_number: int = typer.Option(1, help="interchange control number / reference"),
                   version: str = typer.Option("004010", help="X12 version: 004010 or 005010")) -> None:
        """Render canonical JSON as EDI text on stdout."""
        kind = kind.upper()
        if kind not in X12_TYPES + EDIFACT_TYPES:
            fail(f"unknown document type {kind!r}", "EDI_UNSUPPORTED_MESSAGE")
        try:
            document = json.loads(_read_text(json_in))
        except json.JSONDecodeError as exc:
            fail(f"{json_in}: not JSON: {exc}", "MALFORMED_JSON")
        if isinstance(document, dict) and isinstance(document.get("data"), dict):
            document = document["data"]
        if not isinstance(document, dict):
            fail(f"{json_in}: expected a JSON object", "MALFORMED_JSON")
        if version not in ("004010", "005010"):
            fail(f"unsupported X12 version {version!r}", "EDI_UNSUPPORTED_MESSAGE")
        try:
            text = _render(kind, document, sender, receiver, control_number, version)
        except FormatError as exc:
            _format_failure(json_in, exc)
        typer.echo(text, nl=False)
