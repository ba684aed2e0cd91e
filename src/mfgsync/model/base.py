"""The base every canonical entity shares: exact decimals that serialise as JSON numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainSerializer
from pydantic_core import PydanticCustomError

from mfgsync.model.numbers import NumberOutOfRange, bounded


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


def _in_range(value: Decimal) -> Decimal:
    try:
        return bounded(value)
    except NumberOutOfRange as exc:
        raise PydanticCustomError(exc.code, str(exc)) from None


# A float reaching the model (a Python caller, a JSON number) is read through its shortest repr,
# so 0.1 becomes Decimal("0.1"), not 0.1000000000000000055...: pydantic does that itself, and
# tests/unit/test_canonical_quantities.py holds it to it. Every quantity, price and factor is
# held to the range of model/numbers.py before anything converts it.
Quantity = Annotated[Decimal, AfterValidator(_in_range), PlainSerializer(decimal_to_number, when_used="json")]


class Canonical(BaseModel):
    """Base of the canonical model: unknown fields are an error, names are the contract."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        validate_assignment=False,
        allow_inf_nan=False,
    )
