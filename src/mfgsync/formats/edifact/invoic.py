"""INVOIC <-> Invoice. Prices per a basis quantity become per-unit prices; MOA totals are explicit decimals."""

from __future__ import annotations

from typing import Any

from mfgsync.formats.canonical import NOT_GIVEN, build, build_lines
from mfgsync.formats.edifact.common import (ORDER_LINES, Context, collect_ids, dtm, line_ids, number, party, quantity,
                                            supplier_of, unit_price, write_dtm, write_item, write_number, write_party,
                                            write_pri, write_qty)
from mfgsync.formats.edifact.syntax import Segment, component, components
from mfgsync.formats.walking import walk
from mfgsync.model.entities import Invoice, InvoiceLine

_INVOICED = ("47", "46", "12")
_TOTALS = ("77", "86", "39", "9")  # invoice amount, message total, invoice total, amount due
_CHARGES = ("131",)  # total charges/allowances
_INVOICE_DATES = ("137", "3")
# A line's fields as its row holds them (canonical.build_lines): a LIN opens the row, its other
# segments fill their places, the next LIN (or the end) its item numbers.
_LINE = ("item_id", "supplier_item_id", "qty", "uom", "unit_price", "po_line_no")
_ITEM, _SUPPLIER_ITEM, _QTY, _UOM, _PRICE, _PO_LINE_NO = range(len(_LINE))


def read(segments: list[Segment], first: int, ctx: Context) -> Invoice:
    header: dict[str, Any] = {}
    lines: list[list[Any]] = []  # one row per LIN, fields as _LINE
    parties: dict[str, str] = {}
    ids: dict[str, str] = {}
    summary = False

    def bgm(s: Segment) -> None:
        header["invoice_number"] = component(s, 2)

    def date_(s: Segment) -> None:
        qualifier, value = dtm(s, _INVOICE_DATES)
        if not lines and value:
            header.setdefault("invoice_date", value)

    def rff(s: Segment) -> None:
        element = s[1] if len(s) > 1 else ""
        qualifier, order, line = element if type(element) is list and len(element) == 3 else components(s, 1, 3)
        if qualifier != "ON":
            return
        if lines:
            if line:
                lines[-1][_PO_LINE_NO] = ORDER_LINES[line]
        else:
            header.setdefault("po_number", order)

    def cux(s: Segment) -> None:
        if not lines and component(s, 1, 1):
            header["currency"] = component(s, 1, 1)

    def lin(s: Segment) -> None:
        _close_line()
        lines.append([None, None, NOT_GIVEN, NOT_GIVEN, NOT_GIVEN, NOT_GIVEN])
        collect_ids(ids, s, 3)

    def pia(s: Segment) -> None:
        if lines:
            collect_ids(ids, s, 2)

    def qty(s: Segment) -> None:
        qualifier, value, unit = quantity(s, ctx)
        if lines and qualifier in _INVOICED and lines[-1][_QTY] is NOT_GIVEN:
            line = lines[-1]
            line[_QTY], line[_UOM] = value, unit

    def pri(s: Segment) -> None:
        if lines and lines[-1][_PRICE] is NOT_GIVEN:
            lines[-1][_PRICE] = unit_price(s, ctx)

    def uns(s: Segment) -> None:
        nonlocal summary
        summary = True

    def moa(s: Segment) -> None:
        qualifier, amount = component(s, 1, 0), component(s, 1, 1)
        if summary and amount and qualifier in _TOTALS:
            header.setdefault("total_amount", number(amount, f"MOA+{qualifier}", ctx))
        elif summary and amount and qualifier in _CHARGES:
            header.setdefault("charges_amount", number(amount, f"MOA+{qualifier}", ctx))

    def _close_line() -> None:
        if lines:
            lines[-1][_ITEM], lines[-1][_SUPPLIER_ITEM], _ = line_ids(ids, ctx)
        ids.clear()

    walk(segments, first, {"BGM": bgm, "DTM": date_, "RFF": rff, "NAD": lambda s: party(parties, s), "CUX": cux,
                           "LIN": lin, "PIA": pia, "QTY": qty, "PRI": pri, "UNS": uns, "MOA": moa})
    _close_line()
    header["supplier_id"] = supplier_of(parties, ctx, ctx.sender)
    header["lines"] = build_lines(InvoiceLine, _LINE, lines)
    return build(Invoice, header)


def write(invoice: Invoice, ctx: Context) -> list[Segment]:
    out: list[Segment] = [["BGM", "380", invoice.invoice_number, "9"],
                          write_dtm("137", invoice.invoice_date or ctx.on)]
    if invoice.po_number:
        out.append(["RFF", ["ON", invoice.po_number]])
    out.append(write_party("SU", invoice.supplier_id))
    if invoice.currency:
        out.append(["CUX", ["2", invoice.currency, "4"]])
    for number_, line in enumerate(invoice.lines, 1):
        out += write_item(number_, "", line.item_id, line.supplier_item_id, ctx)
        out.append(write_qty("47", line.qty, line.uom, ctx))
        out.append(write_pri(line.unit_price, ctx))
        if line.po_line_no is not None:
            out.append(["RFF", ["ON", invoice.po_number or "", str(line.po_line_no)]])
    out += [["UNS", "S"], ["CNT", ["2", str(len(invoice.lines))]]]
    if invoice.total_amount is not None:
        out.append(["MOA", ["77", write_number(invoice.total_amount, ctx)]])
    if invoice.charges_amount is not None:
        out.append(["MOA", ["131", write_number(invoice.charges_amount, ctx)]])
    return out
