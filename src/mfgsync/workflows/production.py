"""Production orders on the shop floor: the BOM revision frozen at release, reports that move
an order into process, completion-only reports backflushed from the frozen revision, and the
lot genealogy a report leaves behind. Pure: the state view answers, effects are returned.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Iterable, Protocol

from mfgsync.model import entities as m
from mfgsync.model import keys
from mfgsync.model.states import PRODUCTION_REPORTABLE, start_production
from mfgsync.planning.calendar import revision_order
from mfgsync.rules.state import StateView
from mfgsync.workflows.effects import Effect, Put
from mfgsync.workflows.event import PlantView

_K = m.MovementKind
HUNDRED = Decimal(100)


class ProductionView(StateView, Protocol):
    def production_order(self, order_id: str) -> m.ProductionOrder | None: ...

    def bom_revisions(self, item_id: str) -> list[m.Bom]: ...

    def plants(self): ...

    def today(self) -> date: ...


# --- release: the revision the order builds with -------------------------------------------

def effective_revision(boms: Iterable[m.Bom], plant_id: str, day: date) -> m.Bom | None:
    """The released BOM effective on `day` in the plant: the plant's own over one for all plants,
    then the latest effective_from, then the highest revision (as planning chooses)."""
    candidates = [b for b in boms if b.status == m.BomStatus.released and b.plant_id in (None, plant_id)
                  and (b.effective_from or date.min) <= day <= (b.effective_to or date.max)]
    return max(candidates, key=lambda b: (b.plant_id is not None, b.effective_from or date.min,
                                          revision_order(b.revision)), default=None)


def frozen(order: m.ProductionOrder, state: ProductionView) -> m.ProductionOrder:
    """The order with its BOM revision fixed once it is released: the one it names, or the one
    effective on its start date. A planned order is not frozen yet; a frozen one stays as it is."""
    if order.status == m.ProductionStatus.planned or order.bom_revision:
        return order
    current = state.production_order(order.order_id)
    if current is not None and current.bom_revision:
        return order.model_copy(update={"bom_revision": current.bom_revision})
    bom = effective_revision(state.bom_revisions(order.item_id), order.plant_id, order.start_date or state.today())
    return order.model_copy(update={"bom_revision": bom.revision}) if bom else order


def order_bom(order: m.ProductionOrder, state: ProductionView) -> m.Bom | None:
    """The order's frozen revision (the plant's own first)."""
    revisions = [b for b in state.bom_revisions(order.item_id)
                 if b.revision == order.bom_revision and b.plant_id in (None, order.plant_id)]
    return max(revisions, key=lambda b: b.plant_id is not None, default=None)


# --- reports ---------------------------------------------------------------------------------

def backflushed(report: m.ProductionReport, state: ProductionView) -> list[m.InventoryMovement]:
    """The consumption a completion-only report implies, where its plant backflushes: each
    line of the order's frozen revision times the quantity completed (and scrapped), with the
    line's scrap allowance when the plant counts it. Of an alternate group, the preferred line."""
    plant: PlantView | None = state.plants().get(report.plant_id)
    if plant is None or not plant.backflush or any(mv.kind == _K.consumption for mv in report.movements):
        return []
    built = [mv for mv in report.movements if mv.kind in (_K.completion, _K.scrap)]
    order = state.production_order(report.order_id)
    if not built or order is None:
        return []
    bom = order_bom(order, state)
    if bom is None:
        return []
    made = sum((_in_base(mv, order.item_id, state) for mv in built if mv.item_id == order.item_id), Decimal(0))
    location = next((mv.to_location or mv.from_location for mv in built if mv.to_location or mv.from_location), None)
    return [m.InventoryMovement(
        movement_id=f"{report.report_id}-bf-{line.line_no}", kind=_K.consumption, item_id=line.component_id,
        qty=_line_qty(made, line, plant.backflush_scrap), uom=line.uom, plant_id=report.plant_id,
        from_location=location, production_order_id=order.order_id, occurred_at=report.reported_at,
        reason=f"backflush of {order.item_id} rev {bom.revision}")
        for line in preferred_lines(bom.lines) if made > 0]


