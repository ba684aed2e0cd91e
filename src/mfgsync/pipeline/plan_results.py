"""Keeping a plan of the hub's data: planned orders as requisition proposals, messages as planner
exceptions, in one unit of work.

A plan replaces the previous plan of its plant. A requisition planned again under the same key
(item, plant, due date) stays as it is, or is updated when its quantity or release date changed;
one no longer planned is marked `withdrawn`, never deleted, so the replenishment workflow and the
audit still see what was proposed; a new one is added as `proposed`. A planner exception is
raised once: one still open under its business key is not raised again, so planning the same
data twice leaves the same queue. One the new plan no longer raises (the late order arrived, the
demand moved) is resolved by the planning run, so the queue holds what is true now.

The plan's single-level pegging of each open purchase order line it planned with (a scheduled
receipt `PO <number>/<line>`) is kept too, per line and plant (model/plan_records.py): the
parents' planned orders, production orders and end demands it serves, with the quantity of the
line each takes, so an acknowledgement that makes the line late or short names exactly those.
Each plan replaces the plant's pegging; a line it no longer plans with is marked `withdrawn`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Callable, Iterable, NamedTuple

from mfgsync.model import keys
from mfgsync.model.entities import PurchaseOrder
from mfgsync.model.plan_records import (PLAN_PEGGING, PeggedKind, PeggedOrder, PlanPegging, PlanStatus,
                                        plan_pegging_key)
from mfgsync.pipeline.clock import iso
from mfgsync.planning.calendar import BucketCalendar
from mfgsync.planning.from_store import PRECISION
from mfgsync.planning.model import MrpInput, MrpPlan, as_decimal
from mfgsync.planning import pegging as single_level
from mfgsync.planning.proposals import PlannerException, RequisitionProposal
from mfgsync.store.port import OPEN, AuditEntry, Store, UnitOfWork, transact

REQUISITION = "requisition"
MRP_SOURCE = "mrp"  # the source of every planner exception a plan raises
PROPOSED, WITHDRAWN = "proposed", "withdrawn"


class KeptPlan(NamedTuple):
    proposed: int  # requisitions added or changed
    unchanged: int
    withdrawn: int
    raised: int  # planner exceptions raised
    already_open: int
    resolved: int  # open from an earlier plan of the plant, no longer raised


def keep_plan(store: Store, plant_id: str, proposals: Iterable[RequisitionProposal],
              exceptions: Iterable[PlannerException], clock: Callable[[], float], actor: str,
              pegging: Iterable[PlanPegging] = ()) -> KeptPlan:
    """Replace the plant's requisition proposals and purchase line pegging by the plan's and
    raise its new exceptions (`pegging`: as `po_line_pegging` gives it)."""
    pegging = list(pegging)
    at = iso(clock())
    wanted = {p.key: _requisition(p, PROPOSED) for p in proposals}
    raised = {x.key: x for x in exceptions}
    stale = {key: xid for key, xid in _open_plan_exceptions(store, plant_id).items() if key not in raised}

    def work(uow: UnitOfWork) -> KeptPlan:
        previous = _proposed_in(uow, plant_id)
        withdrawn = {key: {**data, "status": WITHDRAWN} for key, data in previous.items() if key not in wanted}
        stored = uow.entity_rows([*wanted, *withdrawn])
        rows = [_row(key, data, stored.get(key), at) for key, data in {**wanted, **withdrawn}.items()
                if key not in stored or json.loads(stored[key].data) != data]
        uow.put_entities(rows + _pegging_rows(uow, plant_id, pegging, at))
        already_open = uow.open_exception_keys(raised)
        uow.add_exceptions([_exception_row(x, at) for key, x in raised.items() if key not in already_open])
        resolved = _resolve(uow, stale.values(), actor, at)
        kept = KeptPlan(len(rows) - len(withdrawn), len(wanted) + len(withdrawn) - len(rows), len(withdrawn),
                        len(raised) - len(already_open), len(already_open), resolved)
        uow.audit([AuditEntry(actor, "plan.kept", f"plan:{plant_id}", kept._asdict())], at)
        return kept

    return transact(store, work)


def _open_plan_exceptions(store: Store, plant_id: str) -> dict[str, int]:
    """Business key -> id of the plant's open planner exceptions raised by planning."""
    found, after = {}, 0
    with store.reading() as read:
        while True:
            page = read.exceptions("open", "workflow", "planner", None, after)
            found.update((row["entity_key"], row["id"]) for row in page.rows
                         if row["source"] == MRP_SOURCE and json.loads(row["payload"]).get("plant_id") == plant_id)
            if not page.more:
                return found
            after = page.next_after


