"""Rules for a released BOM: its lines, its revision order, its effectivity, and cycles."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from datetime import date

from mfgsync.model.entities import Bom, BomStatus, EcoStatus, EngineeringChange, ItemStatus, Routing
from mfgsync.model.units import UnitError
from mfgsync.rules.checks import known_item, unit_converts
from mfgsync.rules.findings import Finding
from mfgsync.rules.policy import Policy, receiving_plants
from mfgsync.rules.state import StateView


def revision_before(a: str, b: str) -> bool:
    """Whether revision `a` comes before `b`: as numbers when both are numeric ("9" < "10"),
    otherwise shorter first and then alphabetically ("B" < "C" < "AA", as letter revisions run)."""
    if _numeric(a) and _numeric(b):
        return int(a) < int(b)
    return (len(a), a) < (len(b), b)


def _numeric(revision: str) -> bool:
    return revision.isascii() and revision.isdigit()


def bom_parent_known(bom: Bom, state: StateView, policy: Policy) -> Iterator[Finding]:
    _, findings = known_item(state, bom.item_id, "item_id", f" (BOM revision {bom.revision})")
    yield from findings


def bom_lines_valid(bom: Bom, state: StateView, policy: Policy) -> Iterator[Finding]:
    seen_line_nos: set[int] = set()
    for index, line in enumerate(bom.lines):
        path, where = f"lines[{index}]", f" (line {line.line_no})"
        if line.line_no in seen_line_nos:
            yield Finding("BOM_LINE_DUPLICATE", f"line number {line.line_no} appears twice", f"{path}.line_no")
        seen_line_nos.add(line.line_no)
        yield from _component_usable(bom, line.component_id, line.uom, state, path, where)
        if line.qty_per <= 0:
            yield Finding("QTY_PER_NOT_POSITIVE", f"qty_per {line.qty_per} is not above zero{where}", f"{path}.qty_per")
        if not 0 <= line.scrap_pct < 100:
            yield Finding("SCRAP_PCT_OUT_OF_RANGE", f"scrap_pct {line.scrap_pct} is outside [0, 100){where}",
                          f"{path}.scrap_pct")


def _component_usable(bom: Bom, component_id: str, uom: str, state: StateView,
                      path: str, where: str) -> Iterator[Finding]:
    component = state.item(component_id)
    if component is None:
        yield Finding("COMPONENT_UNKNOWN", f"component {component_id} is not a known item{where}",
                      f"{path}.component_id")
        return
    if component.status == ItemStatus.obsolete:
        yield Finding("COMPONENT_OBSOLETE", f"component {component_id} is obsolete{where}", f"{path}.component_id")
    yield from unit_converts(state, component, uom, f"{path}.uom", where)


def bom_fits_its_plants(bom: Bom, state: StateView, policy: Policy) -> Iterator[Finding]:
    """Each plant that receives the BOM can build it: the components it counts in a unit of its
    own convert into it, and the alternates it qualified are usable items in the line's unit."""
    for plant_id in receiving_plants(bom.item_id, bom.plant_id, policy.receives):
        units, alternates = policy.units.get(plant_id or "", {}), policy.alternates.get(plant_id or "", {})
        for index, line in enumerate(bom.lines):
            path, where = f"lines[{index}]", f" (line {line.line_no}, plant {plant_id})"
            for component in (line.component_id, *alternates.get(line.component_id, ())):
                if component != line.component_id:
                    yield from _component_usable(bom, component, line.uom, state, path, f"{where}, an alternate")
                yield from _converts_to_plant_unit(state, component, line.uom, units.get(component), path, where)


def _converts_to_plant_unit(state: StateView, item_id: str, uom: str, plant_uom: str | None, path: str,
                            where: str) -> Iterator[Finding]:
    if plant_uom is None or plant_uom == uom:
        return
    try:
        state.units().factor(uom, plant_uom, item_id)
    except UnitError as exc:
        yield Finding(exc.code, f"{uom} of {item_id} does not convert to {plant_uom}, the unit its plant counts it "
                                f"in{where}", f"{path}.uom")


def bom_revision_advances(bom: Bom, state: StateView, policy: Policy) -> Iterator[Finding]:
    """A release must come after the highest released revision of the same item and plant.

    Re-sending a revision already released there is a re-release, not a regression.
    """
    if bom.status != BomStatus.released:
        return
    released = [b.revision for b in _same_item_and_plant(bom, state)]
    if not released or bom.revision in released:
        return
    highest = released[0]
    for revision in released[1:]:
        if revision_before(highest, revision):
            highest = revision
    if revision_before(bom.revision, highest):
        yield Finding("BOM_REVISION_REGRESSION",
                      f"revision {bom.revision} of {bom.item_id}{_at(bom.plant_id)} comes before the released "
                      f"revision {highest}", "revision")


def _same_item_and_plant(bom: Bom, state: StateView) -> list[Bom]:
    return [b for b in state.released_boms(bom.item_id) if b.plant_id == bom.plant_id]


def _at(plant_id: str | None) -> str:
    return f" at {plant_id}" if plant_id else " (all plants)"


def bom_effectivity_disjoint(bom: Bom, state: StateView, policy: Policy) -> Iterator[Finding]:
    """No two released revisions of an item may be effective at once in the same plant."""
    if bom.status != BomStatus.released:
        return
    for other in state.released_boms(bom.item_id):
        same_bom = (other.revision, other.plant_id) == (bom.revision, bom.plant_id)
        if same_bom or not _plants_overlap(bom.plant_id, other.plant_id) or not _in_conflict(bom, other):
            continue
        yield Finding("EFFECTIVITY_OVERLAP",
                      f"revision {bom.revision}{_at(bom.plant_id)} ({_window_text(bom)}) overlaps released "
                      f"revision {other.revision}{_at(other.plant_id)} ({_window_text(other)})",
                      "effective_from")


