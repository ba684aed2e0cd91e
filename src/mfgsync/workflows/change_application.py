"""Applying an engineering change, once an approved ECO and its released revision are both in
the hub (whichever came last): planned orders from the effective date move to the new
revision, the envelope targets (MES) are told which, each purchase action goes to supply chain
and each supply risk to planning — all under the ECO's correlation id (DESIGN.md section 9).
"""

from __future__ import annotations

from typing import Protocol

from mfgsync.envelope import EventType
from mfgsync.model import entities as m
from mfgsync.model import keys
from mfgsync.workflows.effects import Effect, Emit, Put, Raise
from mfgsync.workflows.engineering_change import Impact, ImpactView, impact
from mfgsync.workflows.event import Event, WorkflowView


class ChangeView(ImpactView, WorkflowView, Protocol):
    def engineering_changes(self, item_id: str) -> list[m.EngineeringChange]: ...

    def bom_revisions(self, item_id: str) -> list[m.Bom]: ...


def apply_change(eco: m.EngineeringChange | None, releases: list[m.Bom], state: ChangeView,
                 event: Event) -> list[Effect]:
    """The effects of one release of an ECO: its revisions judged together (a component the ECO
    changes under several parents is taken off its purchase lines once, on its whole change).
    `eco` None: the ECO is looked up in the hub; `releases` empty: its revisions in the hub."""
    eco = eco or _change_of(releases, state)
    if eco is None or eco.status == m.EcoStatus.cancelled:
        return []
    releases = releases or [b for b in state.bom_revisions(eco.item_id)
                            if b.revision == eco.to_revision and b.status == m.BomStatus.released]
    if not releases:
        return []
    result = impact(releases, eco, state, event.time.date())
    return [*_moves(result, releases, eco, state), *_purchase_actions(result, eco), *_risks(result, eco)]


def _change_of(releases: list[m.Bom], state: ChangeView) -> m.EngineeringChange | None:
    """The approved ECO that introduces one of these revisions."""
    return next((c for bom in releases for c in state.engineering_changes(bom.item_id)
                 if c.to_revision == bom.revision and c.status != m.EcoStatus.cancelled), None)


def _moves(result: Impact, releases: list[m.Bom], eco: m.EngineeringChange, state: ChangeView) -> list[Effect]:
    """Planned orders from the effective date build with the new revision: the hub records it and
    tells each envelope target of the release (MES) which orders moved."""
    moving = {row["order_id"] for row in result.production_orders if row["action"] == "move"}
    effects: list[Effect] = []
    for bom in releases:
        orders = [o for o in state.production_orders(bom.item_id, bom.plant_id) if o.order_id in moving]
        if not orders:
            continue
        effects += [Put(keys.production_order(o.order_id), "production_order", o.item_id,
                        o.model_copy(update={"bom_revision": bom.revision})) for o in orders]
        notice = {"eco_id": eco.eco_id, "item_id": bom.item_id, "plant_id": bom.plant_id, "to_revision": bom.revision,
                  "effective_from": result.to_json()["effective_from"],
                  "orders": [{"order_id": o.order_id, "item_id": o.item_id, "qty": o.qty, "plant_id": o.plant_id,
                              "status": str(o.status), "from_revision": o.bom_revision, "to_revision": bom.revision,
                              "start_date": o.start_date.isoformat() if o.start_date else None,
                              "due_date": o.due_date.isoformat() if o.due_date else None} for o in orders]}
        effects += [Emit(target, "production.orders_moved", f"{target}:eco:{eco.eco_id}:moves:{bom.item_id}@"
                         f"{bom.plant_id or '*'}", notice, keys.bom(bom.item_id, bom.plant_id))
                    for target in state.subscribers(EventType.bom_released) if not state.takes_commands(target)]
    return effects


def _purchase_actions(result: Impact, eco: m.EngineeringChange) -> list[Effect]:
    return [_purchase_action(a, eco) for a in result.purchase_actions if a["action"] != "keep"]


def _purchase_action(a: dict, eco: m.EngineeringChange) -> Raise:
    """A PO line's action goes to supply chain against the PO; a requisition's against itself."""
    facts = f"({a['item_id']}, open {a['open_qty']}, new {a['new_qty']}): {a['reason']}"
    if "requisition_id" in a:
        return Raise(f"ECO_REQUISITION_{a['action'].upper()}", "supply_chain",
                     f"{eco.eco_id}: {a['action']} requisition {a['requisition_id']} {facts}", a["requisition_id"])
    return Raise(f"ECO_PO_{a['action'].upper()}", "supply_chain",
                 f"{eco.eco_id}: {a['action']} line {a['line_no']} of PO {a['po_number']} {facts}",
                 keys.purchase_order(a["po_number"]))


def _risks(result: Impact, eco: m.EngineeringChange) -> list[Effect]:
    return [Raise("ECO_SUPPLY_AT_RISK", "planner",
                  f"{eco.eco_id}: {r['qty']} {r['item_id']} needed {r['need_date']} at {r['plant_id'] or 'every plant'}, "
                  f"available {r['available_date'] or 'from no valid source'}"
                  + (f" ({r['days_late']} days late, {r['supplier_id']})" if r["days_late"] is not None else ""),
                  keys.item(r["item_id"]))
            for r in result.at_risk]
