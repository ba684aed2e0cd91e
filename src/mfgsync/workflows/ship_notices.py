"""Ship notices into in-transit stock and expected receipts; warehouse receipts out of them.

An 856/DESADV line becomes stock in transit (in the item's base unit, at the partner's plant
and receiving location, by lot) and an expected receipt of its PO line, lot and SSCC; the
order's line counts it shipped. A quantity above what is still open on the line is shipped
all the same and raised for supply_chain. A ship notice re-sent with other quantities books
only the difference.

A WMS receipt (`inventory.moved` of kind receipt) is matched to the expected receipts of its
item in its plant (its lot first, oldest notice first): the in-transit stock it covers is
released (the receipt's own posting puts it in available) and the PO line counts it received.
A receipt of an item on order from a trading partner that no ship notice covers is raised for
the warehouse with the figures. An ASN naming an unknown PO line never gets here: the rules
refuse it whole.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mfgsync.model import entities as m
from mfgsync.model import keys
from mfgsync.model.partner_records import ExpectedReceipt
from mfgsync.model.states import PoStatus
from mfgsync.workflows import partner_channel as channel
from mfgsync.workflows.acknowledgements import ASN_OVERDUE
from mfgsync.workflows.effects import Adjust, Effect, Put, Raise, Resolve, Unschedule
from mfgsync.workflows.event import Event
from mfgsync.workflows.supplier_orders import asn_schedule

TRANSIT = m.StockStatus.in_transit


def on_ship_notice(event: Event, view: Any) -> list[Effect]:
    asn: m.ShipNotice = event.entity
    partner = channel.partner_for(view, asn.supplier_id)
    plant, location = (partner.plant_id, partner.location_id) if partner else ("P1", "RECEIVING")
    orders: dict[str, m.PurchaseOrder] = {}
    effects: list[Effect] = []
    for index, line in enumerate(asn.lines):
        po = orders.get(line.po_number) or view.purchase_order(line.po_number)
        po_line = _po_line(po, line)
        if po is None or po_line is None:
            continue  # refused by the rules; kept total for a view that lost it since
        base_qty, base_uom = _in_base(view, po_line.item_id, line.qty, line.uom)
        key = keys.expected_receipt(asn.asn_id, index)
        before: ExpectedReceipt | None = view.record(key, "expected_receipt")
        delta = base_qty - (before.qty if before else Decimal(0))
        if delta == 0:
            continue
        open_qty = _committed(po_line) - po_line.shipped_qty
        line_qty = in_line_unit(view, po_line, delta, base_uom)
        if line_qty > open_qty:
            effects.append(Raise("ASN_QTY_ABOVE_OPEN", "supply_chain",
                                 f"ship notice {asn.asn_id} ships {line.qty} {line.uom} on PO {po.po_number} line "
                                 f"{po_line.line_no}, which has {open_qty} {po_line.uom} open", keys.ship_notice(asn.asn_id)))
        receipt = ExpectedReceipt(asn_id=asn.asn_id, line_index=index, po_number=po.po_number,
                                  po_line_no=po_line.line_no, item_id=po_line.item_id, lot_id=line.lot_id,
                                  sscc=line.sscc, qty=base_qty, uom=base_uom, plant_id=plant, location_id=location,
                                  received_qty=before.received_qty if before else Decimal(0),
                                  expected_arrival=asn.expected_arrival)
        effects += [Put(key, "expected_receipt", po_line.item_id, receipt),
                    Adjust(po_line.item_id, plant, location, line.lot_id, TRANSIT, delta, base_uom),
                    Unschedule(asn_schedule(po.po_number, po_line)),
                    Resolve(f"{keys.purchase_order(po.po_number)}#{po_line.line_no}", ASN_OVERDUE,
                            f"ship notice {asn.asn_id} arrived")]
        orders[po.po_number] = _shipped(po, po_line, line_qty)
    return [*(Put(keys.purchase_order(n), "purchase_order", po.supplier_id, po) for n, po in orders.items()),
            *effects]


def on_receipt(event: Event, view: Any) -> list[Effect]:
    mv: m.InventoryMovement = event.entity
    if mv.kind != m.MovementKind.receipt or mv.qty <= 0:
        return []
    qty, base = _in_base(view, mv.item_id, mv.qty, mv.uom)
    expected = sorted((r for r in view.records_of("expected_receipt", mv.item_id)
                       if r.status == "in_transit" and r.plant_id == mv.plant_id),
                      key=lambda r: (r.lot_id != mv.lot_id, r.asn_id, r.line_index))
    if mv.lot_id is not None:
        expected = [r for r in expected if r.lot_id in (mv.lot_id, None)]
    effects: list[Effect] = []
    orders: dict[str, m.PurchaseOrder] = {}
    rest = qty
    for receipt in expected:
        take = min(rest, receipt.qty - receipt.received_qty)
        if take <= 0:
            continue
        rest -= take
        done = receipt.received_qty + take
        effects += [Adjust(receipt.item_id, receipt.plant_id, receipt.location_id, receipt.lot_id, TRANSIT, -take,
                           receipt.uom),
                    Put(keys.expected_receipt(receipt.asn_id, receipt.line_index), "expected_receipt",
                        receipt.item_id, receipt.model_copy(update={
                            "received_qty": done, "status": "received" if done >= receipt.qty else "in_transit"}))]
        po = orders.get(receipt.po_number) or view.purchase_order(receipt.po_number)
        po_line = next((line for line in po.lines if line.line_no == receipt.po_line_no), None) if po else None
        if po_line is not None:
            orders[po.po_number] = _received(po, po_line, in_line_unit(view, po_line, take, receipt.uom))
        if rest <= 0:
            break
    if rest > 0 and _on_order_from_a_partner(view, mv.item_id):
        effects.append(Raise("RECEIPT_WITHOUT_ASN", "warehouse",
                             f"receipt {mv.movement_id} of {mv.qty} {mv.uom} {mv.item_id} in {mv.plant_id}: "
                             f"{rest} {base} is covered by no ship notice", keys.movement(mv.movement_id)))
    return [*(Put(keys.purchase_order(n), "purchase_order", po.supplier_id, po) for n, po in orders.items()),
            *effects]


def _po_line(po: m.PurchaseOrder | None, line: m.ShipNoticeLine) -> m.PurchaseOrderLine | None:
    if po is None:
        return None
    if line.po_line_no is not None:
        return next((pl for pl in po.lines if pl.line_no == line.po_line_no), None)
    return next((pl for pl in po.lines if line.item_id in (pl.item_id, None)
                 and (line.supplier_item_id in (None, pl.supplier_item_id))), None)


def _committed(line: m.PurchaseOrderLine) -> Decimal:
    return line.qty if line.committed_qty is None else line.committed_qty


def _in_base(view: Any, item_id: str, qty: Decimal, uom: str) -> tuple[Decimal, str]:
    item = view.item(item_id)
    base = item.base_uom if item and item.base_uom else uom
    return (view.units().convert(qty, uom, base, item_id) if base != uom else qty), base


def in_line_unit(view: Any, line: m.PurchaseOrderLine, qty: Decimal, uom: str) -> Decimal:
    return view.units().convert(qty, uom, line.uom, line.item_id) if uom != line.uom else qty


def _shipped(po: m.PurchaseOrder, line: m.PurchaseOrderLine, qty: Decimal) -> m.PurchaseOrder:
    shipped = line.shipped_qty + qty
    status = m.PoLineStatus.shipped if shipped >= _committed(line) else line.status
    lines = [pl.model_copy(update={"shipped_qty": shipped, "status": status}) if pl.line_no == line.line_no else pl
             for pl in po.lines]
    open_lines = [pl for pl in lines if pl.status not in (m.PoLineStatus.rejected, m.PoLineStatus.cancelled)]
    whole = all(pl.shipped_qty >= _committed(pl) for pl in open_lines)
    order_status = po.status
    if po.status in (PoStatus.sent, PoStatus.acknowledged, PoStatus.partially_shipped):
        order_status = PoStatus.shipped if whole else PoStatus.partially_shipped
    return po.model_copy(update={"lines": lines, "status": order_status})


def _received(po: m.PurchaseOrder, line: m.PurchaseOrderLine, qty: Decimal) -> m.PurchaseOrder:
    received = line.received_qty + qty
    status = m.PoLineStatus.received if received >= _committed(line) else line.status
    lines = [pl.model_copy(update={"received_qty": received, "status": status}) if pl.line_no == line.line_no
             else pl for pl in po.lines]
    open_lines = [pl for pl in lines if pl.status not in (m.PoLineStatus.rejected, m.PoLineStatus.cancelled)]
    whole = all(pl.received_qty >= _committed(pl) for pl in open_lines)
    order_status = po.status
    if po.status in (PoStatus.acknowledged, PoStatus.partially_shipped, PoStatus.shipped,
                     PoStatus.partially_received):
        order_status = PoStatus.received if whole else PoStatus.partially_received
    return po.model_copy(update={"lines": lines, "status": order_status})


def _on_order_from_a_partner(view: Any, item_id: str) -> bool:
    """Whether an order with a trading partner still expects the item (a receipt of it should
    have come with a ship notice)."""
    partners = view.partners()
    return any(po.supplier_id in partners and line.received_qty < _committed(line)
               and line.status not in (m.PoLineStatus.rejected, m.PoLineStatus.cancelled)
               for po, line in view.purchase_lines(item_id))
