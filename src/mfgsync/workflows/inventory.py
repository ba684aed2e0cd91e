"""Stock on the hub's ledger: quality holds that move stock out of available and back, and the
movements the ERP is told about as stock moves. Pure: effects are returned, never carried out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from mfgsync.model import entities as m
from mfgsync.model import keys
from mfgsync.workflows.effects import Adjust, Effect, Emit
from mfgsync.workflows.event import Event, WorkflowView

_S = m.StockStatus


class StockView(WorkflowView, Protocol):
    def balances_of(self, item_id: str) -> list[m.InventoryBalance]: ...


def hold_moves(hold: m.QualityHold, state: StockView) -> list[Adjust]:
    """A hold takes the covered stock out of available; a release puts it back (unless another
    hold still covers it); a rejection scraps it. Derived from the balances as they are, so the
    same hold applied twice moves nothing the second time."""
    covered = [b for b in state.balances_of(hold.item_id) if hold.lot_id is None or b.lot_id == hold.lot_id]
    if hold.status == m.HoldStatus.held:
        return _move(covered, _S.available, _S.quality_hold)
    on_hold = [b for b in covered
               if not any(h.hold_id != hold.hold_id for h in state.holds_on(b.item_id, b.lot_id))]
    if hold.status == m.HoldStatus.released:
        return _move(on_hold, _S.quality_hold, _S.available)
    return _move(on_hold, _S.quality_hold, None)  # rejected: the stock leaves as scrap


def _move(balances: list[m.InventoryBalance], source: m.StockStatus, target: m.StockStatus | None) -> list[Adjust]:
    adjustments = []
    for b in balances:
        if b.status != source or b.qty <= 0:
            continue
        adjustments.append(Adjust(b.item_id, b.plant_id, b.location_id, b.lot_id, source, -b.qty, b.uom))
        if target is not None:
            adjustments.append(Adjust(b.item_id, b.plant_id, b.location_id, b.lot_id, target, b.qty, b.uom))
    return adjustments


def in_base_unit(mv: m.InventoryMovement, state: WorkflowView) -> tuple[Decimal, str]:
    """The movement's quantity in its item's base unit (the unit it came in when none is known)."""
    item = state.item(mv.item_id)
    base = item.base_uom if item and item.base_uom else mv.uom
    return (state.units().convert(mv.qty, mv.uom, base, mv.item_id) if base != mv.uom else mv.qty), base


def erp_stock_moves(event: Event, movements: list[m.InventoryMovement], state: WorkflowView) -> list[Effect]:
    """Each movement as a `stock.move` command for every ERP subscribed to the event, under the
    movement's own identity (so a movement caused twice is moved once), in the item's stream."""
    targets = [t for t in state.subscribers(event.type) if state.takes_commands(t)]
    plants = state.plants()
    effects: list[Effect] = []
    for target in targets:
        for mv in movements:
            plant = plants.get(mv.plant_id)
            qty, uom = in_base_unit(mv, state)
            code = plant.item_codes.get(target, {}).get(mv.item_id, mv.item_id) if plant else mv.item_id
            payload = {"movement": mv.model_dump(mode="json"), "qty": str(qty), "uom": uom, "code": code,
                       "warehouse": getattr(plant, "erp_warehouse", None)}
            effects.append(Emit(target, "stock.move", f"{target}:stock:{mv.movement_id}", payload,
                                keys.stock_stream(mv.item_id, mv.plant_id)))
    return effects
