"""Replenishment from the plan: MRP on the hub's data for one plant, and each planned order of a
bought item that must be released now turned into a requisition and a purchase order
(workflows/replenishment.py `from_plan`), all in one unit of work with an audit entry.

The effects are persisted as an applied message's are, under the event that a purchase order is
created, with the correlation id `mrp:<plant>:<day>`, so lineage shows what one run caused.
Running it again the same day finds its requisitions and orders nothing twice.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Callable

from mfgsync.config import Settings
from mfgsync.connectors.base import Delivery, PermanentError
from mfgsync.envelope import EventType
from mfgsync.model import entities as m
from mfgsync.pipeline.batch import Batch
from mfgsync.pipeline.clock import iso
from mfgsync.pipeline.effects import persist
from mfgsync.planning.calendar import BucketCalendar
from mfgsync.planning.from_store import plan_from_source
from mfgsync.planning.model import MrpInputError
from mfgsync.planning.proposals import proposals_and_exceptions
from mfgsync.store.planning_source import StorePlanningSource
from mfgsync.store.port import AuditEntry, Store, transact
from mfgsync.workflows import replenishment
from mfgsync.workflows.effects import Put
from mfgsync.workflows.replenishment import PLANNING_TARGET
from mfgsync.workflows.event import Event


def replenish_from_plan(store: Store, settings: Settings, plant_id: str, calendar: BucketCalendar,
                        clock: Callable[[], float], actor: str) -> list[dict]:
    """The requisitions raised, as stored."""
    with store.reading() as read:
        planned = plan_from_source(StorePlanningSource(read, settings), calendar, plant_id)
    proposals, _ = proposals_and_exceptions(planned.input, planned.plan, calendar, plant_id)
    now = clock()
    today = datetime.fromtimestamp(now, timezone.utc).date()
    due_now = [p for p in proposals if p.release_date <= today]

    def work(uow) -> list[dict]:
        batch = Batch(uow, settings, now, iso(now), actor)
        event = _run_event(plant_id, today, now)
        lineage = {"correlation_id": event.correlation_id, "causation_id": None, "mapping_version": None}
        raised = []
        for proposal in due_now:
            effects = replenishment.from_plan(proposal.item_id, plant_id, proposal.qty, proposal.due_date,
                                              batch.state, event)
            persist(effects, event, batch, "", "", lineage)
            raised += [e.entity.model_dump(mode="json") for e in effects
                       if isinstance(e, Put) and isinstance(e.entity, m.PurchaseRequisition)]
        batch.audit.append(AuditEntry(actor, "replenishment.planned", f"plan:{plant_id}",
                                      {"planned_now": len(due_now), "requisitions": len(raised)},
                                      event.correlation_id))
        batch.flush()
        return raised

    return transact(store, work)


class PlanningTarget:
    """The hub's own planning as a delivery target: the plan a plant's movements scheduled
    (workflows/replenishment.py `plan_again`) is a command like any other — leased, retried
    when the store is busy, dead-lettered with its reason when the plant cannot be planned —
    and delivering it twice orders nothing twice (requisitions are once per due date)."""

    def __init__(self, store: Store, settings: Settings, clock: Callable[[], float]):
        self.store, self.settings, self.clock = store, settings, clock

    def deliver(self, delivery: Delivery) -> None:
        plant_id = json.loads(delivery.payload)["plant_id"]
        start = datetime.fromtimestamp(self.clock(), timezone.utc).date()
        try:
            replenish_from_plan(self.store, self.settings, plant_id, BucketCalendar(start=start), self.clock,
                                PLANNING_TARGET)
        except MrpInputError as exc:  # the plant's data cannot be planned: a person must look
            raise PermanentError(f"{getattr(exc, 'code', 'MRP_INPUT_INVALID')}: {exc}") from exc


def _run_event(plant_id: str, today: date, now: float) -> Event:
    run = f"mrp:{plant_id}:{today.isoformat()}"
    return Event(EventType.po_created, m.PurchaseRequisition.model_construct(), f"mrp\x1f{run}", "mrp", run,
                 datetime.fromtimestamp(now, timezone.utc), run)
