"""Available-to-promise judged on request (`mfgsync atp --raise`): the judgement the pipeline
makes after every change of supply or committed demand (workflows/availability.py), made now
for one item and plant in one unit of work, so an ATP that time alone made short (a receipt
now overdue) reaches the planner too. Raised once and resolved as the pipeline does: the same
record per item and plant decides.
"""

from __future__ import annotations

from typing import Callable

from mfgsync.config import Settings
from mfgsync.pipeline.batch import Batch
from mfgsync.pipeline.clock import iso
from mfgsync.pipeline.effects import exception_row
from mfgsync.store.port import AuditEntry, Store, transact
from mfgsync.workflows import availability
from mfgsync.workflows.effects import Put, Raise, Resolve


def judge_now(store: Store, settings: Settings, item_id: str, plant_id: str, clock: Callable[[], float],
              actor: str) -> list[str]:
    """The codes raised or resolved (`ATP_SHORT`, `resolved ATP_SHORT`), empty when nothing changed."""
    now = clock()

    def work(uow) -> list[str]:
        batch = Batch(uow, settings, now, iso(now), actor)
        done = []
        for effect in availability.judge(item_id, plant_id, batch.state):
            if isinstance(effect, Put):
                batch.state.put(effect, None, f"atp\x1f{item_id}@{plant_id}")
            elif isinstance(effect, Raise):
                batch.exceptions.append(exception_row(effect, None, None, batch.at, {
                    "correlation_id": None, "causation_id": None, "mapping_version": None}))
                done.append(effect.code)
            elif isinstance(effect, Resolve):
                batch.resolved.append({"entity_key": effect.entity_key, "code": effect.code, "by": actor,
                                       "note": effect.note})
                done.append(f"resolved {effect.code}")
        if done:
            batch.audit.append(AuditEntry(actor, "availability.judged", f"atp:{item_id}@{plant_id}", {"changed": done}))
        batch.flush()
        return done

    return transact(store, work)
