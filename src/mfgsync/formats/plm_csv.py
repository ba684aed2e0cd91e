"""PLM indented BOM export (CSV) <-> one Bom per parent, and its routings.

Columns: level, item_id, revision, description, qty_per, uom, scrap_pct, alternate_group,
alternate_priority, effective_from, effective_to. Level 0 is a released assembly; a row at
level n+1 is a component of the nearest row above it at level n, which is then a parent with a
BOM of its own. Errors name the row (the header is row 1) and the column.

A PLM that exports the process plan with the structure adds the columns op_no, work_center,
setup_minutes, run_minutes_per_unit and instruction_ref: a row with an `op_no` is then an
operation of the nearest row above it one level up (its description is the operation's; it has
no item_id), and the operations of a parent are the routing of the parent's revision, effective
like its BOM. The whole file is one release.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

from mfgsync.formats.canonical import build
from mfgsync.formats.errors import FormatError, check_size
from mfgsync.formats.values import decimal
from mfgsync.model.entities import Bom, Operation, Routing
from mfgsync.model.units import UnitError, normalize_uom

COLUMNS = ("level", "item_id", "revision", "description", "qty_per", "uom", "scrap_pct", "alternate_group",
           "alternate_priority", "effective_from", "effective_to")
ROUTING_COLUMNS = ("op_no", "work_center", "setup_minutes", "run_minutes_per_unit", "instruction_ref")
_REQUIRED = ("level", "item_id", "revision", "qty_per", "uom")
MAX_DEPTH = 50
LINE_STEP = 10


def _cell_error(row: int, column: str, message: str) -> FormatError:
    return FormatError("PLM_CSV_VALUE", message, line=row, column=column)


class _Row:
    """One CSV row with typed accessors that name the row and column on failure."""

    def __init__(self, number: int, values: dict[str, str]):
        self.number, self.values = number, values

    def text(self, column: str) -> str | None:
        return (self.values.get(column) or "").strip() or None

    def required(self, column: str) -> str:
        value = self.text(column)
        if value is None:
            raise _cell_error(self.number, column, f"{column} is empty")
        return value

    def number_(self, column: str, default: Decimal | None = None) -> Decimal | None:
        value = self.text(column)
        if value is None:
            return default
        try:
            return decimal(value, column)
        except FormatError as exc:
            if exc.code == "NUMBER_OUT_OF_RANGE":  # a number, but outside the hub's range: say so
                raise FormatError(exc.code, exc.message, line=self.number, column=column) from None
            raise _cell_error(self.number, column, f"{value[:60]!r} is not a number") from None

    def integer(self, column: str) -> int | None:
        value = self.text(column)
        if value is not None and not (value.isdigit() and value.isascii() and len(value) < 10):
            raise _cell_error(self.number, column, f"{value!r} is not a whole number")
        return int(value) if value is not None else None

    def day(self, column: str) -> date | None:
        value = self.text(column)
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            raise _cell_error(self.number, column, f"{value!r} is not an ISO 8601 date") from None

    def unit(self) -> str:
        try:
            return normalize_uom(self.required("uom"))
        except UnitError as exc:
            raise FormatError(exc.code, str(exc), line=self.number, column="uom") from None


def read(text: str) -> list[Bom]:
    """One Bom per parent item (the level-0 assemblies and every sub-assembly), in file order."""
    return read_release(text)[0]


def read_release(text: str) -> tuple[list[Bom], list[Routing]]:
    """The BOMs of the file, and the routings of the parents that have operations."""
    check_size(text)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    boms: dict[tuple[str, str], dict[str, Any]] = {}
    routings: dict[tuple[str, str], dict[str, Any]] = {}
    path: list[_Row] = []  # the row at each level above the current one
    try:
        header = [name.strip() for name in (reader.fieldnames or [])]
        missing = [c for c in _REQUIRED if c not in header]
        if missing:
            raise FormatError("PLM_CSV_HEADER", f"the header lacks {', '.join(missing)}", line=1)
        reader.fieldnames = header
        for number, values in enumerate(reader, 2):
            row = _Row(number, values)
            if not any((v or "").strip() for v in values.values() if isinstance(v, str)):
                continue  # blank line
            _place(row, path, boms, routings)
    except csv.Error as exc:
        raise FormatError("PLM_CSV_VALUE", f"unreadable CSV: {exc}", line=reader.line_num) from None
    for bom in boms.values():
        for index, line in enumerate(bom["lines"], 1):
            line["line_no"] = LINE_STEP * index
    return [build(Bom, bom) for bom in boms.values()], [build(Routing, r) for r in routings.values()]


def _place(row: _Row, path: list[_Row], boms: dict[tuple[str, str], dict[str, Any]],
           routings: dict[tuple[str, str], dict[str, Any]]) -> None:
    level = row.integer("level")
    if level is None:
        raise _cell_error(row.number, "level", "level is empty")
    if level > len(path) or level > MAX_DEPTH:
        if not path:
            raise FormatError("PLM_CSV_NO_ASSEMBLY", "a component comes before any level-0 assembly",
                              line=row.number, column="level")
        raise FormatError("PLM_CSV_LEVEL", f"level {level} follows level {len(path) - 1}: a level was skipped",
                          line=row.number, column="level")
    del path[level:]
    if row.text("op_no") is not None:
        if level == 0:
            raise _cell_error(row.number, "level", "an operation needs the item it makes on the level above")
        _routing_of(path[-1], routings)["operations"].append(_operation(row))
        return
    item = row.required("item_id")
    if level == 0:
        _bom_of(row, boms)
    else:
        _bom_of(path[-1], boms)["lines"].append(_line(row, item))
    path.append(row)


def _routing_of(parent: _Row, routings: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    key = (parent.required("item_id"), parent.required("revision"))
    return routings.setdefault(key, {"item_id": key[0], "revision": key[1], "status": "released",
                                     "effective_from": parent.day("effective_from"),
                                     "effective_to": parent.day("effective_to"), "operations": []})


def _operation(row: _Row) -> dict[str, Any]:
    return {"op_no": row.integer("op_no"), "work_center": row.required("work_center"),
            "description": row.text("description"), "setup_minutes": row.number_("setup_minutes", Decimal(0)),
            "run_minutes_per_unit": row.number_("run_minutes_per_unit", Decimal(0)),
            "instruction_ref": row.text("instruction_ref")}


def _bom_of(parent: _Row, boms: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    """The BOM a parent row heads (its revision is required once it has components)."""
    key = (parent.required("item_id"), parent.required("revision"))
    return boms.setdefault(key, {"item_id": key[0], "revision": key[1], "status": "released",
                                 "effective_from": parent.day("effective_from"),
                                 "effective_to": parent.day("effective_to"), "lines": []})


def _line(row: _Row, item: str) -> dict[str, Any]:
    row.required("qty_per")
    return {"line_no": 0, "component_id": item, "qty_per": row.number_("qty_per"), "uom": row.unit(),
            "scrap_pct": row.number_("scrap_pct", Decimal(0)), "alternate_group": row.text("alternate_group"),
            "alternate_priority": row.integer("alternate_priority"),
            "effective_from": row.day("effective_from"), "effective_to": row.day("effective_to")}


def write(boms: list[Bom], routings: list[Routing] = ()) -> str:
    """The indented CSV of `boms`: each top-level BOM with its sub-assemblies expanded under it,
    and each parent's operations (of `routings`, same item and revision) after its components."""
    by_item = {bom.item_id: bom for bom in boms}
    operations = {(r.item_id, r.revision): r.operations for r in routings}
    components = {line.component_id for bom in boms for line in bom.lines}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS + (ROUTING_COLUMNS if routings else ()))
    for bom in boms:
        if bom.item_id in components:
            continue
        writer.writerow([0, bom.item_id, bom.revision, "", "", "", "", "", "", _iso(bom.effective_from),
                         _iso(bom.effective_to)])
        _write_lines(writer, bom, by_item, operations, 1)
    return out.getvalue()


def _write_lines(writer: Any, bom: Bom, by_item: dict[str, Bom], operations: dict[tuple[str, str], list[Operation]],
                 level: int) -> None:
    if level > MAX_DEPTH:
        raise FormatError("PLM_CSV_LEVEL", f"BOM structure under {bom.item_id} is deeper than {MAX_DEPTH} (a cycle?)")
    for line in bom.lines:
        child = by_item.get(line.component_id)
        revision = child.revision if child else ""
        writer.writerow([level, line.component_id, revision, "", _num(line.qty_per), line.uom, _num(line.scrap_pct),
                         line.alternate_group or "", "" if line.alternate_priority is None else line.alternate_priority,
                         _iso(line.effective_from), _iso(line.effective_to)])
        if child:
            _write_lines(writer, child, by_item, operations, level + 1)
    for op in operations.get((bom.item_id, bom.revision), ()):
        writer.writerow([level, "", "", op.description or "", "", "", "", "", "", "", "", op.op_no, op.work_center,
                         _num(op.setup_minutes), _num(op.run_minutes_per_unit), op.instruction_ref or ""])


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"
