"""The impact of an engineering change on open orders (DESIGN.md section 9), as a pure function
of the released revisions and a view of the hub's state. `eco simulate` prints it; applying the
ECO turns its purchase actions and risks into exceptions.

E is the new revision's effective date, T the as-of date. A component's requirement is the sum
over the changed parent's orders that will build with the new revision (planned, starting on or
after E) of order qty × qty_per, scrap included — against what the old revision needed for the
same orders. What falls is excess to take off open purchase lines, latest need first; what rises
is checked against stock and purchase lines promised by the date it is first needed.

Open supply is every open purchase line and every open purchase requisition of the component
(a requisition the planning or replenishment proposed and nobody has turned into a PO yet): the
same actions apply to both, a requisition being a line whose need and promise are its due date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Iterable, NamedTuple, Protocol

from mfgsync.model import entities as m
from mfgsync.model import keys

ZERO = Decimal(0)
_CLOSED_LINES = {m.PoLineStatus.received, m.PoLineStatus.cancelled, m.PoLineStatus.rejected}
_CLOSED_ORDERS = {"received", "closed", "cancelled"}
_FROZEN = {m.ProductionStatus.released, m.ProductionStatus.in_process}
# A plan's proposal a later plan no longer makes (pipeline/plan_results.py) is no longer supply.
WITHDRAWN = "withdrawn"


class Requisition(NamedTuple):
    """An open purchase requisition, as the impact reads it (stored as a `requisition` entity)."""
    key: str
    item_id: str
    plant_id: str | None
    qty: Decimal
    due_date: date | None


class _Supply(NamedTuple):
    """One open purchase line or requisition of a component."""
    po_number: str | None
    line_no: int | None
    requisition: str | None  # the requisition's key; None for a purchase line
    item_id: str
    need_date: date | None
    promised_date: date | None
    open_qty: Decimal


class ImpactView(Protocol):
    """What the impact reads of the hub's state."""

    def previous_revision(self, bom: m.Bom) -> m.Bom | None:
        """The released revision of the same item and plant that the new one replaces."""

    def production_orders(self, item_id: str, plant_id: str | None) -> list[m.ProductionOrder]: ...

    def purchase_lines(self, item_id: str) -> list[tuple[m.PurchaseOrder, m.PurchaseOrderLine]]: ...

    def available_on_hand(self, item_id: str, plant_id: str | None) -> Decimal:
        """Available stock (not on hold), in the item's base unit."""

    def sourcing_rules(self, item_id: str) -> list[m.SourcingRule]: ...

    def requisitions(self, item_id: str, plant_id: str | None) -> list[Requisition]:
        """The open requisitions of the item for the plant (every plant when None)."""


@dataclass
class _Component:
    component_id: str
    old: Decimal = ZERO  # requirement of the moving orders under the old revision
    new: Decimal = ZERO  # ... and under the new one
    need_date: date | None = None  # the earliest start of a moving order that needs it
    before_e: Decimal = ZERO  # what the orders that keep the old revision still need of it


@dataclass
class Impact:
    eco_id: str | None
    effective_from: date | None
    as_of: date
    boms: list[dict] = field(default_factory=list)
    production_orders: list[dict] = field(default_factory=list)
    purchase_actions: list[dict] = field(default_factory=list)
    at_risk: list[dict] = field(default_factory=list)
    stock: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"eco_id": self.eco_id, "effective_from": _iso(self.effective_from), "as_of": _iso(self.as_of),
                "boms": self.boms, "production_orders": self.production_orders,
                "purchase_actions": self.purchase_actions, "at_risk": self.at_risk, "stock": self.stock}


# --- choosing from the hub's state: shared by every view ---

def previous_of(bom: m.Bom, revisions: Iterable[m.Bom]) -> m.Bom | None:
    """The released revision of the same item and plant, effective before `bom`, that it replaces."""
    earlier = [b for b in revisions if b.plant_id == bom.plant_id and b.revision != bom.revision
               and b.status == m.BomStatus.released
               and (bom.effective_from is None or b.effective_from is None or b.effective_from < bom.effective_from)]
    return max(earlier, key=lambda b: (b.effective_from or date.min, b.revision), default=None)


def orders_in(orders: Iterable[m.ProductionOrder], plant_id: str | None) -> list[m.ProductionOrder]:
    return sorted((o for o in orders if plant_id is None or o.plant_id == plant_id),
                  key=lambda o: (o.start_date or date.min, o.order_id))


def lines_by_item(orders: Iterable[m.PurchaseOrder]) -> dict[str, list[tuple[m.PurchaseOrder, m.PurchaseOrderLine]]]:
    found: dict[str, list[tuple[m.PurchaseOrder, m.PurchaseOrderLine]]] = {}
    for po in orders:
        for line in po.lines:
            found.setdefault(line.item_id, []).append((po, line))
    return found


