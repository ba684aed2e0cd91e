"""Reading the MRP input of DESIGN.md section 5 fast and strictly, by column.

msgspec checks the document's shape while it decodes: objects where objects belong, lists where
lists belong, no unknown key (a misspelt `safety_stok` must not plan with no safety stock) and
every required key present. The values are then checked a column at a time: a column of plain
integers in range is accepted with a few array operations, and only a column holding something
else is walked value by value, which is also where the message naming the position comes from.
Decimals are decoded exactly from their text.
"""

from __future__ import annotations

import re
from decimal import Decimal
from itertools import repeat
from operator import is_not
from typing import Any, Callable

import msgspec
import numpy as np

from mfgsync.planning.model import MrpInputError

INVALID = "MRP_INPUT_INVALID"
UNREADABLE = "MRP_INPUT_UNREADABLE"
MAX_PERIODS = 1000
MAX_LEAD_TIME = 10_000
MAX_QTY = Decimal(10) ** 15  # far above any plant, low enough that exact arithmetic stays cheap
MAX_DECIMAL_PLACES = 12
MAX_TEXT = 128
LOT_RULES = ("lot_for_lot", "fixed", "min_multiple")


class _Strict(msgspec.Struct, forbid_unknown_fields=True):
    pass


class ItemRow(_Strict):
    item_id: Any
    lead_time: Any = 0
    lot_rule: Any = "lot_for_lot"
    fixed_lot: Any = 0
    order_min: Any = 0
    order_multiple: Any = 1
    safety_stock: Any = 0
    on_hand: Any = 0
    allocated: Any = 0


class BomRow(_Strict):
    parent: Any
    component: Any
    qty_per: Any
    scrap_pct: Any = 0
    from_period: Any = None
    to_period: Any = None
    ref: Any = None  # the caller's own reference (a BOM revision); carried, never planned on


class EntryRow(_Strict):
    item_id: Any
    period: Any
    qty: Any
    ref: Any = None  # the caller's own reference (a purchase order line, a customer order)


class Document(_Strict):
    periods: Any
    items: list[ItemRow] = []
    boms: list[BomRow] = []
    scheduled_receipts: list[EntryRow] = []
    demand: list[EntryRow] = []


_DECODER = msgspec.json.Decoder(Document, float_hook=Decimal)


def decode_json(text: bytes | str) -> Document:
    """The document's shape from JSON text; values are checked by `check`."""
    try:
        return _DECODER.decode(text)
    except msgspec.ValidationError as exc:
        if str(exc).startswith("Expected `object`"):
            _readable(text)  # a document that is not JSON at all says so first
        raise _shape_error(exc) from None
    except (msgspec.DecodeError, RecursionError) as exc:
        raise MrpInputError(UNREADABLE, f"not a JSON document: {_at_position(exc, text)}") from None


def _readable(text: bytes | str) -> None:
    try:
        msgspec.json.decode(text)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise MrpInputError(UNREADABLE, f"not a JSON document: {_at_position(exc, text)}") from None


def _at_position(exc: Exception, text: bytes | str) -> str:
    """msgspec names a byte offset; a planner wants the line, the column and what is there."""
    message = str(exc)
    found = re.search(r"\(byte (\d+)\)", message)
    if not found:
        return message
    raw = text.encode() if isinstance(text, str) else text
    offset = int(found[1])
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    near = raw[offset:offset + 24].decode("utf-8", "replace")
    return f"{message[:found.start()].rstrip()} at line {line}, column {column}, near {near!r}"


def convert(document: Any) -> Document:
    """The document's shape from an already decoded document (dicts and lists)."""
    try:
        return msgspec.convert(document, Document)
    except msgspec.ValidationError as exc:
        raise _shape_error(exc) from None


