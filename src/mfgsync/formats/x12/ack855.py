"""855 purchase order acknowledgement <-> PoAcknowledgement."""

from __future__ import annotations

from typing import Any

from mfgsync.formats.canonical import build
from mfgsync.formats.errors import FormatError
from mfgsync.formats.values import ccyymmdd, date_text, decimal, line_number, number_text
from mfgsync.formats.x12.common import Context, write_uom
from mfgsync.formats.x12.syntax import Segment, element
from mfgsync.formats.walking import walk
from mfgsync.model.entities import PoAcknowledgement

_PROMISE_QUALIFIERS = ("067", "068", "069", "017", "002")


def read(segments: list[Segment], first: int, ctx: Context, control_number: str = "") -> PoAcknowledgement:
    profile, units = ctx.profile, ctx.units
    line_nos, quantities, prices = (ctx.remembered(line_number, "PO101"), ctx.remembered(decimal, "PO102"),
                                    ctx.prices("PO104"))
    acknowledged, promised = ctx.remembered(decimal, "ACK02"), ctx.remembered(ccyymmdd, "ACK05")
    header: dict[str, Any] = {"lines": []}
    lines: list[dict[str, Any]] = header["lines"]

    def bak(s: Segment) -> None:
        code = element(s, 2)
        if code not in profile.x12_ack_types:
            raise FormatError("EDI_UNKNOWN_CODE", f"BAK02 acknowledgment type {code!r} is not in the code list",
                              element=2)
        header.update(ack_type=profile.x12_ack_types[code], po_number=element(s, 3),
                      ack_id=element(s, 8) or control_number)

    def po1(s: Segment) -> None:
        line: dict[str, Any] = {
            "line_no": line_nos[element(s, 1)] if element(s, 1) else len(lines) + 1,
            "unit_price": prices[element(s, 5)][element(s, 4)]}
        if element(s, 2):
            line.update(qty=quantities[element(s, 2)], uom=units[element(s, 3)])
        lines.append(line)

    def ack(s: Segment) -> None:
        if not lines:
            return
        line = lines[-1]
        code = element(s, 1)
        if code not in profile.x12_line_statuses:
            raise FormatError("EDI_UNKNOWN_CODE", f"ACK01 line status {code!r} is not in the code list", element=1)
        if "status" in line:
            return  # the first ACK of a line states its status; later ones split schedules
        line["status"] = profile.x12_line_statuses[code]
        if element(s, 2):
            line.update(qty=acknowledged[element(s, 2)], uom=units[element(s, 3)])
        if element(s, 4) in _PROMISE_QUALIFIERS and element(s, 5):
            line["promised_date"] = promised[element(s, 5)]

    walk(segments, first, {"BAK": bak, "PO1": po1, "ACK": ack})
    for line in lines:
        line.setdefault("status", "accepted" if header.get("ack_type") != "rejected" else "rejected")
    return build(PoAcknowledgement, header)


def write(ack: PoAcknowledgement, ctx: Context) -> list[Segment]:
    profile = ctx.profile
    out: list[Segment] = [["BAK", "00", profile.x12_ack_types_out[ack.ack_type], ack.po_number,
                           date_text(ctx.on), "", "", "", ack.ack_id]]
    for line in ack.lines:
        qty = number_text(line.qty) if line.qty is not None else ""
        unit = write_uom(line.uom, profile) if qty else ""
        price = number_text(line.unit_price) if line.unit_price is not None else ""
        out.append(["PO1", str(line.line_no), qty, unit, price, "PE" if price else ""])
        promised = ["068", date_text(line.promised_date)] if line.promised_date else []
        out.append(["ACK", profile.x12_line_statuses_out[line.status], qty, unit, *promised])
    out.append(["CTT", str(len(ack.lines))])
    return out
