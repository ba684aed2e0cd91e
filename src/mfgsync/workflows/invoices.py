"""Supplier invoices, three-way matched: each 810/INVOIC line against its PO line (the price
ordered) and what was received of it and not yet invoiced, within the partner's
`price_tolerance_pct` and `qty_tolerance_pct`. A matching invoice marks its lines invoiced
(invoiced_qty; status `invoiced` once all that was received is); any line outside tolerance
holds the whole invoice back as a supply_chain exception with the figures, and marks nothing.
The same invoice number again with other content is refused for review, never matched twice.

This handler runs before the invoice is stored, so it sees whether the number was known.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mfgsync.model import entities as m
from mfgsync.model import keys
from mfgsync.workflows import partner_channel as channel
from mfgsync.workflows.effects import Effect, Put, Raise
from mfgsync.workflows.event import Event
from mfgsync.workflows.ship_notices import in_line_unit

HUNDRED = Decimal(100)


def on_invoice(event: Event, view: Any) -> list[Effect]:
    invoice: m.Invoice = event.entity
    earlier = view.record(keys.invoice(invoice.invoice_number), "invoice")
    key = keys.invoice(invoice.invoice_number)
    if earlier is not None:
        if earlier == invoice:
            return []
        return [Raise("INVOICE_DUPLICATE", "supply_chain", f"invoice {invoice.invoice_number} was received "
                                                           "before with other content; it is not matched again", key)]
    po = view.purchase_order(invoice.po_number) if invoice.po_number else None
    if po is None:
        return []  # without an order there is nothing to match; the rules report what is unknown
    partner = channel.partner_for(view, invoice.supplier_id)
    price_tol = partner.price_tolerance_pct if partner else Decimal(0)
    qty_tol = partner.qty_tolerance_pct if partner else Decimal(0)
    lines = {line.line_no: line for line in po.lines}
    invoiced: dict[int, Decimal] = {}
    problems = []
    for index, inv_line in enumerate(invoice.lines):
        po_line = lines.get(inv_line.po_line_no) if inv_line.po_line_no is not None else \
            next((pl for pl in po.lines if pl.item_id == inv_line.item_id), None)
        if po_line is None:
            problems.append(f"line {index + 1}: no PO line to match")
            continue
        qty = in_line_unit(view, po_line, inv_line.qty, inv_line.uom)
        price = inv_line.unit_price * (inv_line.qty / qty) if qty else inv_line.unit_price
        invoiceable = po_line.received_qty - po_line.invoiced_qty - invoiced.get(po_line.line_no, Decimal(0))
        if qty > invoiceable * (1 + qty_tol / HUNDRED):
            problems.append(f"PO line {po_line.line_no}: invoiced {qty} {po_line.uom}, received and not yet "
                            f"invoiced {invoiceable} (tolerance {qty_tol}%)")
        if po_line.unit_price is not None and abs(price - po_line.unit_price) > po_line.unit_price * price_tol / HUNDRED:
            problems.append(f"PO line {po_line.line_no}: invoiced at {price}, ordered at {po_line.unit_price} "
                            f"(tolerance {price_tol}%)")
        invoiced[po_line.line_no] = invoiced.get(po_line.line_no, Decimal(0)) + qty
    if problems:
        return [Raise("INVOICE_MISMATCH", "supply_chain",
                      f"invoice {invoice.invoice_number} for PO {po.po_number} does not match: " + "; ".join(problems),
                      key)]
    updated = [_invoiced(line, invoiced.get(line.line_no)) for line in po.lines]
    return [Put(keys.purchase_order(po.po_number), "purchase_order", po.supplier_id,
                po.model_copy(update={"lines": updated}))]


def _invoiced(line: m.PurchaseOrderLine, qty: Decimal | None) -> m.PurchaseOrderLine:
    if qty is None:
        return line
    total = line.invoiced_qty + qty
    status = m.PoLineStatus.invoiced if total >= line.received_qty and line.received_qty > 0 else line.status
    return line.model_copy(update={"invoiced_qty": total, "status": status})