def _resolve(uow: UnitOfWork, ids: Iterable[int], actor: str, at: str) -> int:
    """Resolve those still open (a planner may have closed one since it was read)."""
    resolved = 0
    for xid in ids:
        row = uow.exception(xid)
        if row is not None and row["status"] in OPEN:
            uow.update_exception(xid, {"status": "resolved", "resolved_by": actor, "resolved_at": at,
                                       "note": "no longer raised by the plant's plan"})
            resolved += 1
    return resolved


def _proposed_in(uow: UnitOfWork, plant_id: str) -> dict[str, dict]:
    """The plant's requisitions still proposed, by key."""
    found = (json.loads(data) for data in uow.entities_of_type(REQUISITION))
    return {r["key"]: r for r in found if r["plant_id"] == plant_id and r["status"] == PROPOSED}


def _requisition(proposal: RequisitionProposal, status: str) -> dict:
    return {"key": proposal.key, "item_id": proposal.item_id, "plant_id": proposal.plant_id,
            "qty": str(proposal.qty), "release_date": proposal.release_date.isoformat(),
            "due_date": proposal.due_date.isoformat(), "status": status}


def _row(key: str, data: dict, stored, at: str) -> dict:
    return {"entity_key": key, "entity_type": REQUISITION, "ref": data["item_id"], "tokens": None,
            "data": json.dumps(data, sort_keys=True), "updated_at": at, "msg_key": None,
            "version": stored.version if stored else 0}


def _exception_row(raised: PlannerException, at: str) -> dict:
    reasons = [{"code": raised.code, "message": raised.detail["message"], "field": None}]
    return {"kind": "workflow", "msg_key": None, "source": MRP_SOURCE, "event_type": None, "entity_key": raised.key,
            "codes": raised.code, "reasons": json.dumps(reasons), "owner_role": raised.role,
            "payload": json.dumps(raised.detail), "outbox_id": None, "at": at, "correlation_id": None,
            "causation_id": None, "mapping_version": None}


# --- the pegging of the purchase order lines the plan planned with ---

def po_line_pegging(inp: MrpInput, plan: MrpPlan, calendar: BucketCalendar, plant_id: str,
                    proposals: Iterable[RequisitionProposal]) -> list[PlanPegging]:
    """What the plan pegs to each open purchase order line it planned with, in the item's base
    unit (`keep_plan` puts it in the line's). `proposals`: the plan's, naming its planned orders.
    Single-level pegging as planning/pegging.py allots it, at the items on order only."""
    planned = {(p.item_id, p.release_period): p.key for p in proposals}
    on_order = {r.item_id for r in inp.scheduled_receipts if _po_line(r.ref)}
    return [_line_pegging(supply, inp, calendar, plant_id, planned)
            for supply in single_level.item_supplies(inp, plan, on_order)
            if supply.supply == "scheduled" and _po_line(inp.scheduled_receipts[supply.index].ref)]


def _line_pegging(supply: single_level.SupplyPegging, inp: MrpInput, calendar: BucketCalendar, plant_id: str,
                  planned: dict[tuple[str, int], str]) -> PlanPegging:
    po_number, line_no = _po_line(inp.scheduled_receipts[supply.index].ref)
    orders = [o for share in supply.pegs if (o := _pegged(share, supply.item_id, inp, calendar, planned))]
    stock = sum((as_decimal(s.qty) for s in supply.pegs if s.to in ("safety_stock", "excess")), Decimal(0))
    return PlanPegging(po_number=po_number, line_no=line_no, item_id=supply.item_id, plant_id=plant_id,
                       open_qty=as_decimal(supply.qty), stock_qty=stock, orders=orders, planned_on=calendar.start)


