"""Engineering data into the ERP: items and BOM revisions as commands for each plant that
receives them, and the revision made the default on its effective date.

An engineering BOM (no plant) becomes one manufacturing BOM per plant whose `receives` patterns
match the item, in the plant's units and with its alternates (workflows/plant_boms.py); a
plant-specific BOM goes to its plant. Each command's effect key is its
business identity (`erp:bom:PMP-100@P1#B`), so a release received twice is carried out once,
and the ERP connector can find what it made after a timeout. The switch of the default BOM is
scheduled for the effective date, in the BOM's own stream, so it always follows the upsert.

A released routing goes the same way (`routing.upsert`, one per receiving plant), in the stream
of the BOM of its item and plant: the ERP links a routing to the BOM of the same revision, so it
follows the BOM commands of its release.
"""

from __future__ import annotations

from datetime import datetime, time, timezone
from typing import Iterator

from mfgsync.model import entities as m
from mfgsync.model import keys
from mfgsync.rules import policy
from mfgsync.workflows.effects import Effect, Emit, ScheduleAt
from mfgsync.workflows.event import Event, PlantView, WorkflowView
from mfgsync.workflows.plant_boms import manufacturing_bom


def receiving_plants(item_id: str, plant_id: str | None, plants: dict[str, PlantView]) -> Iterator[str | None]:
    """The plants an item's BOM goes to (None: the hub knows no plants, one BOM for all)."""
    return policy.receiving_plants(item_id, plant_id, {p: plant.receives for p, plant in plants.items()})


def _codes(plants: dict[str, PlantView], plant_id: str | None, target: str) -> dict[str, str]:
    plant = plants.get(plant_id) if plant_id else None
    return dict(plant.item_codes.get(target, {})) if plant else {}


def _command_targets(event: Event, state: WorkflowView) -> list[str]:
    """The subscribers of the event that take commands (the ERPs)."""
    return [target for target in state.subscribers(event.type) if state.takes_commands(target)]


def propagate_bom(event: Event, state: WorkflowView) -> list[Effect]:
    bom: m.Bom = event.entity
    plants = dict(state.plants())
    return [effect for target in _command_targets(event, state)
            for plant_id in receiving_plants(bom.item_id, bom.plant_id, plants)
            for effect in _bom_commands(target, manufacturing_bom(bom, plant_id, plants.get(plant_id), state.units()),
                                        _codes(plants, plant_id, target), event)]


def _bom_commands(target: str, bom: m.Bom, codes: dict[str, str], event: Event) -> list[Effect]:
    key = f"{target}:bom:{bom.item_id}@{bom.plant_id or '*'}#{bom.revision}"
    stream = keys.bom(bom.item_id, bom.plant_id)
    upsert = Emit(target, "bom.upsert", key, {"bom": bom.model_dump(mode="json"), "item_codes": codes}, stream)
    default = Emit(target, "bom.make_default", f"{key}:default",
                   {"item_id": bom.item_id, "revision": bom.revision, "plant_id": bom.plant_id, "item_codes": codes},
                   stream)
    due = datetime.combine(bom.effective_from, time(), timezone.utc) if bom.effective_from else event.time
    return [upsert, ScheduleAt(due, default)]


def propagate_routing(event: Event, state: WorkflowView) -> list[Effect]:
    routing: m.Routing = event.entity
    plants = dict(state.plants())
    return [Emit(target, "routing.upsert", f"{target}:routing:{routing.item_id}@{plant_id or '*'}#{routing.revision}",
                 {"routing": routing.model_copy(update={"plant_id": plant_id}).model_dump(mode="json"),
                  "item_codes": _codes(plants, plant_id, target)}, keys.bom(routing.item_id, plant_id))
            for target in _command_targets(event, state)
            for plant_id in receiving_plants(routing.item_id, routing.plant_id, plants)]


def propagate_item(event: Event, state: WorkflowView) -> list[Effect]:
    """Each item state reaches the ERP under the code each plant knows it by."""
    item: m.Item = event.entity
    plants = dict(state.plants())
    effects: list[Effect] = []
    for target in _command_targets(event, state):
        codes = sorted({_codes(plants, p, target).get(item.item_id, item.item_id) for p in plants} or {item.item_id})
        for code in codes:
            effects.append(Emit(target, "item.upsert", f"{target}:item:{code}@{event.source}/{event.message_id}",
                                {"item": item.model_dump(mode="json"), "code": code}, keys.item_command_stream(code)))
    return effects
