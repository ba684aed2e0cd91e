"""The base every canonical entity shares: exact decimals that serialise as JSON numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer


def decimal_to_number(value: Decimal) -> int | float | str:
    """A Decimal as the JSON number that prints exactly as the decimal does.

    Integral values become ints; others become floats when the float's shortest
    representation is the same digits, and strings otherwise (so nothing is rounded).
    """
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    if Decimal(repr(as_float)) == value:
        return as_float
    return str(value)


# A float reaching the model (a Python caller, a JSON number) is read through its shortest repr,
# so 0.1 becomes Decimal("0.1"), not 0.1000000000000000055...: pydantic does that itself, and
# tests/unit/test_canonical_quantities.py holds it to it.
Quantity = Annotated[Decimal, PlainSerializer(decimal_to_number, when_used="json")]


class Canonical(BaseModel):
    """Base of the canonical model: unknown fields are an error, names are the contract."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        validate_assignment=False,
        allow_inf_nan=False,
    )
