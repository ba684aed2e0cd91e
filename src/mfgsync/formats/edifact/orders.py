"""ORDERS <-> PurchaseOrder."""

from __future__ import annotations

from typing import Any

from mfgsync.formats.canonical import build
from mfgsync.formats.edifact.common import (Context, collect_ids, dtm, item_ids, line_number, party, quantity,
                                            supplier_of, unit_price, write_dtm, write_item, write_party, write_pri,
                                            write_qty)
from mfgsync.formats.edifact.syntax import Segment, component
from mfgsync.formats.walking import walk
from mfgsync.model.entities import PurchaseOrder
from mfgsync.model.states import PoStatus

_ORDERED = ("21", "1")
_NEED = ("2", "10", "63", "64", "69")


def read(segments: list[Segment], first: int, ctx: Context) -> PurchaseOrder:
    header: dict[str, Any] = {"status": PoStatus.sent, "lines": []}
    lines: list[dict[str, Any]] = header["lines"]
    parties: dict[str, str] = {}
    ids: dict[str, str] = {}

    def bgm(s: Segment) -> None:
        header["po_number"] = component(s, 2)

    def date_(s: Segment) -> None:
        qualifier, value = dtm(s, _NEED if lines else ("137", "4"))
        if not lines and qualifier in ("137", "4") and value:
            header.setdefault("order_date", value)
        elif lines and qualifier in _NEED and value:
            lines[-1].setdefault("need_date", value)

    def cux(s: Segment) -> None:
        if not lines and component(s, 1, 1):
            header["currency"] = component(s, 1, 1)

    def lin(s: Segment) -> None:
        _close_line()
        lines.append({"line_no": line_number(component(s, 1), len(lines) + 1)})
        collect_ids(ids, s, 3)

    def pia(s: Segment) -> None:
        if lines:
            collect_ids(ids, s, 2)

    def qty(s: Segment) -> None:
        qualifier, value, unit = quantity(s, ctx)
        if lines and qualifier in _ORDERED:
            lines[-1].update(qty=value, uom=unit)

    def pri(s: Segment) -> None:
        if lines and "unit_price" not in lines[-1]:
            lines[-1]["unit_price"] = unit_price(s, ctx)

    def _close_line() -> None:
        if lines:
            lines[-1]["item_id"], lines[-1]["supplier_item_id"] = item_ids(ids, ctx, required=True)
        ids.clear()

    walk(segments, first, {"BGM": bgm, "DTM": date_, "NAD": lambda s: party(parties, s), "CUX": cux,
                           "LIN": lin, "PIA": pia, "QTY": qty, "PRI": pri})
    _close_line()
    header["supplier_id"] = supplier_of(parties, ctx, ctx.recipient)
    return build(PurchaseOrder, header)


def write(po: PurchaseOrder, ctx: Context) -> list[Segment]:
    out: list[Segment] = [["BGM", "220", po.po_number, "9"], write_dtm("137", po.order_date or ctx.on),
                          write_party("SU", po.supplier_id)]
    if po.currency:
        out.append(["CUX", ["2", po.currency, "9"]])
    for line in po.lines:
        out += write_item(line.line_no, "", line.item_id, line.supplier_item_id, ctx)
        out.append(write_qty("21", line.qty, line.uom, ctx))
        if line.need_date:
            out.append(write_dtm("2", line.need_date))
        if line.unit_price is not None:
            out.append(write_pri(line.unit_price, ctx))
    out += [["UNS", "S"], ["CNT", ["2", str(len(po.lines))]]]
    return out
