"""What a kept plan says of the purchase order lines it planned with, as entities of their own.

- PlanPegging (`plan_pegging`, key PLANPEG:<po>|<line>@<plant>, ref: the PO number): the orders
  a plant's kept plan pegs to one open purchase order line (a scheduled receipt in the plan),
  single level: each with its need date and the quantity of the line it takes, in the line's
  unit, plus what the plan holds of the line as stock (safety stock, lot-size excess). Written
  by each kept plan of the plant; a line the plant's next plan no longer plans with is kept as
  `withdrawn`, with no orders.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from mfgsync.model import keys
from mfgsync.model.base import Canonical, Quantity
from mfgsync.model.entities import Key, Ordinal, Text, Uom

PLAN_PEGGING = "plan_pegging"


class PeggedKind(StrEnum):
    production_order = "production_order"  # an open production order's need of the item
    planned_order = "planned_order"  # a parent's planned order, by its requisition key
    demand = "demand"  # an end demand of the item itself, by its reference
    allocated = "allocated"  # stock already promised beyond what is there


class PeggedOrder(Canonical):
    kind: PeggedKind
    order: Text  # the production order id, the planned order's requisition key, the demand's ref
    item_id: Key  # what the order makes (the line's item, for a demand of it)
    need_date: date  # when the order needs the line's item
    qty: Quantity  # of the line, in its unit


class PlanStatus(StrEnum):
    current = "current"  # as the plant's last kept plan pegs the line
    withdrawn = "withdrawn"  # the plant's last kept plan no longer plans with the line


class PlanPegging(Canonical):
    po_number: Key
    line_no: Ordinal
    item_id: Key
    plant_id: Key
    uom: Uom | None = None
    open_qty: Quantity  # what the plan counted on receiving of the line, in its unit
    stock_qty: Quantity = Decimal(0)  # of that, what the plan holds as safety stock or excess
    orders: list[PeggedOrder] = []  # in need order, as the plan allots the line to them
    status: PlanStatus = PlanStatus.current
    planned_on: date  # the plan's first bucket


def plan_pegging_key(po_number: str, line_no: int, plant_id: str) -> str:
    return f"PLANPEG:{keys.part(po_number)}|{line_no}@{keys.part(plant_id)}"


MODELS: dict[str, type[Canonical]] = {PLAN_PEGGING: PlanPegging}