def on_hand(balances: Iterable[dict], plant_id: str | None) -> Decimal:
    """Available stock of balance documents (held stock never counts)."""
    return sum((b["qty"] for b in balances if b["status"] == "available"
                and (plant_id is None or b["plant_id"] == plant_id)), ZERO)


def impact(releases: Iterable[m.Bom], eco: m.EngineeringChange | None, view: ImpactView, as_of: date) -> Impact:
    releases = list(releases)
    effective = (eco.effective_from if eco else None) or next((b.effective_from for b in releases), None)
    result = Impact(eco.eco_id if eco else None, effective, as_of)
    # A component the change touches under several parents is judged once, on its whole change.
    components: dict[tuple[str, str | None], _Component] = {}
    for bom in releases:
        _bom_impact(bom, view.previous_revision(bom), effective, view, result, components)
    for (_, plant_id), component in components.items():
        _component_impact(component, plant_id, effective, view, result)
    return result


def per_unit(lines: Iterable[m.BomLine]) -> dict[str, Decimal]:
    """component -> quantity needed per parent unit, scrap included."""
    need: dict[str, Decimal] = {}
    for line in lines:
        factor = line.qty_per / (1 - line.scrap_pct / 100) if line.scrap_pct else line.qty_per
        need[line.component_id] = need.get(line.component_id, ZERO) + factor
    return need


def _bom_impact(bom: m.Bom, old_bom: m.Bom | None, effective: date | None, view: ImpactView, out: Impact,
                components: dict[tuple[str, str | None], _Component]) -> None:
    """The parent's changes and its orders' moves; what its moving orders need of each changed
    component is added to `components`."""
    old = per_unit(old_bom.lines) if old_bom else {}
    new = per_unit(bom.lines)
    changes = _line_changes(old_bom, bom)
    out.boms.append({"item_id": bom.item_id, "plant_id": bom.plant_id,
                     "from_revision": old_bom.revision if old_bom else None, "to_revision": bom.revision,
                     "changes": changes})
    touched = [components.setdefault((c["component_id"], bom.plant_id), _Component(c["component_id"]))
               for c in changes]
    for order in view.production_orders(bom.item_id, bom.plant_id):
        moves = _order_moves(order, effective)
        out.production_orders.append(_order_row(order, bom, moves))
        for component in touched:
            _count_order(component, order, moves, old, new)


def _line_changes(old_bom: m.Bom | None, bom: m.Bom) -> list[dict]:
    old = {line.component_id: line.qty_per for line in (old_bom.lines if old_bom else [])}
    new = {line.component_id: line.qty_per for line in bom.lines}
    changes = []
    for component in sorted(old.keys() | new.keys()):
        before, after = old.get(component), new.get(component)
        if before == after:
            continue
        kind = "added" if before is None else "removed" if after is None else "qty_changed"
        changes.append({"component_id": component, "change": kind, "old_qty_per": before, "new_qty_per": after})
    return changes


def _order_moves(order: m.ProductionOrder, effective: date | None) -> bool:
    """Released and in-process orders keep their frozen revision; planned ones from E move."""
    if order.status != m.ProductionStatus.planned:
        return False
    return effective is None or (order.start_date is not None and order.start_date >= effective)


def _order_row(order: m.ProductionOrder, bom: m.Bom, moves: bool) -> dict:
    return {"order_id": order.order_id, "item_id": order.item_id, "plant_id": order.plant_id,
            "status": str(order.status), "start_date": _iso(order.start_date), "action": "move" if moves else "keep",
            "bom_revision": order.bom_revision, "new_revision": bom.revision if moves else order.bom_revision}


def _count_order(component: _Component, order: m.ProductionOrder, moves: bool, old: dict, new: dict) -> None:
    c = component.component_id
    if not moves:
        if order.status in _FROZEN or order.status == m.ProductionStatus.planned:
            component.before_e += order.qty * old.get(c, ZERO)
        return
    component.old += order.qty * old.get(c, ZERO)
    component.new += order.qty * new.get(c, ZERO)
    if new.get(c, ZERO) > 0 and order.start_date and (component.need_date is None or order.start_date < component.need_date):
        component.need_date = order.start_date


def _open_supply(view: ImpactView, item_id: str, plant_id: str | None) -> list[_Supply]:
    supply = []
    for po, line in view.purchase_lines(item_id):
        open_qty = line.qty - line.received_qty
        if str(po.status) not in _CLOSED_ORDERS and line.status not in _CLOSED_LINES and open_qty > 0:
            supply.append(_Supply(po.po_number, line.line_no, None, line.item_id, line.need_date,
                                  line.promised_date or line.need_date, open_qty))
    supply += [_Supply(None, None, r.key, r.item_id, r.due_date, r.due_date, r.qty)
               for r in view.requisitions(item_id, plant_id) if r.qty > 0]
    return supply


