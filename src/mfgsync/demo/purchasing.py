"""The demo's purchasing as its systems send it: ERP orders from a supplier, the supplier's
channel acknowledges them and ships, the warehouse receives what arrived. One order of a
supplier's first parts, a `PO-…` correlation id following it end to end."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Iterator

from mfgsync.demo import family
from mfgsync.demo.messages import Sender, movement


def order_cycle(sender: Sender, po_number: str, supplier_id: str, ordered: date, parts: int = 3) -> Iterator[dict]:
    """po.created (approved: the hub sends it on the supplier's channel), its acknowledgement and
    ship notice from that channel, and the receipt of each line."""
    channel, lead = family.channel_of(supplier_id), family.LEAD_DAYS[supplier_id]
    promised = ordered + timedelta(days=lead)
    lines = [{"line_no": 10 * (n + 1), "item_id": item, "qty": family.ORDER_QTY[unit], "uom": unit,
              "need_date": promised.isoformat()}
             for n, (item, _, unit, _) in enumerate(family.parts_of(supplier_id)[:parts])]
    correlation = f"PO-{po_number}"
    yield sender.send("erp", "po.created", {"po_number": po_number, "supplier_id": supplier_id, "status": "approved",
                                            "order_date": ordered.isoformat(), "lines": lines},
                      correlationid=correlation)
    yield sender.send(channel, "po.acknowledged", {
        "po_number": po_number, "ack_id": f"ACK-{po_number}", "ack_type": "accepted",
        "lines": [{"line_no": line["line_no"], "status": "accepted", "qty": line["qty"], "uom": line["uom"],
                   "promised_date": promised.isoformat()} for line in lines]}, correlationid=correlation)
    yield sender.send(channel, "asn.received", {
        "asn_id": f"ASN-{po_number}", "supplier_id": supplier_id, "ship_date": ordered.isoformat(),
        "lines": [{"po_number": po_number, "po_line_no": line["line_no"], "item_id": line["item_id"],
                   "qty": line["qty"], "uom": line["uom"]} for line in lines]}, correlationid=correlation)
    for line in lines:
        receipt = movement(f"GR-{po_number}-{line['line_no']}", "receipt", line["item_id"], line["qty"], line["uom"])
        yield sender.send("wms", "inventory.moved", receipt, correlationid=correlation)