def _shape_error(exc: msgspec.ValidationError) -> MrpInputError:
    """msgspec's message in the contract's words, with the position as a path (items[3])."""
    message, _, path = str(exc).partition(" - at `$")
    where = path.rstrip("`").lstrip(".") or "the input"
    if missing := re.match(r"Object missing required field `(.+)`", message):
        return MrpInputError(INVALID, f"{where} has no {missing[1]}")
    if unknown := re.match(r"Object contains unknown field `(.+)`", message):
        return MrpInputError(INVALID, f"{where} has an unknown key {unknown[1]!r}")
    if message.startswith("Expected `array`"):
        return MrpInputError(INVALID, f"{where} must be a list")
    if message.startswith("Expected `object`"):
        return MrpInputError(INVALID, f"{where} must be a JSON object")
    return MrpInputError(INVALID, f"{where}: {message}")


# --- one value at a time: the slow path, and the source of every message -----------------

def text(value: Any, where: str) -> str:
    if value is None:
        raise MrpInputError(INVALID, f"{where.rpartition('.')[0]} has no {where.rpartition('.')[2]}")
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise MrpInputError(INVALID, f"{where} must be a non-empty text of at most {MAX_TEXT} characters")
    return value


def whole(value: Any, where: str, low: int, high: int) -> int:
    number = number_of(value, where)
    if number != number.to_integral_value() or not low <= number <= high:
        raise MrpInputError(INVALID, f"{where} must be a whole number from {low} to {high}, got {value}")
    return int(number)


def quantity(value: Any, where: str, signed: bool = False) -> Decimal:
    number = number_of(value, where)
    if number < 0 and not signed:
        raise MrpInputError(INVALID, f"{where} must not be negative, got {value}")
    if abs(number) >= MAX_QTY:
        raise MrpInputError(INVALID, f"{where} must be below {MAX_QTY:,}, got {value}")
    if -number.normalize().as_tuple().exponent > MAX_DECIMAL_PLACES:
        raise MrpInputError(INVALID, f"{where} has more than {MAX_DECIMAL_PLACES} decimal places")
    return number


def number_of(value: Any, where: str) -> Decimal:
    """A JSON number (int or exact Decimal); a float from a Python caller is read by its repr."""
    if value is None:
        raise MrpInputError(INVALID, f"{where.rpartition('.')[0] or 'the input'} has no {where.rpartition('.')[2]}")
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise MrpInputError(INVALID, f"{where} must be a number, got {type(value).__name__}")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    # Bounding the exponent first keeps a hostile 1E+999999999 from becoming a huge integer.
    if not number.is_finite() or abs(number.adjusted()) > 40:
        raise MrpInputError(INVALID, f"{where} is out of range: {value!r}")
    return number


# --- a column at a time ---------------------------------------------------------------

class Column:
    """Checked values of one field across rows: int64 when every value is a plain integer of
    modest size, otherwise a list of exact Decimals (or ints, or None where optional)."""

    def __init__(self, values: np.ndarray | list, integral: bool, coded: tuple[list, np.ndarray] | None = None):
        self.values, self.integral, self._coded = values, integral, coded

    def decimals(self) -> list:
        return [v if v is None or isinstance(v, Decimal) else Decimal(v) for v in self.tolist()]

    def tolist(self) -> list:
        return self.values.tolist() if isinstance(self.values, np.ndarray) else self.values

    def coded(self) -> tuple[list, np.ndarray]:
        """(the distinct values, each row's index into them): a plant repeats a few quantities
        over a million lines, so what is worked out per value is worked out once per distinct one."""
        if self._coded is None:
            if self.integral:
                distinct, codes = np.unique(self.values, return_inverse=True)
                self._coded = (distinct.tolist(), codes.reshape(-1))
            else:
                self._coded = _coded(self.values)
        return self._coded


def _coded(values: list) -> tuple[list, np.ndarray]:
    index = {v: n for n, v in enumerate(dict.fromkeys(values))}
    return list(index), np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=len(values))


INT64_SAFE = 2**62


def int_column(values: list, where: Callable[[int], str], low: int, high: int) -> np.ndarray:
    """Whole numbers in [low, high], as int64."""
    array = _plain_ints(values)
    if array is not None and (array.size == 0 or (array.min() >= low and array.max() <= high)):
        return array
    return np.array([whole(v, where(n), low, high) for n, v in enumerate(values)], dtype=np.int64)


