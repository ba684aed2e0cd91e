"""The `mrp` fixture: every planning story runs on both engines, the fast and the exact."""

from __future__ import annotations

import pytest

from mfgsync.planning.arrays import to_arrays
from mfgsync.planning.contract import parse_mrp_input, plan_document
from mfgsync.planning.exact import plan_exactly
from mfgsync.planning.fast import plan_integral


def _fast(inp):
    plant = to_arrays(inp)
    assert plant is not None, "an integral case must be plannable on the integer path"
    return plan_integral(plant)


ENGINES = {"fast": _fast, "exact": plan_exactly}


@pytest.fixture(params=sorted(ENGINES))
def mrp(request):
    """Runs one MRP on the contract's input with each engine in turn; returns the contract output."""
    engine = ENGINES[request.param]

    def run(periods: int, items=(), boms=(), receipts=(), demand=()) -> dict:
        document = {"periods": periods, "items": list(items), "boms": list(boms),
                    "scheduled_receipts": list(receipts), "demand": list(demand)}
        return plan_document(engine(parse_mrp_input(document)))

    run.engine = request.param
    return run
