"""Production orders on the shop floor: the BOM revision frozen at release, reports that move
an order into process, completion-only reports backflushed from the frozen revision (drawn from
the component's lots, oldest first), and the lot genealogy a report leaves behind. Pure: the
state view answers, effects are returned.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Iterable, Protocol, runtime_checkable

from mfgsync.model import entities as m
from mfgsync.model import keys
from mfgsync.model.states import PRODUCTION_REPORTABLE, start_production
from mfgsync.model.units import UnitError
from mfgsync.planning.calendar import revision_order
from mfgsync.rules.state import StateView
from mfgsync.workflows.effects import Effect, Put
from mfgsync.workflows.event import PlantView

_K = m.MovementKind
HUNDRED = Decimal(100)
ZERO = Decimal(0)
_NEVER = datetime.max.replace(tzinfo=timezone.utc)  # a lot with no known receipt sorts after every known one
_ARRIVALS = frozenset({_K.receipt, _K.completion})  # the movements that bring a lot into a plant


class ProductionView(StateView, Protocol):
    def production_order(self, order_id: str) -> m.ProductionOrder | None: ...

    def bom_revisions(self, item_id: str) -> list[m.Bom]: ...

    def plants(self): ...

    def today(self) -> date: ...


@runtime_checkable
class LotStockView(ProductionView, Protocol):
    """What drawing a backflush from lots reads: the hub's stock by lot, and its stored movements."""

    def available_lots(self, item_id: str, plant_id: str) -> list[tuple[str, str, Decimal]]:
        """(location, lot, qty) of the item's available stock in lots at the plant."""
        ...

    def records_of(self, entity_type: str, ref: str) -> list[m.Canonical]: ...


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

def backflush_needs(report: m.ProductionReport, state: ProductionView) -> list[m.InventoryMovement]:
    """The consumption a completion-only report implies, where its plant backflushes: each
    line of the order's frozen revision times the quantity completed (and scrapped), with the
    line's scrap allowance when the plant counts it. Of an alternate group, the preferred line.
    One movement a line, without a lot: how much, not yet from which lot."""
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
    made = sum((_in_base(mv.qty, mv.uom, order.item_id, state) for mv in built if mv.item_id == order.item_id),
               ZERO)
    location = next((mv.to_location or mv.from_location for mv in built if mv.to_location or mv.from_location), None)
    return [m.InventoryMovement(
        movement_id=f"{report.report_id}-bf-{line.line_no}", kind=_K.consumption, item_id=line.component_id,
        qty=_line_qty(made, line, plant.backflush_scrap), uom=line.uom, plant_id=report.plant_id,
        from_location=location, production_order_id=order.order_id, occurred_at=report.reported_at,
        reason=f"backflush of {order.item_id} rev {bom.revision}")
        for line in preferred_lines(bom.lines) if made > 0]


def backflushed(report: m.ProductionReport, state: ProductionView) -> list[m.InventoryMovement]:
    """The backflush needs drawn from the components' lots, oldest first (drawn_from_lots). A
    view that cannot tell stock by lot (a check over plain state, a read-side query) gets the
    needs as they are: the same quantities, without lots."""
    needs = backflush_needs(report, state)
    if not needs or not _holds_lots(type(state)):
        return needs
    taken: dict[tuple[str, str, str], Decimal] = {}  # what earlier lines of this report drew of a lot
    return [mv for need in needs for mv in drawn_from_lots(need, state, taken)]


@lru_cache(maxsize=None)
def _holds_lots(view_type: type) -> bool:
    return issubclass(view_type, LotStockView)  # once a view class: a protocol check reads every member


def drawn_from_lots(need: m.InventoryMovement, state: LotStockView,
                    taken: dict[tuple[str, str, str], Decimal]) -> list[m.InventoryMovement]:
    """A backflush line split over the component's available lots, oldest first, each up to
    what it holds (less what `taken` says earlier lines drew). What no lot covers goes, for a
    lot-tracked item, onto the newest lot drawn: that lot would go negative, and the stock rules
    judge it by the plant's negative-stock policy. For an item without lot tracking it stays one
    movement without a lot, as does a line no lot can serve at all (a lot-tracked one is then
    LOT_REQUIRED). The first part keeps the line's movement id, the next ones add -2, -3, ...:
    the same report always splits the same way against the same stock."""
    item = state.item(need.item_id)
    if item is None:
        return [need]  # an unknown component: the rules say so
    try:
        left = _in_base(need.qty, need.uom, item.item_id, state)
    except UnitError:
        return [need]  # no conversion to its base unit: the rules say so
    parts: list[tuple[str, str, Decimal]] = []  # location, lot, quantity drawn
    for location, lot, qty in oldest_lots_first(need.item_id, need.plant_id, need.from_location, state):
        if left <= 0:
            break
        free = qty - taken.get((need.item_id, location, lot), ZERO)
        if free > 0:
            parts.append((location, lot, min(free, left)))
            left -= parts[-1][2]
    if not parts:
        return [need]
    if left > 0 and item.lot_tracked:
        parts[-1], left = (*parts[-1][:2], parts[-1][2] + left), ZERO
    base = item.base_uom or need.uom
    drawn = [_part(need, n, qty, base, location, lot) for n, (location, lot, qty) in enumerate(parts, 1)]
    for location, lot, qty in parts:
        taken[(need.item_id, location, lot)] = taken.get((need.item_id, location, lot), ZERO) + qty
    if left > 0:
        drawn.append(_part(need, len(parts) + 1, left, base, need.from_location, None))
    return drawn