def optional_period_column(values: list, given: np.ndarray, where: Callable[[int], str], default: int,
                           low: int, high: int) -> np.ndarray:
    """An optional bucket bound; `default` where absent (`given`: given_mask of the values).
    Only the bounds given are looked at: a revision window is on a few lines of a plant."""
    column = np.full(len(values), default, dtype=np.int64)
    given = np.flatnonzero(given)
    bounds = [values[n] for n in given.tolist()]
    array = _plain_ints(bounds)
    if array is None or (array.size and (array.min() < low or array.max() > high)):
        array = [whole(v, where(n), low, high) for n, v in zip(given.tolist(), bounds)]
    column[given] = array
    return column


def given_mask(values: list) -> np.ndarray:
    """Where an optional value is given (not None)."""
    return np.fromiter(map(is_not, values, repeat(None)), dtype=bool, count=len(values))


def listed_rows(names: list, listed: list[str]) -> np.ndarray | None:
    """The row in `listed` of every name, looked up in Arrow's hash table (a plant names its
    items on a million lines: a Python dict per name is several times slower); None when some
    name is not listed, or cannot be (not a text), for the caller to name what is at fault."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        rows = pc.index_in(pa.array(names, pa.string()), value_set=pa.array(listed, pa.string()))
    except (pa.ArrowException, UnicodeError):  # a number or a list where a text belongs; a lone surrogate
        return None
    if rows.null_count:
        return None
    return rows.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)


def qty_column(values: list, where: Callable[[int], str], signed: bool = False) -> Column:
    array = _plain_ints(values)
    if array is not None and (array.size == 0 or ((signed or array.min() >= 0) and np.abs(array).max() < MAX_QTY)):
        return Column(array, True)
    checked = _distinct_quantities(values, signed)
    if checked is not None:
        distinct, codes = checked
        plain = _plain_ints(distinct)
        if plain is not None:
            return Column(plain[codes], True)
        return Column(list(map(distinct.__getitem__, codes.tolist())), False, checked)
    # some value is wrong, or of another type: each one looked at, in order
    low = -MAX_QTY if signed else 0
    checked = [v if type(v) is int and low <= v < MAX_QTY else _plain(quantity(v, where(n), signed))
               for n, v in enumerate(values)]
    array = _plain_ints(checked)
    return Column(checked, False) if array is None else Column(array, True)


def _distinct_quantities(values: list, signed: bool) -> tuple[list, np.ndarray] | None:
    """The distinct checked values and each row's index into them, when every one is an int or
    a Decimal in range, each distinct value checked once (a plant repeats a few quantities per
    line over a million lines); None when any is not, so that the first at fault is found by its
    position. Equal ints and Decimals check alike, which is why other types (a bool equals 1) are
    left to the walk."""
    if not set(map(type, values)) <= {int, Decimal}:
        return None
    try:
        distinct, codes = _coded(values)
        return [_plain(quantity(v, "", signed)) for v in distinct], codes
    except (MrpInputError, TypeError):  # TypeError: a signalling NaN cannot be hashed
        return None


def _plain(number: Decimal) -> int | Decimal:
    """A whole Decimal as an int, so that a whole plant stays on the integer path."""
    return int(number) if number == number.to_integral_value() else number


def text_column(values: list, where: Callable[[int], str]) -> list[str]:
    distinct_texts(values, where)
    return values


def distinct_texts(values: list, where: Callable[[int], str]) -> set[str]:
    """The distinct values, each checked once (a plant names each item on many lines); when one
    is not a fit text, the values are walked in order so the first at fault is named."""
    try:
        distinct = set(values)
    except TypeError:  # a list or an object where a text belongs
        distinct = None
    if distinct is not None and all(type(v) is str and 0 < len(v) <= MAX_TEXT and v.strip() for v in distinct):
        return distinct
    for n, v in enumerate(values):
        text(v, where(n))
    raise AssertionError("a value at fault was not found")  # unreachable: the walk raises


def _plain_ints(values: list) -> np.ndarray | None:
    """The values as int64 when every one is a plain int of modest size; None otherwise."""
    if not set(map(type, values)) <= {int}:
        return None
    try:
        array = np.array(values, dtype=np.int64)
    except OverflowError:
        return None
    if array.size and np.abs(array).max(initial=0) >= INT64_SAFE:
        return None
    return array