def _po_line(ref: str | None) -> tuple[str, int] | None:
    """(PO number, line) of a scheduled receipt planning from the store names `PO <number>/<line>`."""
    number, _, line = (ref or "").removeprefix("PO ").rpartition("/")
    return (number, int(line)) if ref and ref.startswith("PO ") and number and line.isdigit() else None


_PRODUCTION_ORDER = "production order "  # how planning from the store names a production order


def _pegged(share: single_level.Peg, item_id: str, inp: MrpInput, calendar: BucketCalendar,
            planned: dict[tuple[str, int], str]) -> PeggedOrder | None:
    """The order one share of the line serves; None for stock (safety stock, excess)."""
    qty = as_decimal(share.qty)
    if share.to == "parent" and (share.parent, share.period) in planned:
        return PeggedOrder(kind=PeggedKind.planned_order, order=planned[(share.parent, share.period)],
                           item_id=share.parent, need_date=calendar.bucket_start(share.period), qty=qty)
    if share.to == "demand":
        demand = inp.demand[share.demand]
        ref = demand.ref or f"demand {share.demand + 1}"
        kind = PeggedKind.production_order if ref.startswith(_PRODUCTION_ORDER) else PeggedKind.demand
        return PeggedOrder(kind=kind, order=ref.removeprefix(_PRODUCTION_ORDER), item_id=item_id,
                           need_date=calendar.bucket_start(demand.period), qty=qty)
    if share.to == "allocated":
        return PeggedOrder(kind=PeggedKind.allocated, order="stock allocated to orders", item_id=item_id,
                           need_date=calendar.start, qty=qty)
    return None


def _pegging_rows(uow: UnitOfWork, plant_id: str, pegging: list[PlanPegging], at: str) -> list[dict]:
    """The plant's pegging replaced: each line's, in its unit; earlier ones no longer planned withdrawn."""
    orders = {key: PurchaseOrder.model_validate_json(row.data) for key, row in uow.entity_rows(
        {keys.purchase_order(p.po_number) for p in pegging}).items()}
    wanted = {plan_pegging_key(p.po_number, p.line_no, plant_id):
              _in_line_units(p, orders.get(keys.purchase_order(p.po_number))) for p in pegging}
    earlier = (PlanPegging.model_validate_json(data) for data in uow.entities_of_type(PLAN_PEGGING))
    for p in earlier:
        key = plan_pegging_key(p.po_number, p.line_no, p.plant_id)
        if p.plant_id == plant_id and p.status == PlanStatus.current and key not in wanted:
            wanted[key] = p.model_copy(update={"status": PlanStatus.withdrawn, "orders": [], "stock_qty": Decimal(0)})
    stored = uow.entity_rows(wanted)
    return [{"entity_key": key, "entity_type": PLAN_PEGGING, "ref": p.po_number, "tokens": None, "data": data,
             "updated_at": at, "msg_key": None, "version": stored[key].version if key in stored else 0}
            for key, p in wanted.items()
            if (data := p.model_dump_json()) != (stored[key].data if key in stored else None)]


def _in_line_units(pegging: PlanPegging, po: PurchaseOrder | None) -> PlanPegging:
    """The pegging in the line's unit: the plan counted on its open quantity, in the item's base."""
    line = next((line for line in po.lines if line.line_no == pegging.line_no), None) if po else None
    if line is None or pegging.open_qty <= 0:
        return pegging
    open_qty = (line.qty if line.committed_qty is None else line.committed_qty) - line.received_qty

    def scaled(qty: Decimal) -> Decimal:
        return (qty * open_qty / pegging.open_qty).quantize(PRECISION)

    return pegging.model_copy(update={"uom": line.uom, "open_qty": open_qty, "stock_qty": scaled(pegging.stock_qty),
                                      "orders": [o.model_copy(update={"qty": scaled(o.qty)}) for o in pegging.orders]})
