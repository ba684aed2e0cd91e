"""Low-level codes: each item's deepest level in any BOM (end items are level 0).

Planning in low-level-code order nets a component used at several levels once, after every
parent that can give it demand. The codes come from Kahn's algorithm run level by level over
arrays: an item joins the frontier in the step after its last parent, which is one below its
deepest parent. Items never reached lie on or below a cycle.
"""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter

import numpy as np

from mfgsync.planning.model import MrpInputError


def low_level_codes(n_items: int, parent: np.ndarray, component: np.ndarray,
                    item_ids: tuple[str, ...] | list[str]) -> np.ndarray:
    """The low-level code of items 0..n_items-1 given BOM lines as parent/component indices."""
    parent = np.asarray(parent, dtype=np.int64)
    component = np.asarray(component, dtype=np.int64)
    by_parent = np.argsort(parent, kind="stable")
    children = component[by_parent]
    first_line = np.zeros(n_items + 1, dtype=np.int64)
    np.cumsum(np.bincount(parent, minlength=n_items), out=first_line[1:])
    waiting = np.bincount(component, minlength=n_items)  # parents not yet levelled
    level = np.full(n_items, -1, dtype=np.int64)
    frontier, depth = np.flatnonzero(waiting == 0), 0
    while frontier.size:
        level[frontier] = depth
        reached = children[_line_positions(first_line, frontier)]
        if reached.size == 0:
            break
        reached, lines = np.unique(reached, return_counts=True)
        waiting[reached] -= lines
        frontier, depth = reached[waiting[reached] == 0], depth + 1
    if (level < 0).any():
        raise cycle_error(_a_cycle(level < 0, parent, component, item_ids))
    return level


def _line_positions(first_line: np.ndarray, items: np.ndarray) -> np.ndarray:
    """Positions, in parent-sorted order, of every BOM line whose parent is in `items`."""
    starts, counts = first_line[items], first_line[items + 1] - first_line[items]
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    # Each line's position is its parent's first position plus its rank within that parent.
    offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
    return offsets + np.arange(total)


def _a_cycle(unlevelled: np.ndarray, parent, component, item_ids) -> list[str]:
    inside = unlevelled[parent] & unlevelled[component]
    graph: dict[str, list[str]] = {}
    for p, c in zip(parent[inside].tolist(), component[inside].tolist()):
        graph.setdefault(item_ids[c], []).append(item_ids[p])
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as exc:
        return list(exc.args[1])
    return []  # unreachable: unlevelled items always include a cycle


def cycle_error(cycle: list[str]) -> MrpInputError:
    return MrpInputError("MRP_BOM_CYCLE", "the BOM is cyclic: " + " → ".join(cycle))
