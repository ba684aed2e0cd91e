"""850 purchase order <-> PurchaseOrder."""

from __future__ import annotations

from typing import Any

from mfgsync.formats.canonical import build
from mfgsync.formats.values import ccyymmdd, date_text, decimal, line_number, number_text
from mfgsync.formats.x12.common import (Context, id_pairs, item_ids, read_uom, supplier_of, unit_price,
                                        write_pairs, write_uom)
from mfgsync.formats.x12.syntax import Segment, element
from mfgsync.formats.walking import walk
from mfgsync.model.entities import PurchaseOrder
from mfgsync.model.states import PoStatus

_NEED_DATES = ("002", "010", "037", "106")  # delivery requested, requested ship, ship not before, required by
_PROMISED_DATES = ("067", "068")


def read(segments: list[Segment], first: int, ctx: Context) -> PurchaseOrder:
    header: dict[str, Any] = {"status": PoStatus.sent, "lines": []}
    parties: dict[str, str] = {}
    lines: list[dict[str, Any]] = header["lines"]
    profile = ctx.profile

    def beg(s: Segment) -> None:
        header["po_number"] = element(s, 3)
        if element(s, 5):
            header["order_date"] = ccyymmdd(element(s, 5), "BEG05")

    def cur(s: Segment) -> None:
        if not lines and element(s, 2):
            header["currency"] = element(s, 2).strip()

    def n1(s: Segment) -> None:
        parties.setdefault(element(s, 1), element(s, 4) or element(s, 2))

    def po1(s: Segment) -> None:
        item_id, supplier_item_id = item_ids(id_pairs(s, 6), profile, required=True)
        lines.append({
            "line_no": line_number(element(s, 1), "PO101") if element(s, 1) else len(lines) + 1,
            "qty": decimal(element(s, 2), "PO102"), "uom": read_uom(element(s, 3), ctx),
            "unit_price": unit_price(element(s, 4), element(s, 5), profile, "PO104"),
            "item_id": item_id, "supplier_item_id": supplier_item_id})

    def dtm(s: Segment) -> None:
        if not lines or not element(s, 2):
            return
        if element(s, 1) in _NEED_DATES:
            lines[-1].setdefault("need_date", ccyymmdd(element(s, 2), "DTM02"))
        elif element(s, 1) in _PROMISED_DATES:
            lines[-1].setdefault("promised_date", ccyymmdd(element(s, 2), "DTM02"))

    walk(segments, first, {"BEG": beg, "CUR": cur, "N1": n1, "PO1": po1, "DTM": dtm})
    header["supplier_id"] = supplier_of(parties, profile, ctx.receiver)
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
