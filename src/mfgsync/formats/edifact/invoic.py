"""INVOIC <-> Invoice. Prices per a basis quantity become per-unit prices; MOA totals are explicit decimals."""

from __future__ import annotations

from typing import Any

from mfgsync.formats.canonical import build
from mfgsync.formats.edifact.common import (Context, collect_ids, dtm, item_ids, number, party, quantity, supplier_of,
                                            unit_price, write_dtm, write_item, write_number, write_party, write_pri,
                                            write_qty)
from mfgsync.formats.edifact.syntax import Segment, component, components
from mfgsync.formats.values import line_number
from mfgsync.formats.walking import walk
from mfgsync.model.entities import Invoice

_INVOICED = ("47", "46", "12")
_TOTALS = ("77", "86", "39", "9")  # invoice amount, message total, invoice total, amount due
_CHARGES = ("131",)  # total charges/allowances


def read(segments: list[Segment], first: int, ctx: Context) -> Invoice:
    header: dict[str, Any] = {"lines": []}
    lines: list[dict[str, Any]] = header["lines"]
    parties: dict[str, str] = {}
    ids: dict[str, str] = {}
    summary = False

    def bgm(s: Segment) -> None:
        header["invoice_number"] = component(s, 2)

    def date_(s: Segment) -> None:
        qualifier, value = dtm(s, ("137", "3"))
        if not lines and qualifier in ("137", "3") and value:
            header.setdefault("invoice_date", value)

    def rff(s: Segment) -> None:
        qualifier, order, line = components(s, 1, 3)
        if qualifier != "ON":
            return
        if lines:
            if line:
                lines[-1]["po_line_no"] = line_number(line, "RFF+ON line")
        else:
            header.setdefault("po_number", order)

    def cux(s: Segment) -> None:
        if not lines and component(s, 1, 1):
            header["currency"] = component(s, 1, 1)

    def lin(s: Segment) -> None:
        _close_line()
        lines.append({})
        collect_ids(ids, s, 3)

    def pia(s: Segment) -> None:
        if lines:
            collect_ids(ids, s, 2)

    def qty(s: Segment) -> None:
        qualifier, value, unit = quantity(s, ctx)
        if lines and qualifier in _INVOICED and "qty" not in lines[-1]:
            lines[-1].update(qty=value, uom=unit)

    def pri(s: Segment) -> None:
        if lines and "unit_price" not in lines[-1]:
            lines[-1]["unit_price"] = unit_price(s, ctx)

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
            lines[-1]["item_id"], lines[-1]["supplier_item_id"] = item_ids(ids, ctx)
        ids.clear()

    walk(segments, first, {"BGM": bgm, "DTM": date_, "RFF": rff, "NAD": lambda s: party(parties, s), "CUX": cux,
                           "LIN": lin, "PIA": pia, "QTY": qty, "PRI": pri, "UNS": uns, "MOA": moa})
    _close_line()
    header["supplier_id"] = supplier_of(parties, ctx, ctx.sender)
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
