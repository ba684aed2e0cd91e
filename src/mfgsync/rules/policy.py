"""Per-plant choices the validation rules follow."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from mfgsync.rules.findings import REJECT


@dataclass(frozen=True)
class Policy:
    # plant_id -> "reject" | "alert": whether a movement that drives stock negative is
    # quarantined, or applied with an alert (plants whose books lag the floor choose alert).
    negative_stock: Mapping[str, str] = field(default_factory=dict)
    default_negative_stock: str = REJECT
    # plant_id -> the work centers its routings may use (a plant without a list takes any).
    work_centers: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # plant_id -> the patterns of the item ids whose engineering BOMs and routings it receives.
    receives: Mapping[str, Sequence[str]] = field(default_factory=dict)
    # plant_id -> {component: alternates the plant qualified}, and {item: the unit it counts in}.
    alternates: Mapping[str, Mapping[str, Sequence[str]]] = field(default_factory=dict)
    units: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def negative_stock_severity(self, plant_id: str) -> str:
        return self.negative_stock.get(plant_id, self.default_negative_stock)


def receiving_plants(item_id: str, plant_id: str | None, receives: Mapping[str, Sequence[str]]) -> Iterator[str | None]:
    """The plants an item's BOM or routing goes to: a plant's own to that plant, an engineering
    one (no plant) to each plant whose patterns match the item (None: the hub knows no plants)."""
    if not receives:
        yield plant_id
    elif plant_id is not None:
        if plant_id in receives:
            yield plant_id
    else:
        yield from (p for p, patterns in sorted(receives.items()) if any(fnmatchcase(item_id, x) for x in patterns))
