"""850 purchase order <-> PurchaseOrder."""

from __future__ import annotations

from typing import Any

from mfgsync.formats.canonical import NOT_GIVEN, build, build_lines
from mfgsync.formats.values import ccyymmdd, date_text, decimal, line_number, number_text
from mfgsync.formats.x12.common import Context, line_ids, supplier_of, write_pairs, write_uom
from mfgsync.formats.x12.syntax import Segment, element, elements
from mfgsync.formats.walking import walk
from mfgsync.model.entities import PurchaseOrder, PurchaseOrderLine
from mfgsync.model.states import PoStatus

_NEED_DATES = ("002", "010", "037", "106")  # delivery requested, requested ship, ship not before, required by
_PROMISED_DATES = ("067", "068")
# A line's fields as its row holds them (canonical.build_lines); a DTM fills a date in its place.
_LINE = ("line_no", "qty", "uom", "unit_price", "item_id", "supplier_item_id", "need_date", "promised_date")
_DATE_PLACES = {**dict.fromkeys(_NEED_DATES, _LINE.index("need_date")),
                **dict.fromkeys(_PROMISED_DATES, _LINE.index("promised_date"))}  # DTM01 -> the date's place


def read(segments: list[Segment], first: int, ctx: Context) -> PurchaseOrder:
    header: dict[str, Any] = {"status": PoStatus.sent}
    parties: dict[str, str] = {}
    lines: list[list[Any]] = []  # one row per PO1, fields as _LINE
    profile, units = ctx.profile, ctx.units
    line_nos, quantities, prices = (ctx.remembered(line_number, "PO101"), ctx.remembered(decimal, "PO102"),
                                    ctx.prices("PO104"))
    days = ctx.remembered(ccyymmdd, "DTM02")

    def beg(s: Segment) -> None:
        header["po_number"] = element(s, 3)
        if element(s, 5):
            header["order_date"] = ctx.remembered(ccyymmdd, "BEG05")[element(s, 5)]

    def cur(s: Segment) -> None:
        if not lines and element(s, 2):
            header["currency"] = element(s, 2).strip()

    def n1(s: Segment) -> None:
        parties.setdefault(element(s, 1), element(s, 4) or element(s, 2))

    def po1(s: Segment) -> None:
        line_no, qty, unit, price, basis = s[1:6] if len(s) > 5 else elements(s, 5)
        item_id, supplier_item_id, _ = line_ids(s, 6, ctx, True)
        lines.append([line_nos[line_no] if line_no else len(lines) + 1, quantities[qty], units[unit],
                      prices[basis][price], item_id, supplier_item_id, NOT_GIVEN, NOT_GIVEN])

    def dtm(s: Segment) -> None:
        qualifier, day = s[1:3] if len(s) > 2 else elements(s, 2)
        if not lines or not day:
            return
        place = _DATE_PLACES.get(qualifier)
        if place is not None:
            read = days[day]  # read even where the line has its date: a bad one is still an error
            if lines[-1][place] is NOT_GIVEN:
                lines[-1][place] = read

    walk(segments, first, {"BEG": beg, "CUR": cur, "N1": n1, "PO1": po1, "DTM": dtm})
    header["supplier_id"] = supplier_of(parties, profile, ctx.receiver)
    header["lines"] = build_lines(PurchaseOrderLine, _LINE, lines)
    return build(PurchaseOrder, header)


def write(po: PurchaseOrder, ctx: Context) -> list[Segment]:
    profile = ctx.profile
    out: list[Segment] = [["BEG", "00", "SA", po.po_number, "", date_text(po.order_date or ctx.on)]]
    if po.currency:
        out.append(["CUR", "BY", po.currency])
    out.append(["N1", "SU", "", "92", po.supplier_id])
    for line in po.lines:
        price = number_text(line.unit_price) if line.unit_price is not None else ""
        out.append(["PO1", str(line.line_no), number_text(line.qty), write_uom(line.uom, profile), price,
                    "PE" if price else "", *write_pairs(line.item_id, line.supplier_item_id, profile)])
        if line.need_date:
            out.append(["DTM", "002", date_text(line.need_date)])
        if line.promised_date:
            out.append(["DTM", "067", date_text(line.promised_date)])
    out.append(["CTT", str(len(po.lines))])
    return out
