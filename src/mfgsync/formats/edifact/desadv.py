"""DESADV <-> ShipNotice. A line reaches its order line through RFF+ON (order number and line),
never through its own LIN number; the SSCC is the package's GIN+BJ, the lot a GIN+BX or PIA batch."""

from __future__ import annotations

from typing import Any

from mfgsync.formats.canonical import build
from mfgsync.formats.edifact.common import (Context, collect_ids, dtm, item_ids, party, quantity, supplier_of,
                                            write_dtm, write_item, write_party, write_qty)
from mfgsync.formats.edifact.syntax import Segment, component, components
from mfgsync.formats.errors import FormatError
from mfgsync.formats.partners import first_present
from mfgsync.formats.values import line_number
from mfgsync.formats.walking import walk
from mfgsync.model.entities import ShipNotice

_DESPATCHED = ("12", "1", "21")
_ARRIVAL = ("17", "132", "2", "69")
_SSCC, _BATCH = "BJ", "BX"


def read(segments: list[Segment], first: int, ctx: Context) -> ShipNotice:
    header: dict[str, Any] = {"lines": []}
    lines: list[dict[str, Any]] = header["lines"]
    parties: dict[str, str] = {}
    ids: dict[str, str] = {}
    package: dict[str, Any] = {}
    order_ref: dict[str, str] = {}

    def bgm(s: Segment) -> None:
        header["asn_id"] = component(s, 2)

    def date_(s: Segment) -> None:
        qualifier, value = dtm(s, ("11", *_ARRIVAL))
        if lines or not value:
            return
        if qualifier == "11":
            header["ship_date"] = value
        elif qualifier in _ARRIVAL:
            header["expected_arrival"] = value

    def rff(s: Segment) -> None:
        qualifier, value, line = components(s, 1, 3)
        if qualifier == "ON" and lines:
            lines[-1]["po_number"] = value
            if line:
                lines[-1]["po_line_no"] = line_number(line, "RFF+ON line")
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
            (lines[-1] if lines and "closed" not in lines[-1] else package).setdefault("sscc", value)
        elif qualifier == _BATCH and lines:
            lines[-1].setdefault("lot_id", value)

    def lin(s: Segment) -> None:
        _close_line()
        lines.append({"sscc": package.get("sscc")})
        collect_ids(ids, s, 3)

    def pia(s: Segment) -> None:
        if lines:
            collect_ids(ids, s, 2)

    def qty(s: Segment) -> None:
        qualifier, value, unit = quantity(s, ctx)
        if lines and qualifier in _DESPATCHED and "qty" not in lines[-1]:
            lines[-1].update(qty=value, uom=unit)

    def _close_line() -> None:
        if not lines or "closed" in lines[-1]:
            return
        line = lines[-1]
        line["item_id"], line["supplier_item_id"] = item_ids(ids, ctx)
        lot = first_present(ids, ctx.profile.edifact_lot_types)
        if lot:
            line.setdefault("lot_id", lot)
        if "po_number" not in line:
            if "po_number" not in order_ref:
                raise FormatError("EDIFACT_LINE_NO_ORDER", "a DESADV line has no RFF+ON order reference",
                                  tag="LIN")
            line["po_number"] = order_ref["po_number"]
        line["closed"] = True
        ids.clear()

    walk(segments, first, {"BGM": bgm, "DTM": date_, "RFF": rff, "NAD": lambda s: party(parties, s), "TDT": tdt,
                           "CPS": cps, "GIN": gin, "LIN": lin, "PIA": pia, "QTY": qty})
    _close_line()
    for line in lines:
        del line["closed"]
    header["supplier_id"] = supplier_of(parties, ctx, ctx.sender)
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
