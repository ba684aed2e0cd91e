"""One entry point for a regenerative MRP run: the fast integer path when it is exact,
the exact Fraction path otherwise. Both give the same plan (a property test holds them to it)."""

from __future__ import annotations

from mfgsync.planning.arrays import to_arrays
from mfgsync.planning.exact import plan_exactly
from mfgsync.planning.fast import plan_integral
from mfgsync.planning.model import MrpInput, MrpPlan


def run_mrp(inp: MrpInput) -> MrpPlan:
    plant = to_arrays(inp)
    plan = plan_integral(plant) if plant is not None else None
    return plan if plan is not None else plan_exactly(inp)
