"""Rules for purchasing documents: orders, acknowledgements, ship notices, invoices, sourcing."""

from __future__ import annotations

from collections.abc import Iterator

from mfgsync.model.entities import (
    Invoice, InvoiceLine, PoAcknowledgement, PurchaseOrder, PurchaseOrderLine, ShipNotice, ShipNoticeLine,
    SourcingRule,
)
from mfgsync.model.states import po_transition_allowed
from mfgsync.rules.checks import item_and_unit, known_item, unit_converts
from mfgsync.rules.findings import Finding
from mfgsync.rules.policy import Policy
from mfgsync.rules.state import StateView


def supplier_known(entity: PurchaseOrder | ShipNotice | Invoice | SourcingRule,
                   state: StateView, policy: Policy) -> Iterator[Finding]:
    if state.supplier(entity.supplier_id) is None:
        yield Finding("SUPPLIER_UNKNOWN", f"supplier {entity.supplier_id} is not known to the hub", "supplier_id")


def po_lines_valid(po: PurchaseOrder, state: StateView, policy: Policy) -> Iterator[Finding]:
    for index, line in enumerate(po.lines):
        yield from item_and_unit(state, line.item_id, line.uom, f"lines[{index}]", f" (line {line.line_no})")


def po_created_fits(po: PurchaseOrder, state: StateView, policy: Policy) -> Iterator[Finding]:
    """po.created for a number the hub holds is read as a change of that order (a re-sent or
    late create) and checked as one, unless the supplier differs: then two orders collide."""
    current = state.purchase_order(po.po_number)
    if current is not None and current.supplier_id != po.supplier_id:
        yield Finding("PO_ALREADY_EXISTS",
                      f"purchase order {po.po_number} already exists for supplier {current.supplier_id}, "
                      f"not {po.supplier_id}", "po_number")
    else:
        yield from po_transition_valid(po, state, policy)


def po_known(po: PurchaseOrder | PoAcknowledgement, state: StateView, policy: Policy) -> Iterator[Finding]:
    if state.purchase_order(po.po_number) is None:
        yield Finding("PO_UNKNOWN", f"purchase order {po.po_number} is not known to the hub", "po_number")


def po_transition_valid(po: PurchaseOrder, state: StateView, policy: Policy) -> Iterator[Finding]:
    current = state.purchase_order(po.po_number)
    if current is not None and not po_transition_allowed(current.status, po.status):
        yield Finding("PO_TRANSITION_INVALID",
                      f"purchase order {po.po_number} cannot go from {current.status} to {po.status}", "status")


def ack_lines_valid(ack: PoAcknowledgement, state: StateView, policy: Policy) -> Iterator[Finding]:
    po = state.purchase_order(ack.po_number)
    if po is None:
        return  # po_known reports it
    for index, line in enumerate(ack.lines):
        yield from _po_line_checks(state, po, line.line_no, None, line.uom, f"lines[{index}]", "line_no")


def asn_lines_valid(asn: ShipNotice, state: StateView, policy: Policy) -> Iterator[Finding]:
    checked: set[str] = set()  # each order is reported once, however many lines it has
    for index, line in enumerate(asn.lines):
        po = state.purchase_order(line.po_number)
        if line.po_number not in checked:
            checked.add(line.po_number)
            yield from _order_matches(asn, line.po_number, po, f"lines[{index}].po_number")
        yield from _document_line(state, po, line, index)


def invoice_lines_valid(invoice: Invoice, state: StateView, policy: Policy) -> Iterator[Finding]:
    po = state.purchase_order(invoice.po_number) if invoice.po_number is not None else None
    if invoice.po_number is not None:
        yield from _order_matches(invoice, invoice.po_number, po, "po_number")
    for index, line in enumerate(invoice.lines):
        yield from _document_line(state, po, line, index)


def _order_matches(document: ShipNotice | Invoice, po_number: str, po: PurchaseOrder | None,
                   field: str) -> Iterator[Finding]:
    """The order a supplier document names exists and is with that supplier."""
    if po is None:
        yield Finding("PO_UNKNOWN", f"purchase order {po_number} is not known to the hub", field)
    elif po.supplier_id != document.supplier_id:
        yield Finding("PO_SUPPLIER_MISMATCH", f"purchase order {po_number} is with supplier "
                      f"{po.supplier_id}, not {document.supplier_id}", "supplier_id")


def _document_line(state: StateView, po: PurchaseOrder | None, line: ShipNoticeLine | InvoiceLine,
                   index: int) -> Iterator[Finding]:
    path = f"lines[{index}]"
    if po is not None:
        yield from _po_line_checks(state, po, line.po_line_no, line.item_id, line.uom, path, "po_line_no")
    elif line.item_id is not None:
        yield from item_and_unit(state, line.item_id, line.uom, path, f" (line {index + 1})")


def _po_line_checks(state: StateView, po: PurchaseOrder, line_no: int | None, item_id: str | None,
                    uom: str | None, path: str, line_field: str) -> Iterator[Finding]:
    """A reference to an order line: the line exists, and the item (named, or the line's) takes
    the unit sent."""
    po_line = _po_line(po, line_no)
    if line_no is not None and po_line is None:
        yield Finding("PO_LINE_UNKNOWN", f"purchase order {po.po_number} has no line {line_no}",
                      f"{path}.{line_field}")
    item_id = item_id or (po_line.item_id if po_line else None)
    if item_id is None:
        return
    where = f" (line {line_no})" if line_no is not None else ""
    item, findings = known_item(state, item_id, f"{path}.item_id", where)
    yield from findings
    if item is not None:
        yield from unit_converts(state, item, uom, f"{path}.uom", where)


def _po_line(po: PurchaseOrder, line_no: int | None) -> PurchaseOrderLine | None:
    return next((line for line in po.lines if line.line_no == line_no), None)