def _part(need: m.InventoryMovement, n: int, qty: Decimal, uom: str, location: str | None,
          lot_id: str | None) -> m.InventoryMovement:
    movement_id = need.movement_id if n == 1 else f"{need.movement_id}-{n}"
    return need.model_copy(update={"movement_id": movement_id, "qty": qty.normalize(), "uom": uom,
                                   "from_location": location, "lot_id": lot_id})


def oldest_lots_first(item_id: str, plant_id: str, location: str | None,
                      state: LotStockView) -> list[tuple[str, str, Decimal]]:
    """(location, lot, qty) a consumption may draw on: available (never quality-held) stock at
    the location, or anywhere in the plant when none is named, of lots no hold covers; oldest
    receipt first, lots with no known receipt after them, then by lot and location."""
    lots = [(where, lot, qty) for where, lot, qty in state.available_lots(item_id, plant_id)
            if qty > 0 and location in (None, where) and not state.holds_on(item_id, lot)]
    # Only where there is a choice of lots are the receipts read.
    received = first_receipts(item_id, plant_id, state) if len({lot for _, lot, _ in lots}) > 1 else {}
    return sorted(lots, key=lambda s: (s[1] not in received, received.get(s[1], _NEVER), s[1], s[0]))


def first_receipts(item_id: str, plant_id: str, state: LotStockView) -> dict[str, datetime]:
    """lot -> the earliest time the hub knows it came into the plant: a stored receipt or
    completion movement of the lot with its time. A lot made on the shop floor (its completion
    is part of a production report, not a movement of its own) has none here."""
    first: dict[str, datetime] = {}
    for mv in state.records_of("movement", item_id):
        at, lot = mv.occurred_at, mv.lot_id
        if at and lot and mv.kind in _ARRIVALS and mv.plant_id == plant_id and at < first.get(lot, _NEVER):
            first[lot] = at
    return first


def _in_base(qty: Decimal, uom: str, item_id: str, state: StateView) -> Decimal:
    item = state.item(item_id)
    if item is None or item.base_uom is None or item.base_uom == uom:
        return qty
    return state.units().convert(qty, uom, item.base_uom, item_id)


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


def booked_quantities(report: m.ProductionReport, state: ProductionView) -> list[m.InventoryMovement]:
    """What the report moves in stock, by quantity alone: its own movements and its backflush
    needs, not drawn from lots. For totals of what orders consumed, where the lots do not matter
    and drawing them again for every stored report would read the components' stock each time."""
    return [*report.movements, *backflush_needs(report, state)]


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
    """Every consumed lot linked to every lot the report produced, once for each direction; a
    lot consumed in several movements (from several locations) is one link of their sum."""
    used: dict[tuple[str, str, str], Decimal] = {}
    for mv in movements:
        if mv.kind == _K.consumption and mv.lot_id:
            used[(mv.item_id, mv.lot_id, mv.uom)] = used.get((mv.item_id, mv.lot_id, mv.uom), ZERO) + mv.qty
    made = [mv for mv in movements if mv.kind == _K.completion and mv.lot_id]
    puts: list[Put] = []
    for out in made:
        for (item_id, lot_id, uom), qty in used.items():
            link = m.LotLink(input_item_id=item_id, input_lot_id=lot_id, input_qty=qty, input_uom=uom,
                             output_item_id=out.item_id, output_lot_id=out.lot_id, output_qty=out.qty,
                             output_uom=out.uom, order_id=report.order_id, report_id=report.report_id)
            puts.append(Put(keys.lot_link(lot_id, out.lot_id, report.report_id, "used_in"), "lot_used_in",
                            lot_id, link))
            puts.append(Put(keys.lot_link(lot_id, out.lot_id, report.report_id, "made_from"), "lot_made_from",
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
