"""Stock on the hub's ledger: quality holds that move stock out of available and back, and the
movements the ERP is told about as stock moves. Pure: effects are returned, never carried out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from mfgsync.envelope import EventType
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
    balances, source, target = _hold_change(hold, state)
    adjustments = []
    for b in balances:
        adjustments.append(Adjust(b.item_id, b.plant_id, b.location_id, b.lot_id, source, -b.qty, b.uom))
        if target is not None:
            adjustments.append(Adjust(b.item_id, b.plant_id, b.location_id, b.lot_id, target, b.qty, b.uom))
    return adjustments


def _hold_change(hold: m.QualityHold, state: StockView) -> tuple[list[m.InventoryBalance], _S, _S | None]:
    """The balances the hold's status moves, the status they leave and the one they enter (None:
    they leave as scrap)."""
    covered = [b for b in state.balances_of(hold.item_id) if hold.lot_id is None or b.lot_id == hold.lot_id]
    if hold.status == m.HoldStatus.held:
        source, target = _S.available, _S.quality_hold
    else:
        covered = [b for b in covered
                   if not any(h.hold_id != hold.hold_id for h in state.holds_on(b.item_id, b.lot_id))]
        source, target = _S.quality_hold, (_S.available if hold.status == m.HoldStatus.released else None)
    return [b for b in covered if b.status == source and b.qty > 0], source, target


def erp_hold_moves(event: Event, hold: m.QualityHold, state: StockView) -> list[Effect]:
    """What the hold moves on the ledger, as a `stock.hold` command for every ERP subscribed to the
    event: the ERP moves it from its storage location into the plant's quarantine location, back,
    or (rejected) out to scrap. One command per balance, in the item's stock stream so it keeps
    its order with the item's movements; its identity names the hold, the status, the balance and
    the hold's time, so a re-delivery moves nothing twice and a later hold of the same id is a
    move of its own."""
    targets = [t for t in state.subscribers(event.type) if state.takes_commands(t)]
    if not targets:
        return []
    balances, _, _ = _hold_change(hold, state)
    plants = state.plants()
    effects: list[Effect] = []
    for target in targets:
        for b in balances:
            plant = plants.get(b.plant_id)
            position = keys.stock_position(b.item_id, b.plant_id, b.location_id, b.lot_id)
            move_id = f"hold:{keys.part(hold.hold_id)}:{hold.status}:{position}@{event.time.isoformat()}"
            payload = {"move_id": move_id, "hold_id": hold.hold_id, "status": str(hold.status),
                       "item_id": b.item_id, "lot_id": b.lot_id, "location": b.location_id,
                       "qty": str(b.qty), "uom": b.uom, "code": _erp_code(plant, target, b.item_id),
                       **_erp_places(plant)}
            effects.append(Emit(target, "stock.hold", f"{target}:{move_id}", payload,
                                keys.stock_stream(b.item_id, b.plant_id)))
    return effects


def _erp_code(plant: object | None, target: str, item_id: str) -> str:
    """The item's code in the target, as the plant maps it (its own id when unmapped)."""
    return plant.item_codes.get(target, {}).get(item_id, item_id) if plant else item_id


def _erp_places(plant: object | None) -> dict[str, str | None]:
    """The plant's warehouse and quarantine location in the ERP (None: the connector's default)."""
    return {"warehouse": getattr(plant, "erp_warehouse", None), "quarantine": getattr(plant, "erp_quarantine", None)}


def arrives_on_hold(mv: m.InventoryMovement, state: WorkflowView) -> bool:
    """Whether the movement brings stock in under a quality hold of its item or lot (the ledger
    books it as held)."""
    return mv.kind in _ARRIVING and bool(state.holds_on(mv.item_id, mv.lot_id))


_ARRIVING = {m.MovementKind.receipt, m.MovementKind.completion, m.MovementKind.transfer}


def in_base_unit(mv: m.InventoryMovement, state: WorkflowView) -> tuple[Decimal, str]:
    """The movement's quantity in its item's base unit (the unit it came in when none is known)."""
    item = state.item(mv.item_id)
    base = item.base_uom if item and item.base_uom else mv.uom
    return (state.units().convert(mv.qty, mv.uom, base, mv.item_id) if base != mv.uom else mv.qty), base


def erp_stock_moves(event: Event, movements: list[m.InventoryMovement], state: WorkflowView) -> list[Effect]:
    """Each movement as a `stock.move` command for every ERP subscribed to the event, under the
    movement's own identity (so a movement caused twice is moved once), in the item's stream.
    Stock arriving on hold goes into the quarantine location of an ERP that mirrors holds, where
    the hold's release takes it from."""
    targets = [t for t in state.subscribers(event.type) if state.takes_commands(t)]
    mirroring = set(state.subscribers(EventType.quality_hold)) if targets else set()
    plants = state.plants()
    effects: list[Effect] = []
    for target in targets:
        for mv in movements:
            plant = plants.get(mv.plant_id)
            qty, uom = in_base_unit(mv, state)
            places = _erp_places(plant)
            payload = {"movement": mv.model_dump(mode="json"), "qty": str(qty), "uom": uom,
                       "code": _erp_code(plant, target, mv.item_id), "warehouse": places["warehouse"]}
            if target in mirroring and arrives_on_hold(mv, state):
                payload.update(held=True, quarantine=places["quarantine"])
            effects.append(Emit(target, "stock.move", f"{target}:stock:{mv.movement_id}", payload,
                                keys.stock_stream(mv.item_id, mv.plant_id)))
    return effects
