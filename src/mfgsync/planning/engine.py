"""One entry point for a regenerative MRP run: the fast integer path when it is exact,
the exact Fraction path otherwise. Both give the same plan (a property test holds them to it)."""

from __future__ import annotations

from typing import NamedTuple

from mfgsync.planning.arrays import to_arrays
from mfgsync.planning.checked import CheckedInput
from mfgsync.planning.exact import plan_exactly
from mfgsync.planning.fast import plan_integral
from mfgsync.planning.model import MrpInput, MrpPlan
from mfgsync.planning.peg_table import Stock, stock_of_arrays, stock_of_input


def run_mrp(inp: MrpInput) -> MrpPlan:
    plant = to_arrays(inp)
    plan = plan_integral(plant) if plant is not None else None
    return plan if plan is not None else plan_exactly(inp)


class CheckedRun(NamedTuple):
    plan: MrpPlan
    stock: Stock  # what single-level pegging reads besides the plan


def run_checked(checked: CheckedInput) -> CheckedRun:
    """MRP on a checked input: straight from its columns when it is whole, with no object per row."""
    plant = checked.arrays()
    plan = plan_integral(plant) if plant is not None else None
    if plan is not None:
        return CheckedRun(plan, stock_of_arrays(plant))
    inp = checked.mrp_input()
    plan = plan_exactly(inp)
    return CheckedRun(plan, stock_of_input(inp, plan))
