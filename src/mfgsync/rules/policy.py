"""Per-plant choices the validation rules follow."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mfgsync.rules.findings import REJECT


@dataclass(frozen=True)
class Policy:
    # plant_id -> "reject" | "alert": whether a movement that drives stock negative is
    # quarantined, or applied with an alert (plants whose books lag the floor choose alert).
    negative_stock: Mapping[str, str] = field(default_factory=dict)
    default_negative_stock: str = REJECT
    # plant_id -> the work centers its routings may use (a plant without a list takes any).
    work_centers: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def negative_stock_severity(self, plant_id: str) -> str:
        return self.negative_stock.get(plant_id, self.default_negative_stock)
