"""Keeping a plan of the hub's data: planned orders as requisition proposals, messages as planner
exceptions, in one unit of work.

A plan replaces the previous plan of its plant. A requisition planned again under the same key
(item, plant, due date) stays as it is, or is updated when its quantity or release date changed;
one no longer planned is marked `withdrawn`, never deleted, so the replenishment workflow and the
audit still see what was proposed; a new one is added as `proposed`. A planner exception is
raised once: one still open under its business key is not raised again, so planning the same
data twice leaves the same queue. One the new plan no longer raises (the late order arrived, the
demand moved) is resolved by the planning run, so the queue holds what is true now.
"""

from __future__ import annotations

import json
from typing import Callable, Iterable, NamedTuple

from mfgsync.pipeline.clock import iso
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
              exceptions: Iterable[PlannerException], clock: Callable[[], float], actor: str) -> KeptPlan:
    """Replace the plant's requisition proposals by the plan's and raise its new exceptions."""
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
        uow.put_entities(rows)
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
