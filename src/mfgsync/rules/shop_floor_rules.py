"""Rules for the shop floor and the warehouse: movement quantities and lots, reports against
production orders, and the production order's lifecycle."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from mfgsync.model.entities import InventoryMovement, MovementKind, ProductionOrder, ProductionReport
from mfgsync.model.states import PRODUCTION_REPORTABLE, production_transition_allowed
from mfgsync.rules import stock_rules as stock
from mfgsync.rules.checks import field_path
from mfgsync.rules.findings import Finding
from mfgsync.rules.policy import Policy
from mfgsync.rules.state import StateView
from mfgsync.workflows import production


def movement_sound(movement: InventoryMovement, state: StateView, policy: Policy) -> Iterator[Finding]:
    yield from _sound([movement], "", state)


def report_sound(report: ProductionReport, state: StateView, policy: Policy) -> Iterator[Finding]:
    """A report names an order that takes reports, and its movements (backflushed ones
    included) are sound and leave stock as the plant's policy allows."""
    order = state.production_order(report.order_id)
    if order is None:
        yield Finding("PRODUCTION_ORDER_UNKNOWN", f"production order {report.order_id} is not known to the hub",
                      "order_id")
        return
    if order.status not in PRODUCTION_REPORTABLE:
        code = "PRODUCTION_ORDER_CLOSED" if order.status == "closed" else "PRODUCTION_ORDER_NOT_RELEASED"
        yield Finding(code, f"production order {order.order_id} is {order.status}: it takes no reports", "order_id")
        return
    implied = production.backflushed(report, state)  # a lot-tracked component no lot can serve: LOT_REQUIRED
    yield from _sound([*report.movements, *implied], "movements", state)
    yield from stock.report_movements_valid(report.model_copy(update={"movements": [*report.movements, *implied]}),
                                            state, policy)


def _sound(movements: Sequence[InventoryMovement], list_field: str, state: StateView) -> Iterator[Finding]:
    for index, movement in enumerate(movements):
        path = f"{list_field}[{index}]" if list_field else ""
        if movement.kind != MovementKind.adjustment and movement.qty <= 0:
            yield Finding("QTY_NOT_POSITIVE", f"{movement.kind} {movement.movement_id} has quantity {movement.qty}; "
                          "only an adjustment is signed", field_path(path, "qty"))
        item = state.item(movement.item_id)
        if item is not None and item.lot_tracked and not movement.lot_id:
            yield Finding("LOT_REQUIRED", f"{movement.kind} {movement.movement_id} of lot-tracked item "
                          f"{movement.item_id} names no lot", field_path(path, "lot_id"))


def production_transition_valid(order: ProductionOrder, state: StateView, policy: Policy) -> Iterator[Finding]:
    current = state.production_order(order.order_id)
    if current is not None and not production_transition_allowed(current.status, order.status):
        yield Finding("PRODUCTION_TRANSITION_INVALID", f"production order {order.order_id} cannot go from "
                      f"{current.status} to {order.status}", "status")
