"""The range and precision of every quantity, price and factor the hub accepts.

A number is read exactly, then checked against one decimal context before anything converts
it: an exponent of a billion would otherwise make the first `int()` or `quantize` build a
billion-digit integer (a hang), and a value of 10^5000 would be stored and break every later
read. The checks below cost time in the length of the text, never in the size of the exponent.
"""

from __future__ import annotations

from decimal import (Context, Decimal, DivisionByZero, Inexact, InvalidOperation, Overflow, Subnormal,
                     Underflow)

MAX_SIGNIFICANT_DIGITS = 28  # Python's default precision, so sums and ratios of accepted values fit
MAX_MAGNITUDE_EXPONENT = 14  # |value| < 10^15: above any plant's quantity or any price
MIN_MAGNITUDE_EXPONENT = -12  # a non-zero |value| >= 10^-12: finer than any unit or currency
MAX_NUMBER_CHARS = 40  # as text; longer than any X12 (R 15) or EDIFACT (an..35) numeric element
RANGE_TEXT = (f"a finite number of at most {MAX_SIGNIFICANT_DIGITS} significant digits, below "
              f"10^{MAX_MAGNITUDE_EXPONENT + 1} and, unless zero, at least 10^{MIN_MAGNITUDE_EXPONENT}")

# Every condition that would round, overflow or underflow an accepted number raises instead.
CONTEXT = Context(prec=MAX_SIGNIFICANT_DIGITS, Emax=MAX_MAGNITUDE_EXPONENT, Emin=MIN_MAGNITUDE_EXPONENT,
                  traps=[InvalidOperation, Overflow, Underflow, Subnormal, Inexact, DivisionByZero])


class NumberOutOfRange(ValueError):
    """A number outside the hub's range; `code` is its reason code."""

    code = "NUMBER_OUT_OF_RANGE"


def bounded(value: Decimal | str) -> Decimal:
    """`value` as a Decimal inside the hub's range, or NumberOutOfRange saying why not."""
    if isinstance(value, str) and len(value) > MAX_NUMBER_CHARS:
        raise NumberOutOfRange(f"{value[:20]!r}… is longer than {MAX_NUMBER_CHARS} characters")
    try:
        number = CONTEXT.create_decimal(value)
    except (ArithmeticError, ValueError):
        raise NumberOutOfRange(f"{str(value)[:60]!r} is not {RANGE_TEXT}") from None
    if not number.is_finite():
        raise NumberOutOfRange(f"{str(value)[:60]!r} is not a finite number")
    return number


def bounded_int(text: str) -> int:
    """A JSON integer literal, refused by its length before `int()` does work on its digits."""
    if len(text) > MAX_NUMBER_CHARS:
        raise NumberOutOfRange(f"{text[:20]!r}… is longer than {MAX_NUMBER_CHARS} characters")
    return int(text)