def _plants_overlap(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b  # no plant: the BOM holds in every plant


def _in_conflict(a: Bom, b: Bom) -> bool:
    """Whether two revisions are effective on a common day.

    An open-ended revision is superseded where a later revision starts, so releasing C from
    June while B runs open from January is a change, not an overlap. Explicit ends are taken
    as written, both days included.
    """
    if a.revision != b.revision:
        lower, higher = (a, b) if revision_before(a.revision, b.revision) else (b, a)
        if lower.effective_to is None and _start(higher) >= _start(lower):
            return False
    return _start(a) <= _end(b) and _start(b) <= _end(a)


def _start(bom: Bom) -> date:
    return bom.effective_from or date.min


def _end(bom: Bom) -> date:
    return bom.effective_to or date.max


def _window_text(bom: Bom) -> str:
    start = bom.effective_from.isoformat() if bom.effective_from else "open"
    end = bom.effective_to.isoformat() if bom.effective_to else "open"
    return f"{start} to {end}"


def bom_acyclic(bom: Bom, state: StateView, policy: Policy) -> Iterator[Finding]:
    """No item may contain itself through the BOMs effective on the new BOM's first day."""
    if bom.status != BomStatus.released:
        return
    path = _path_back_to_parent(bom, state)
    if path:
        yield Finding("BOM_CYCLE", f"{bom.item_id} contains itself: {' -> '.join(path)}", "lines")


def _path_back_to_parent(bom: Bom, state: StateView) -> list[str] | None:
    """The shortest component path from the BOM's item back to itself, or None (breadth first)."""
    day = bom.effective_from or date.min
    start = bom.item_id
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        children = _components(bom) if node == start else _components_on(state, node, day, bom.plant_id)
        for child in sorted(children):
            if child == start:
                return _walk_back(came_from, node, start) + [start]
            if child not in came_from:
                came_from[child] = node
                queue.append(child)
    return None


def _walk_back(came_from: dict[str, str], node: str, start: str) -> list[str]:
    path = [node]
    while node != start:
        node = came_from[node]
        path.append(node)
    return path[::-1]


def _components(bom: Bom) -> set[str]:
    return {line.component_id for line in bom.lines}


def _components_on(state: StateView, item_id: str, day: date, plant_id: str | None) -> set[str]:
    """Components of the item's BOMs effective on `day` in the plant: per plant, the highest
    effective revision (an open-ended older one is superseded by it)."""
    latest: dict[str | None, Bom] = {}
    for other in state.released_boms(item_id):
        if not _plants_overlap(plant_id, other.plant_id) or not _start(other) <= day <= _end(other):
            continue
        current = latest.get(other.plant_id)
        if current is None or revision_before(current.revision, other.revision):
            latest[other.plant_id] = other
    return {component for other in latest.values() for component in _components(other)}


def bom_effective_as_its_eco(bom: Bom, state: StateView, policy: Policy) -> Iterator[Finding]:
    """The revision an approved ECO introduces is effective from the ECO's date, not another."""
    for eco in state.engineering_changes(bom.item_id):
        if eco.to_revision == bom.revision and eco.status != EcoStatus.cancelled and eco.effective_from \
                and bom.effective_from != eco.effective_from:
            yield Finding("ECO_EFFECTIVITY_MISMATCH",
                          f"revision {bom.revision} of {bom.item_id} is effective from {bom.effective_from or 'no date'} "
                          f"but {eco.eco_id} makes it effective from {eco.effective_from}", "effective_from")


def eco_effective_as_its_revision(eco: EngineeringChange, state: StateView, policy: Policy) -> Iterator[Finding]:
    """An ECO arriving after its revision must give the revision's own effective date."""
    for bom in state.released_boms(eco.item_id):
        if bom.revision == eco.to_revision and eco.effective_from and bom.effective_from != eco.effective_from:
            yield Finding("ECO_EFFECTIVITY_MISMATCH",
                          f"{eco.eco_id} makes revision {eco.to_revision} of {eco.item_id} effective from "
                          f"{eco.effective_from} but the released revision{_at(bom.plant_id)} is effective from "
                          f"{bom.effective_from or 'no date'}", "effective_from")


def routing_operations_valid(routing: Routing, state: StateView, policy: Policy) -> Iterator[Finding]:
    """Operations are numbered once each, in the order they are done, at work centers the
    plant knows; the item is known."""
    _, findings = known_item(state, routing.item_id, "item_id")
    yield from findings
    seen: set[int] = set()
    for index, op in enumerate(routing.operations):
        path = f"operations[{index}]"
        if op.op_no in seen:
            yield Finding("ROUTING_OPERATION_DUPLICATE", f"operation {op.op_no} appears twice", f"{path}.op_no")
        elif seen and op.op_no < max(seen):
            yield Finding("ROUTING_OPERATION_ORDER", f"operation {op.op_no} comes after operation {max(seen)}",
                          f"{path}.op_no")
        seen.add(op.op_no)
        for plant_id in receiving_plants(routing.item_id, routing.plant_id, policy.receives):
            known = policy.work_centers.get(plant_id) if plant_id else None
            if known is not None and op.work_center not in known:
                yield Finding("ROUTING_WORK_CENTER_UNKNOWN", f"work center {op.work_center} is not one of plant "
                              f"{plant_id}'s ({', '.join(sorted(known)) or 'none'})", f"{path}.work_center")
