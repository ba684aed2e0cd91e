"""ORDRSP <-> PoAcknowledgement: BGM's message function is the acknowledgement type, LIN's action
code the line status; a backorder quantity (QTY+83) marks a backordered line."""

from __future__ import annotations

from typing import Any

from mfgsync.formats.canonical import build
from mfgsync.formats.edifact.common import (Context, dtm, line_number, quantity, unit_price, write_dtm, write_item,
                                            write_pri, write_qty)
from mfgsync.formats.edifact.syntax import Segment, component
from mfgsync.formats.errors import FormatError
from mfgsync.formats.walking import walk
from mfgsync.model.entities import PoAcknowledgement

_PROMISED = ("2", "67", "69", "17", "11")


def read(segments: list[Segment], first: int, ctx: Context, reference: str = "") -> PoAcknowledgement:
    profile = ctx.profile
    header: dict[str, Any] = {"lines": []}
    lines: list[dict[str, Any]] = header["lines"]

    def bgm(s: Segment) -> None:
        code = component(s, 3) or "29"
        if code not in profile.edifact_ack_types:
            raise FormatError("EDI_UNKNOWN_CODE", f"BGM message function {code!r} is not in the code list", element=3)
        header.update(ack_id=component(s, 2) or reference, ack_type=profile.edifact_ack_types[code])

    def rff(s: Segment) -> None:
        if component(s, 1, 0) == "ON" and not lines:
            header["po_number"] = component(s, 1, 1)

    def lin(s: Segment) -> None:
        action = component(s, 2)
        if action and action not in profile.edifact_line_actions:
            raise FormatError("EDI_UNKNOWN_CODE", f"LIN action {action!r} is not in the code list", element=2)
        lines.append({"line_no": line_number(component(s, 1), len(lines) + 1),
                      "status": profile.edifact_line_actions.get(action, "accepted")})

    def qty(s: Segment) -> None:
        if not lines:
            return
        qualifier, value, unit = quantity(s, ctx)
        if qualifier == profile.edifact_backorder_qty:
            lines[-1].update(status="backordered", qty=value, uom=unit)
        elif "qty" not in lines[-1]:
            lines[-1].update(qty=value, uom=unit)

    def date_(s: Segment) -> None:
        qualifier, value = dtm(s, _PROMISED)
        if lines and qualifier in _PROMISED and value:
            lines[-1].setdefault("promised_date", value)

    def pri(s: Segment) -> None:
        if lines and "unit_price" not in lines[-1]:
            lines[-1]["unit_price"] = unit_price(s, ctx)

    walk(segments, first, {"BGM": bgm, "RFF": rff, "LIN": lin, "QTY": qty, "DTM": date_, "PRI": pri})
    return build(PoAcknowledgement, header)


def write(ack: PoAcknowledgement, ctx: Context) -> list[Segment]:
    profile = ctx.profile
    out: list[Segment] = [["BGM", "231", ack.ack_id, profile.edifact_ack_types_out[ack.ack_type]],
                          write_dtm("137", ctx.on), ["RFF", ["ON", ack.po_number]]]
    for line in ack.lines:
        out += write_item(line.line_no, profile.edifact_line_actions_out[line.status], None, None, ctx)
        if line.qty is not None:
            qualifier = profile.edifact_backorder_qty if line.status == "backordered" else "21"
            out.append(write_qty(qualifier, line.qty, line.uom, ctx))
        if line.promised_date:
            out.append(write_dtm("69", line.promised_date))
        if line.unit_price is not None:
            out.append(write_pri(line.unit_price, ctx))
    out += [["UNS", "S"], ["CNT", ["2", str(len(ack.lines))]]]
    return out
