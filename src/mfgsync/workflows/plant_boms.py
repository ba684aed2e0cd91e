"""The engineering BOM made one plant's manufacturing BOM, from the plant's configuration.

A plant may count a component in its own unit (`units`): its lines of that component are
converted into it, exactly, through the hub's conversions. A plant may have qualified
alternates for a component (`alternates`, preferred first): each becomes a line of the
component's alternate group (the line's own group, else one named after the component), at
the same quantity per parent, ranked after the line itself. The validation rules have checked
before the release was applied that every conversion exists and every alternate is a known item.
"""

from __future__ import annotations

from mfgsync.model import entities as m
from mfgsync.model.units import UnitCatalogue
from mfgsync.workflows.event import PlantView


def manufacturing_bom(bom: m.Bom, plant_id: str | None, plant: PlantView | None, units: UnitCatalogue) -> m.Bom:
    """`bom` as plant `plant_id` builds it (the same BOM, scoped to it, when the plant changes nothing)."""
    if plant is None or not (plant.units or plant.alternates):
        return bom.model_copy(update={"plant_id": plant_id})
    lines, added = [], []
    next_no = max((line.line_no for line in bom.lines), default=0)
    for line in bom.lines:
        alternates = plant.alternates.get(line.component_id, ())
        head = _grouped(line) if alternates else line
        lines.append(_in_plant_unit(head, plant, units))
        last = _last_priority(bom, head)
        for rank, alternate in enumerate(alternates, start=1):
            next_no += 1
            added.append(_in_plant_unit(head.model_copy(update={
                "line_no": next_no, "component_id": alternate, "alternate_priority": last + rank}), plant, units))
    return bom.model_copy(update={"plant_id": plant_id, "lines": lines + added})


def _grouped(line: m.BomLine) -> m.BomLine:
    """The line as the head of an alternate group (its own group and priority, if it has them)."""
    return line.model_copy(update={"alternate_group": line.alternate_group or line.component_id,
                                   "alternate_priority": line.alternate_priority or 1})


def _last_priority(bom: m.Bom, head: m.BomLine) -> int:
    """The lowest rank in the head's group of the engineering BOM: the plant's alternates come after it."""
    return max([line.alternate_priority or 1 for line in bom.lines if line.alternate_group == head.alternate_group]
               + [head.alternate_priority or 1])


def _in_plant_unit(line: m.BomLine, plant: PlantView, units: UnitCatalogue) -> m.BomLine:
    uom = plant.units.get(line.component_id)
    if uom is None or uom == line.uom:
        return line
    return line.model_copy(update={"qty_per": units.convert(line.qty_per, line.uom, uom, line.component_id),
                                   "uom": uom})
