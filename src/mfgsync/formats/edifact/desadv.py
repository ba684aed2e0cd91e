"""DESADV <-> ShipNotice. A line reaches its order line through RFF+ON (order number and line),
never through its own LIN number; the SSCC is the package's GIN+BJ, the lot a GIN+BX or PIA batch."""

from __future__ import annotations

from typing import Any

from mfgsync.formats.canonical import NOT_GIVEN, build, build_lines
from mfgsync.formats.edifact.common import (ORDER_LINES, Context, collect_ids, dtm, line_ids, party, quantity,
                                            supplier_of, write_dtm, write_item, write_party, write_qty)
from mfgsync.formats.edifact.syntax import Segment, component, components
from mfgsync.formats.errors import FormatError
from mfgsync.formats.walking import walk
from mfgsync.model.entities import ShipNotice, ShipNoticeLine

_DESPATCHED = ("12", "1", "21")
_ARRIVAL = ("17", "132", "2", "69")
_DATES = ("11", *_ARRIVAL)
_SSCC, _BATCH = "BJ", "BX"
# A line's fields as its row holds them (canonical.build_lines): a LIN opens the row with its
# package's SSCC, the next CPS or LIN (or the end) closes it with its item numbers and order.
_LINE = ("sscc", "po_number", "po_line_no", "item_id", "supplier_item_id", "qty", "uom", "lot_id")
_PO_NUMBER, _PO_LINE_NO, _ITEM, _SUPPLIER_ITEM, _QTY, _UOM, _LOT = range(1, len(_LINE))


def read(segments: list[Segment], first: int, ctx: Context) -> ShipNotice:
    header: dict[str, Any] = {}
    lines: list[list[Any]] = []  # one row per LIN, fields as _LINE
    parties: dict[str, str] = {}
    ids: dict[str, str] = {}
    package: dict[str, Any] = {}
    order_ref: dict[str, str] = {}
    line_open = False  # the last line is not closed yet

    def bgm(s: Segment) -> None:
        header["asn_id"] = component(s, 2)

    def date_(s: Segment) -> None:
        qualifier, value = dtm(s, _DATES)
        if lines or not value:
            return
        if qualifier == "11":
            header["ship_date"] = value
        elif qualifier in _ARRIVAL:
            header["expected_arrival"] = value

    def rff(s: Segment) -> None:
        element = s[1] if len(s) > 1 else ""
        qualifier, value, line = element if type(element) is list and len(element) == 3 else components(s, 1, 3)
        if qualifier == "ON" and lines:
            lines[-1][_PO_NUMBER] = value
            if line:
                lines[-1][_PO_LINE_NO] = ORDER_LINES[line]
        elif qualifier == "ON":
            order_ref["po_number"] = value
        elif qualifier in ("CN", "BM") and not lines:
            header.setdefault("tracking_number", value)

    def tdt(s: Segment) -> None:
        header.setdefault("carrier", component(s, 5, 0) or component(s, 5, 3) or None)

    def cps(s: Segment) -> None:
        _close_line()
        package.clear()

    def gin(s: Segment) -> None:
        qualifier, value = component(s, 1), component(s, 2, 0)
        if qualifier == _SSCC:
            if not line_open:  # an open line has its package's SSCC (or none) already
                package.setdefault("sscc", value)
        elif qualifier == _BATCH and lines and lines[-1][_LOT] is NOT_GIVEN:
            lines[-1][_LOT] = value

    def lin(s: Segment) -> None:
        nonlocal line_open
        _close_line()
        lines.append([package.get("sscc"), NOT_GIVEN, NOT_GIVEN, None, None, NOT_GIVEN, NOT_GIVEN, NOT_GIVEN])
        line_open = True
        collect_ids(ids, s, 3)

    def pia(s: Segment) -> None:
        if lines:
            collect_ids(ids, s, 2)

    def qty(s: Segment) -> None:
        qualifier, value, unit = quantity(s, ctx)
        if lines and qualifier in _DESPATCHED and lines[-1][_QTY] is NOT_GIVEN:
            line = lines[-1]
            line[_QTY], line[_UOM] = value, unit

    def _close_line() -> None:
        nonlocal line_open
        if not line_open:
            return
        line = lines[-1]
        line[_ITEM], line[_SUPPLIER_ITEM], lot = line_ids(ids, ctx)
        if lot and line[_LOT] is NOT_GIVEN:
            line[_LOT] = lot
        if line[_PO_NUMBER] is NOT_GIVEN:
            if "po_number" not in order_ref:
                raise FormatError("EDIFACT_LINE_NO_ORDER", "a DESADV line has no RFF+ON order reference",
                                  tag="LIN")
            line[_PO_NUMBER] = order_ref["po_number"]
        line_open = False
        ids.clear()

    walk(segments, first, {"BGM": bgm, "DTM": date_, "RFF": rff, "NAD": lambda s: party(parties, s), "TDT": tdt,
                           "CPS": cps, "GIN": gin, "LIN": lin, "PIA": pia, "QTY": qty})
    _close_line()
    header["supplier_id"] = supplier_of(parties, ctx, ctx.sender)
    header["lines"] = build_lines(ShipNoticeLine, _LINE, lines)
    return build(ShipNotice, header)


def write(asn: ShipNotice, ctx: Context) -> list[Segment]:
    out: list[Segment] = [["BGM", "351", asn.asn_id, "9"], write_dtm("137", ctx.on)]
    if asn.ship_date:
        out.append(write_dtm("11", asn.ship_date))
    if asn.expected_arrival:
        out.append(write_dtm("17", asn.expected_arrival))
    if asn.tracking_number:
        out.append(["RFF", ["CN", asn.tracking_number]])
    out.append(write_party("SU", asn.supplier_id))
    if asn.carrier:
        out.append(["TDT", "20", "", "", "", [asn.carrier]])
    out.append(["CPS", "1"])
    number, packages = 0, 1
    current_sscc: str | None = None
    for line in asn.lines:
        if line.sscc != current_sscc:
            packages += 1
            out.append(["CPS", str(packages), "1"])
            if line.sscc:
                out += [["PAC", "1"], ["PCI", "33E"], ["GIN", _SSCC, line.sscc]]
            current_sscc = line.sscc
        number += 1
        out += write_item(number, "", line.item_id, line.supplier_item_id, ctx)
        out.append(write_qty("12", line.qty, line.uom, ctx))
        if line.lot_id:
            out.append(["GIN", _BATCH, line.lot_id])
        po_line = str(line.po_line_no) if line.po_line_no is not None else ""
        out.append(["RFF", ["ON", line.po_number, po_line]])
    out.append(["CNT", ["2", str(number)]])
    return out
