"""860 purchase order change request (buyer initiated): a changed or cancelled PurchaseOrder.

BCH01 says what the change is (04 change, 01 cancellation); each line follows in a POC with
its change code (CA the line changes, DI the line is deleted) and its quantities as they now
stand, so the supplier's order holds exactly what the hub's does.
"""

from __future__ import annotations

from mfgsync.formats.values import date_text, number_text
from mfgsync.formats.x12.common import Context, write_pairs, write_uom
from mfgsync.formats.x12.syntax import Segment
from mfgsync.model.entities import PoLineStatus, PurchaseOrder

PURPOSE_CODES = {"change": "04", "cancel": "01"}


def write(po: PurchaseOrder, ctx: Context, purpose: str = "change") -> list[Segment]:
    profile = ctx.profile
    out: list[Segment] = [["BCH", PURPOSE_CODES[purpose], "SA", po.po_number, "", "",
                           date_text(po.order_date or ctx.on)]]
    if po.currency:
        out.append(["CUR", "BY", po.currency])
    out.append(["N1", "SU", "", "92", po.supplier_id])
    for line in po.lines:
        deleted = purpose == "cancel" or line.status == PoLineStatus.cancelled
        price = number_text(line.unit_price) if line.unit_price is not None else ""
        open_qty = max(line.qty - line.received_qty, 0)
        out.append(["POC", str(line.line_no), "DI" if deleted else "CA", number_text(line.qty),
                    number_text(open_qty), write_uom(line.uom, profile), price, "PE" if price else "",
                    *write_pairs(line.item_id, line.supplier_item_id, profile)])
        if line.need_date and not deleted:
            out.append(["DTM", "002", date_text(line.need_date)])
    out.append(["CTT", str(len(po.lines))])
    return out
