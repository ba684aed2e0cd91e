"""810 invoice <-> Invoice. TDS and SAC amounts are N2: implied two decimals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mfgsync.formats.canonical import build, build_lines
from mfgsync.formats.values import (ccyymmdd, date_text, decimal, implied_decimal, line_number, number_text,
                                    to_implied_decimal)
from mfgsync.formats.x12.common import Context, line_ids, supplier_of, write_pairs, write_uom
from mfgsync.formats.x12.syntax import Segment, element, elements
from mfgsync.formats.walking import walk
from mfgsync.model.entities import Invoice, InvoiceLine

_ALLOWANCE, _CHARGE = "A", "C"
_LINE = ("po_line_no", "qty", "uom", "unit_price", "item_id", "supplier_item_id")  # as a line's row holds them


def read(segments: list[Segment], first: int, ctx: Context) -> Invoice:
    profile, units = ctx.profile, ctx.units
    header: dict[str, Any] = {}
    lines: list[list[Any]] = []  # one row per IT1, fields as _LINE
    parties: dict[str, str] = {}
    line_nos, quantities, prices = (ctx.remembered(line_number, "IT101"), ctx.remembered(decimal, "IT102"),
                                    ctx.prices("IT104"))

    def big(s: Segment) -> None:
        header["invoice_number"] = element(s, 2)
        header["invoice_date"] = ctx.remembered(ccyymmdd, "BIG01")[element(s, 1)]
        header["po_number"] = element(s, 4) or None

    def cur(s: Segment) -> None:
        if not lines and element(s, 2):
            header["currency"] = element(s, 2).strip()

    def n1(s: Segment) -> None:
        parties.setdefault(element(s, 1), element(s, 4) or element(s, 2))

    def it1(s: Segment) -> None:
        po_line_no, qty, unit, price, basis = s[1:6] if len(s) > 5 else elements(s, 5)
        item_id, supplier_item_id, _ = line_ids(s, 6, ctx)
        lines.append([line_nos[po_line_no] if po_line_no.strip() else None, quantities[qty], units[unit],
                      prices[basis][price], item_id, supplier_item_id])

    def tds(s: Segment) -> None:
        header["total_amount"] = implied_decimal(element(s, 1), "TDS01")

    def sac(s: Segment) -> None:
        if not element(s, 5).strip():
            return
        amount = implied_decimal(element(s, 5), "SAC05")
        sign = -1 if element(s, 1) == _ALLOWANCE else 1
        header["charges_amount"] = header.get("charges_amount", Decimal(0)) + sign * amount

    walk(segments, first, {"BIG": big, "CUR": cur, "N1": n1, "IT1": it1, "TDS": tds, "SAC": sac})
    header["supplier_id"] = supplier_of(parties, profile, ctx.sender)
    header["lines"] = build_lines(InvoiceLine, _LINE, lines)
    return build(Invoice, header)


def write(invoice: Invoice, ctx: Context) -> list[Segment]:
    profile = ctx.profile
    out: list[Segment] = [["BIG", date_text(invoice.invoice_date or ctx.on), invoice.invoice_number, "",
                           invoice.po_number or ""]]
    if invoice.currency:
        out.append(["CUR", "SE", invoice.currency])
    out.append(["N1", "SU", "", "92", invoice.supplier_id])
    total = Decimal(0)
    for line in invoice.lines:
        total += line.qty * line.unit_price
        po_line = str(line.po_line_no) if line.po_line_no is not None else ""
        out.append(["IT1", po_line, number_text(line.qty), write_uom(line.uom, profile),
                    number_text(line.unit_price), "PE", *write_pairs(line.item_id, line.supplier_item_id, profile)])
    charges = invoice.charges_amount
    if invoice.total_amount is None:
        total = (total + (charges or 0)).quantize(Decimal("0.01"))
    out.append(["TDS", to_implied_decimal(invoice.total_amount if invoice.total_amount is not None else total)])
    if charges:
        out.append(["SAC", _CHARGE if charges > 0 else _ALLOWANCE, "", "", "", to_implied_decimal(abs(charges))])
    out.append(["CTT", str(len(invoice.lines))])
    return out
