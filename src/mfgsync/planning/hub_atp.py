"""Available-to-promise of one item in one plant, by date, from the hub's own records.

Supply: available stock (quality-held, allocated and in-transit stock are not available; stock
in transit arrives as a receipt today), ship notice lines in transit on their expected arrival,
the rest of open lines of firm purchase orders on their promised date (else their need date), and what open production orders of the item have still to make
(their quantity less the completions reported) on their due date.
Demand: what open production orders of a parent need of the item on their start date — their
frozen revision (or, while planned, the one effective then), scrap allowance included — less
what each has consumed of it already (that stock has left on-hand once). Periods
are today and every later date with a receipt or a demand; anything overdue falls today. ATP
per period is discrete ATP with look-ahead (planning/atp.py), and its running total.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Iterable, Mapping

from mfgsync.model import entities as m
from mfgsync.model.base import decimal_to_number
from mfgsync.model.partner_records import ExpectedReceipt
from mfgsync.model.units import UnitCatalogue
from mfgsync.planning.atp import available_to_promise
from mfgsync.planning.from_store import CLOSED_PO_LINE_STATUSES, FIRM_PO_STATUSES, OPEN_PRODUCTION_STATUSES, order_needs

ZERO = Decimal(0)


def item_atp(item: m.Item, plant_id: str, today: date, *, balances: Iterable[m.InventoryBalance],
             purchase_orders: Iterable[m.PurchaseOrder], production_orders: Iterable[m.ProductionOrder],
             boms: Iterable[m.Bom], units: UnitCatalogue, completed: Mapping[str, Decimal] | None = None,
             in_transit: Iterable[ExpectedReceipt] = (), consumed: Mapping[str, Decimal] | None = None) -> dict:
    """`{"item_id", "plant_id", "uom", "periods": [{"date", "on_hand", "receipts", "demand", "atp",
    "cumulative_atp"}]}` (DESIGN.md section 4). `consumed`: order id -> what it consumed of the item."""
    base = item.base_uom or "C62"

    def in_base(qty: Decimal, uom: str | None) -> Decimal:
        return qty if uom is None or uom == base else units.convert(qty, uom, base, item.item_id)

    on_hand, receipts = ZERO, defaultdict(lambda: ZERO)
    for b in balances:
        if b.item_id == item.item_id and b.plant_id == plant_id:
            if b.status == m.StockStatus.available:
                on_hand += in_base(b.qty, b.uom)
            elif b.status == m.StockStatus.in_transit:
                receipts[today] += in_base(b.qty, b.uom)
    shipped: dict[tuple[str, int | None], Decimal] = defaultdict(lambda: ZERO)
    for asn_line in in_transit:  # on its way: due on the ship notice's arrival, not the PO's date
        still = asn_line.qty - asn_line.received_qty
        if asn_line.item_id == item.item_id and asn_line.plant_id == plant_id and asn_line.status == "in_transit" \
                and still > 0:
            receipts[max(today, asn_line.expected_arrival or today)] += still
            shipped[(asn_line.po_number, asn_line.po_line_no)] += still
    for po in purchase_orders:
        if po.status in FIRM_PO_STATUSES:
            for line in po.lines:
                due = line.qty - line.received_qty - shipped.get((po.po_number, line.line_no), ZERO)
                if line.item_id == item.item_id and line.status not in CLOSED_PO_LINE_STATUSES and due > 0:
                    receipts[max(today, line.promised_date or line.need_date or today)] += in_base(due, line.uom)
    orders = [o for o in production_orders if o.plant_id == plant_id and o.status in OPEN_PRODUCTION_STATUSES]
    for order in orders:
        still_to_make = order.qty - (completed or {}).get(order.order_id, ZERO)
        if order.item_id == item.item_id and still_to_make > 0:
            receipts[max(today, order.due_date or today)] += still_to_make
    demand = _component_demand(item.item_id, orders, list(boms), today, in_base, consumed or {})
    return _periods(item.item_id, plant_id, base, today, on_hand, receipts, demand)


def _component_demand(item_id: str, orders: list[m.ProductionOrder], boms: list[m.Bom], today: date,
                      in_base, consumed: Mapping[str, Decimal]) -> dict[date, Decimal]:
    demand: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for order in orders:
        need = order_needs(order, boms, today, lambda qty, uom, _: in_base(qty, uom), only=item_id).get(item_id, ZERO)
        still = need - consumed.get(order.order_id, ZERO)
        if still > 0:
            demand[max(today, order.start_date or today)] += still
    return demand


def _periods(item_id: str, plant_id: str, uom: str, today: date, on_hand: Decimal,
             receipts: dict[date, Decimal], demand: dict[date, Decimal]) -> dict:
    days = sorted({today, *receipts, *demand})
    supply = [receipts.get(d, ZERO) for d in days]
    wanted = [demand.get(d, ZERO) for d in days]
    atp = available_to_promise(on_hand, supply, wanted)
    periods, projected = [], on_hand
    for n, day in enumerate(days):
        periods.append({"date": day.isoformat(), "on_hand": _n(projected), "receipts": _n(supply[n]),
                        "demand": _n(wanted[n]), "atp": _n(atp.discrete[n]), "cumulative_atp": _n(atp.cumulative[n])})
        projected += supply[n] - wanted[n]
    return {"item_id": item_id, "plant_id": plant_id, "uom": uom, "periods": periods}


def short_periods(document: dict) -> list[dict]:
    """The periods where what is promised exceeds what there is: cumulative ATP below zero."""
    return [p for p in document["periods"] if Decimal(str(p["cumulative_atp"])) < 0]


def _n(value: Decimal):
    return decimal_to_number(Decimal(value).normalize() if value else Decimal(0))


def completed_by_order(reports: Iterable[m.ProductionReport], item_id: str) -> dict[str, Decimal]:
    """order id -> the quantity of the item its reports completed."""
    done: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for report in reports:
        for mv in report.movements:
            if mv.kind == m.MovementKind.completion and mv.item_id == item_id:
                done[report.order_id] += mv.qty
    return dict(done)