def _in_base(mv: m.InventoryMovement, item_id: str, state: StateView) -> Decimal:
    item = state.item(item_id)
    if item is None or item.base_uom is None or item.base_uom == mv.uom:
        return mv.qty
    return state.units().convert(mv.qty, mv.uom, item.base_uom, item_id)


def _line_qty(made: Decimal, line: m.BomLine, with_scrap: bool) -> Decimal:
    qty = made * line.qty_per
    if with_scrap and line.scrap_pct:
        qty = qty * HUNDRED / (HUNDRED - line.scrap_pct)
    return qty.normalize()


def preferred_lines(lines: list[m.BomLine]) -> list[m.BomLine]:
    """Every line outside an alternate group, and the preferred line of each group."""
    best: dict[str, m.BomLine] = {}
    for line in lines:
        if line.alternate_group:
            held = best.get(line.alternate_group)
            if held is None or (line.alternate_priority or 0, line.line_no) < (held.alternate_priority or 0,
                                                                               held.line_no):
                best[line.alternate_group] = line
    return [line for line in lines if line.qty_per > 0 and
            (line.alternate_group is None or best[line.alternate_group] is line)]


def booked_movements(report: m.ProductionReport, state: ProductionView) -> list[m.InventoryMovement]:
    """What the report moves in stock: its own movements and, where the plant backflushes, the
    consumption its completions imply."""
    return [*report.movements, *backflushed(report, state)]


def order_in_process(report: m.ProductionReport, state: ProductionView, key: str) -> list[Effect]:
    """A released order that the shop floor reports on is in process."""
    order = state.production_order(report.order_id)
    if order is None or order.status not in PRODUCTION_REPORTABLE:
        return []
    status = start_production(order.status)
    if status == order.status:
        return []
    return [Put(key, "production_order", order.item_id, order.model_copy(update={"status": status}))]


def genealogy(report: m.ProductionReport, movements: list[m.InventoryMovement], state: StateView) -> list[Put]:
    """Every consumed lot linked to every lot the report produced, once for each direction."""
    used = [mv for mv in movements if mv.kind == _K.consumption and mv.lot_id]
    made = [mv for mv in movements if mv.kind == _K.completion and mv.lot_id]
    puts: list[Put] = []
    for out in made:
        for into in used:
            link = m.LotLink(input_item_id=into.item_id, input_lot_id=into.lot_id, input_qty=into.qty,
                             input_uom=into.uom, output_item_id=out.item_id, output_lot_id=out.lot_id,
                             output_qty=out.qty, output_uom=out.uom, order_id=report.order_id,
                             report_id=report.report_id)
            puts.append(Put(keys.lot_link(into.lot_id, out.lot_id, report.report_id, "used_in"), "lot_used_in",
                            into.lot_id, link))
            puts.append(Put(keys.lot_link(into.lot_id, out.lot_id, report.report_id, "made_from"), "lot_made_from",
                            out.lot_id, link))
    return puts


def shipment(mv: m.InventoryMovement) -> list[Put]:
    """An issue of a lot to a customer's order: the end of that lot's forward genealogy."""
    if mv.kind != _K.issue or not mv.lot_id or not mv.customer_order_id:
        return []
    link = m.LotLink(input_item_id=mv.item_id, input_lot_id=mv.lot_id, input_qty=mv.qty, input_uom=mv.uom,
                     output_item_id=mv.item_id, output_lot_id=mv.lot_id, output_qty=mv.qty, output_uom=mv.uom,
                     order_id=mv.customer_order_id, report_id=mv.movement_id)
    return [Put(keys.lot_link(mv.lot_id, mv.customer_order_id, mv.movement_id, "shipped_to"), "lot_shipped",
                mv.lot_id, link)]
