"""Reading and writing the scalar values EDI carries: numbers, dates, unit codes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Mapping, TypeVar

from mfgsync.formats.errors import FormatError
from mfgsync.model.numbers import MAX_NUMBER_CHARS, NumberOutOfRange, bounded
from mfgsync.model.units import UnitError, normalize_uom

_REMEMBERED = 4096  # distinct texts a remembered reader keeps

Value = TypeVar("Value")


def remembered(read: Callable[[str, str], Value]) -> Callable[[str, str], Value]:
    """`read`, answering texts it has read before from memory.

    A file repeats the same quantities, prices and dates line after line, and their values are
    immutable, so one can serve every line. Only sound texts are kept (a bad one raises with the
    caller's element label every time), and only so many: a full memory starts afresh, so it
    holds what the text being read repeats, and input of all-distinct values costs no more than
    reading them afresh.
    """
    seen: dict[str, Value] = {}

    def read_remembered(text: str, what: str) -> Value:
        value = seen.get(text)
        if value is None:
            value = read(text, what)
            keep(seen, text, value)
        return value
    return read_remembered


class Remembered(dict):
    """The values `read` gives the texts of one element (`what`, as its errors name it), each
    text read once: `memory[text]`, as `remembered` keeps them, a subscript where `remembered`
    costs a call (a line's handler reads several elements, and a file has many lines)."""

    __slots__ = ("read", "what")

    def __init__(self, read: Callable[[str, str], Any], what: str):
        super().__init__()
        self.read, self.what = read, what

    def __missing__(self, text: str) -> Any:
        value = self.read(text, self.what)
        keep(self, text, value)
        return value


def keep(memory: dict, key: Any, value: Any) -> None:
    """Remember a sound value; a full memory starts afresh (see `remembered`)."""
    if len(memory) >= _REMEMBERED:
        memory.clear()
    memory[key] = value


def decimal(text: str, what: str, decimal_mark: str = ".") -> Decimal:
    """An explicit-decimal number; `decimal_mark` is the EDIFACT UNA mark (',' or '.')."""
    raw = text.strip()
    if decimal_mark != ".":
        raw = raw.replace(decimal_mark, ".")
    if not raw or len(raw) > MAX_NUMBER_CHARS:
        raise FormatError("EDI_INVALID_NUMBER", f"{what}: {text[:60]!r} is not a number")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise FormatError("EDI_INVALID_NUMBER", f"{what}: {text!r} is not a number") from None
    if not value.is_finite():
        raise FormatError("EDI_INVALID_NUMBER", f"{what}: {text!r} is not a finite number")
    return _in_range(value, what)


def _in_range(value: Decimal, what: str) -> Decimal:
    try:
        return bounded(value)
    except NumberOutOfRange as exc:
        raise FormatError(exc.code, f"{what}: {exc}") from None


def implied_decimal(text: str, what: str, places: int = 2) -> Decimal:
    """An X12 `Nn` field: digits with `places` implied decimals (29500 with N2 is 295.00)."""
    raw = text.strip()
    digits = raw[1:] if raw[:1] == "-" else raw
    if not digits.isdigit() or not digits.isascii() or len(raw) > MAX_NUMBER_CHARS:
        raise FormatError("EDI_INVALID_NUMBER", f"{what}: {text[:60]!r} is not an implied-decimal number")
    return _in_range(Decimal(raw).scaleb(-places), what)


def to_implied_decimal(value: Decimal, places: int = 2) -> str:
    scaled = value.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise FormatError("EDI_INVALID_NUMBER", f"{value} has more than {places} decimals")
    return str(int(scaled))


def number_text(value: Decimal, decimal_mark: str = ".") -> str:
    """A decimal written without exponent or trailing zeros (EDI numeric fields)."""
    text = format(value.normalize(), "f") if value != 0 else "0"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", decimal_mark) if decimal_mark != "." else text


def ccyymmdd(text: str, what: str) -> date:
    """A CCYYMMDD date (X12 DT 8, EDIFACT format 102); YYMMDD (6 digits) is read in this century."""
    raw = text.strip()
    if len(raw) == 6 and raw.isdigit():
        raw = "20" + raw
    elif len(raw) >= 12 and raw[:8].isdigit():
        raw = raw[:8]  # format 203/204: CCYYMMDDHHMM(SS), only the day matters here
    if len(raw) != 8 or not raw.isdigit() or not raw.isascii():
        raise FormatError("EDI_INVALID_DATE", f"{what}: {text!r} is not a CCYYMMDD date")
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        raise FormatError("EDI_INVALID_DATE", f"{what}: {text!r} is not a calendar date") from None


def date_text(value: date) -> str:
    return value.strftime("%Y%m%d")


def line_number(text: str, what: str) -> int:
    raw = text.strip()
    if not raw.isdigit() or not raw.isascii() or len(raw) > 9:
        raise FormatError("EDI_INVALID_NUMBER", f"{what}: {text!r} is not a line number")
    return int(raw)


def uom(code: str, unit_codes: Mapping[str, str]) -> str:
    """A partner unit code as its UN/CEFACT Rec 20 code (partner table first, then aliases)."""
    raw = code.strip().upper()
    try:
        return normalize_uom(unit_codes.get(raw, raw))
    except UnitError as exc:
        raise FormatError(exc.code, f"unit {code!r}: {exc}") from None
