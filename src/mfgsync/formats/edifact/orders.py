"""ORDERS <-> PurchaseOrder."""

from __future__ import annotations

from typing import Any

from mfgsync.formats.canonical import NOT_GIVEN, build, build_lines
from mfgsync.formats.edifact.common import (Context, collect_ids, dtm, line_ids, line_number, party, quantity,
                                            supplier_of, unit_price, write_dtm, write_item, write_party, write_pri,
                                            write_qty)
from mfgsync.formats.edifact.syntax import Segment, component
from mfgsync.formats.walking import walk
from mfgsync.model.entities import PurchaseOrder, PurchaseOrderLine
from mfgsync.model.states import PoStatus

_ORDERED = ("21", "1")
_ORDER_DATES = ("137", "4")
_NEED = ("2", "10", "63", "64", "69")
# A line's fields as its row holds them (canonical.build_lines): a LIN opens the row, its other
# segments fill their places, the next LIN (or the end) its item numbers.
_LINE = ("line_no", "item_id", "supplier_item_id", "qty", "uom", "unit_price", "need_date")
_ITEM, _SUPPLIER_ITEM, _QTY, _UOM, _PRICE, _NEED_DATE = range(1, len(_LINE))


def read(segments: list[Segment], first: int, ctx: Context) -> PurchaseOrder:
    header: dict[str, Any] = {"status": PoStatus.sent}
    lines: list[list[Any]] = []  # one row per LIN, fields as _LINE
    parties: dict[str, str] = {}
    ids: dict[str, str] = {}

    def bgm(s: Segment) -> None:
        header["po_number"] = component(s, 2)

    def date_(s: Segment) -> None:
        qualifier, value = dtm(s, _NEED if lines else _ORDER_DATES)
        if value is None:  # not a date this message uses
            return
        if not lines:
            header.setdefault("order_date", value)
        elif lines[-1][_NEED_DATE] is NOT_GIVEN:
            lines[-1][_NEED_DATE] = value

    def cux(s: Segment) -> None:
        if not lines and component(s, 1, 1):
            header["currency"] = component(s, 1, 1)

    def lin(s: Segment) -> None:
        _close_line()
        lines.append([line_number(component(s, 1), len(lines) + 1), None, None,
                      NOT_GIVEN, NOT_GIVEN, NOT_GIVEN, NOT_GIVEN])
        collect_ids(ids, s, 3)

    def pia(s: Segment) -> None:
        if lines:
            collect_ids(ids, s, 2)

    def qty(s: Segment) -> None:
        qualifier, value, unit = quantity(s, ctx)
        if lines and qualifier in _ORDERED:
            line = lines[-1]
            line[_QTY], line[_UOM] = value, unit

    def pri(s: Segment) -> None:
        if lines and lines[-1][_PRICE] is NOT_GIVEN:
            lines[-1][_PRICE] = unit_price(s, ctx)

    def _close_line() -> None:
        if lines:
            lines[-1][_ITEM], lines[-1][_SUPPLIER_ITEM], _ = line_ids(ids, ctx, required=True)
        ids.clear()

    walk(segments, first, {"BGM": bgm, "DTM": date_, "NAD": lambda s: party(parties, s), "CUX": cux,
                           "LIN": lin, "PIA": pia, "QTY": qty, "PRI": pri})
    _close_line()
    header["supplier_id"] = supplier_of(parties, ctx, ctx.recipient)
    header["lines"] = build_lines(PurchaseOrderLine, _LINE, lines)
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