def open_requisitions(proposed: Iterable[dict], raised: Iterable[m.PurchaseRequisition],
                      plant_id: str | None) -> list[Requisition]:
    """The open requisitions of the plant (every plant when None), each by its entity key: those
    a plan of the hub's data proposed (stored documents) and those replenishment raised that no
    purchase order took up yet."""
    found = [Requisition(r["key"], r["item_id"], r.get("plant_id"), Decimal(str(r["qty"])),
                         date.fromisoformat(r["due_date"]) if r.get("due_date") else None)
             for r in proposed if r.get("status") != WITHDRAWN]
    found += [Requisition(keys.requisition(r.requisition_id), r.item_id, r.plant_id, r.qty, r.need_date)
              for r in raised if r.status == m.RequisitionStatus.open and r.po_number is None]
    return [r for r in found if plant_id is None or r.plant_id in (None, plant_id)]


def _component_impact(component: _Component, plant_id: str | None, effective: date | None, view: ImpactView,
                      out: Impact) -> None:
    lines = _open_supply(view, component.component_id, plant_id)
    change = component.new - component.old
    if change < 0:
        out.purchase_actions += _take_off_excess(-change, component.before_e, lines, effective)
    elif change > 0:
        _cover_rise(component, change, plant_id, lines, view, out)
    out.stock.append({"item_id": component.component_id, "plant_id": plant_id,
                      "on_hand": view.available_on_hand(component.component_id, plant_id),
                      "on_order": sum((s.open_qty for s in lines), ZERO),
                      "role": "phase_out" if change < 0 or component.new == 0 else "phase_in"})


def _take_off_excess(excess: Decimal, needed_before: Decimal, lines: list[_Supply], effective: date | None) -> list[dict]:
    """Cancel or reduce supply needed from E (latest first); then split supply needed before E
    that carries more than what is still needed before E."""
    actions = []
    later = sorted((s for s in lines if effective is None or (s.need_date and s.need_date >= effective)),
                   key=lambda s: s.need_date or date.max, reverse=True)
    for supply in later:
        open_qty = supply.open_qty
        if excess >= open_qty:
            actions.append(_action(supply, "cancel", ZERO, "requirement falls with the new revision"))
            excess -= open_qty
        elif excess > 0:
            actions.append(_action(supply, "reduce", open_qty - excess, "requirement falls with the new revision"))
            excess = ZERO
        else:
            actions.append(_action(supply, "keep", open_qty, "still needed"))
    earlier = sorted((s for s in lines if s not in later), key=lambda s: s.need_date or date.min)
    for supply in earlier:
        open_qty = supply.open_qty
        kept = min(open_qty, max(needed_before, ZERO))
        needed_before -= kept
        if excess > 0 and kept < open_qty:
            cut = min(excess, open_qty - kept)
            excess -= cut
            actions.append(_action(supply, "split", open_qty - cut,
                                   "needed before the change for the orders that keep the old revision"))
        else:
            actions.append(_action(supply, "keep", open_qty, "needed before the change"))
    return actions


def _cover_rise(component: _Component, rise: Decimal, plant_id: str | None, lines: list[_Supply], view: ImpactView,
                out: Impact) -> None:
    need = component.need_date
    promised_by_need = sum((s.open_qty for s in lines if need and s.promised_date and s.promised_date <= need), ZERO)
    short = rise - view.available_on_hand(component.component_id, plant_id) - promised_by_need
    for supply in lines:
        promised = supply.promised_date
        if need and promised and promised > need:
            out.purchase_actions.append(_action(supply, "expedite", supply.open_qty,
                                                f"promised {promised.isoformat()}, needed {need.isoformat()}"))
    rule = best_rule(view.sourcing_rules(component.component_id), out.as_of)
    available = out.as_of + timedelta(days=rule.lead_time_days or 0) if rule else None
    if short > 0 and need and (available is None or available > need):
        out.at_risk.append({"item_id": component.component_id, "plant_id": plant_id, "qty": short,
                            "need_date": need.isoformat(), "available_date": _iso(available),
                            "days_late": (available - need).days if available else None,
                            "supplier_id": rule.supplier_id if rule else None})


def best_rule(rules: Iterable[m.SourcingRule], as_of: date) -> m.SourcingRule | None:
    """The valid rule with the lowest priority number (ties: the supplier id, for a stable answer)."""
    valid = [r for r in rules if (r.valid_from is None or r.valid_from <= as_of)
             and (r.valid_to is None or as_of <= r.valid_to)]
    return min(valid, key=lambda r: (r.priority, r.supplier_id), default=None)


def _action(supply: _Supply, action: str, new_qty: Decimal, reason: str) -> dict:
    row = {"po_number": supply.po_number, "line_no": supply.line_no, "item_id": supply.item_id, "action": action,
           "open_qty": supply.open_qty, "new_qty": new_qty, "need_date": _iso(supply.need_date), "reason": reason}
    if supply.requisition is not None:
        row["requisition_id"] = supply.requisition
    return row


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
