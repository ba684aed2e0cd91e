"""What the EDIFACT message mappers share: context, item ids, quantities, prices, dates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial

from mfgsync.formats.edifact.syntax import Segment, component, components
from mfgsync.formats.errors import FormatError
from mfgsync.formats.partners import DEFAULT_PROFILE, PartnerProfile, first_present
from mfgsync.formats.values import Remembered, ccyymmdd, date_text, decimal, line_number as order_line_number
from mfgsync.formats.values import number_text, remembered, uom

_PLANS_KEPT = 256  # distinct sets of item number types a context remembers the choice for (line_ids)


@dataclass
class Context:
    profile: PartnerProfile = DEFAULT_PROFILE
    sender: str = ""
    recipient: str = ""
    decimal_mark: str = "."
    on: date = field(default_factory=lambda: date(2000, 1, 1))
    units: Remembered = None  # type: ignore[assignment]  # the profile's unit codes (__post_init__)
    id_plans: dict[tuple[str, ...], tuple] = field(default_factory=dict)  # see line_ids

    def __post_init__(self) -> None:
        if self.units is None:
            self.units = Remembered(partial(_unit_code, self.profile), "unit")


def _unit_code(profile: PartnerProfile, code: str, what: str) -> str:
    """A QTY unit as its Rec 20 code; a blank one is the profile's default unit (the caller has
    made sure there is one), translated as a sent one is."""
    return uom(profile.default_unit if not code.strip() else code, profile.edifact_units)


def _number(text: str, what: str) -> Decimal:
    # ISO 9735 (version 4) allows either mark whatever the UNA says; ',' is never a thousands separator.
    return decimal(text.replace(",", "."), what)


# A file repeats its quantities, prices and dates line after line: each element's texts are read
# once (see values.Remembered), a lookup where reading costs calls.
QUANTITIES = Remembered(_number, "QTY")
PRICES = Remembered(_number, "PRI price")
PRICE_BASES = Remembered(_number, "PRI unit price basis")
ORDER_LINES = Remembered(order_line_number, "RFF+ON line")
_DAYS: dict[str, Remembered] = {}  # per DTM qualifier a message reads the date of (its errors name it)
_read_number = remembered(_number)  # other elements' numbers (MOA), their label naming the qualifier


def number(text: str, what: str, ctx: Context) -> Decimal:
    return _read_number(text, what)


def write_number(value: Decimal, ctx: Context) -> str:
    return number_text(value, ctx.decimal_mark)


def dtm(segment: Segment, wanted: tuple[str, ...]) -> tuple[str, date | None]:
    """(qualifier, date) of a DTM segment, the date read only for `wanted` qualifiers.

    Formats 102, 203, 204, 101 and 201 are read; dates the hub does not use are left alone.
    """
    element = segment[1] if len(segment) > 1 else ""
    qualifier, value, fmt = element if type(element) is list and len(element) == 3 else components(segment, 1, 3)
    if not value or qualifier not in wanted:
        return qualifier, None
    if fmt and fmt not in ("102", "203", "204", "101", "201"):
        raise FormatError("EDI_INVALID_DATE", f"DTM format {fmt!r} is not a calendar date format", element=1)
    days = _DAYS.get(qualifier)
    if days is None:  # one of the few qualifiers the mappers want
        days = _DAYS[qualifier] = Remembered(ccyymmdd, f"DTM+{qualifier}")
    return qualifier, days[value]


def write_dtm(qualifier: str, value: date) -> Segment:
    return ["DTM", [qualifier, date_text(value), "102"]]


def quantity(segment: Segment, ctx: Context) -> tuple[str, Decimal, str]:
    """(qualifier, quantity, Rec 20 unit) of a QTY segment."""
    element = segment[1] if len(segment) > 1 else ""  # the composite as nearly every QTY has it, or any other
    qualifier, text, unit = element if type(element) is list and len(element) == 3 else components(segment, 1, 3)
    known = ctx.units.get(unit)  # a unit read before (a blank one too, where the profile has a default)
    if known is not None:
        return qualifier, QUANTITIES[text], known
    if not unit.strip() and not ctx.profile.default_unit:
        raise FormatError("UOM_UNKNOWN", "QTY has no unit", element=1)
    value = QUANTITIES[text]  # before the unit: a bad quantity is the fault named first
    return qualifier, value, ctx.units[unit]


def write_qty(qualifier: str, qty: Decimal, unit: str | None, ctx: Context) -> Segment:
    code = ctx.profile.edifact_units_out.get(unit, unit) if unit else ""
    return ["QTY", [qualifier, write_number(qty, ctx), code]]


def unit_price(segment: Segment, ctx: Context) -> Decimal | None:
    """PRI's price per unit: a price for a basis quantity (per 100) is divided by it."""
    element = segment[1] if len(segment) > 1 else ""
    if type(element) is list and len(element) == 2:  # qualifier and price, as most PRIs have it
        price, basis = element[1], ""
    else:
        _, price, _, _, basis = components(segment, 1, 5)
    if not price:
        return None
    value = PRICES[price]
    if basis:
        per = PRICE_BASES[basis]
        if per <= 0:
            raise FormatError("EDI_INVALID_NUMBER", f"PRI unit price basis {basis!r} is not positive", element=1)
        value = value / per
    return value


def write_pri(price: Decimal, ctx: Context) -> Segment:
    return ["PRI", ["AAA", write_number(price, ctx)]]


def collect_ids(ids: dict[str, str], segment: Segment, first: int) -> None:
    """Item number/type pairs of LIN (C212 at element 3) or PIA (C212 at elements 2..6)."""
    for value in segment[first:]:
        if isinstance(value, list) and len(value) > 1:  # a code without its type is no pair
            code, kind = value[0], value[1]
            if code and kind and kind not in ids:
                ids[kind] = code


def line_ids(ids: dict[str, str], ctx: Context, required: bool = False) -> tuple[str | None, str | None, str | None]:
    """(item_id, supplier_item_id, lot) of a line from its number/type pairs (collect_ids): per
    role, the number of the profile's most preferred type present. The item_id is the buyer's
    number, else a fallback type's; only where an item_id is required may the supplier's number
    stand in.

    Which type fills each role depends on the types present alone, and a file's lines repeat a
    few sets of types: that choice is made once per set (so many sets, of so many types, are
    remembered), each line only looks its numbers up.
    """
    kinds = tuple(ids)
    plan = ctx.id_plans.get(kinds)
    if plan is None:
        plan = _id_plan(kinds, ctx.profile)
        if len(ctx.id_plans) < _PLANS_KEPT and len(kinds) <= _PLANNED_TYPES:
            ctx.id_plans[kinds] = plan
    buyer, supplier, lot = plan
    supplier = None if supplier is None else ids[supplier]
    item = supplier if buyer is None and required else None if buyer is None else ids[buyer]
    return item, supplier, None if lot is None else ids[lot]


_PLANNED_TYPES = 16  # lines with more types than this are planned afresh


def _id_plan(kinds: tuple[str, ...], profile: PartnerProfile) -> tuple[str | None, str | None, str | None]:
    """The types whose numbers are the line's buyer item, supplier item and lot (None: no such
    number): per role the first of the profile's types present, as first_present picks it (every
    number collect_ids keeps is non-empty, so a type present is found)."""
    return (_first_type(kinds, profile.edifact_buyer_item_types)
            or _first_type(kinds, profile.edifact_fallback_item_types),
            _first_type(kinds, profile.edifact_supplier_item_types),
            _first_type(kinds, profile.edifact_lot_types))


def _first_type(kinds: tuple[str, ...], preferred: tuple[str, ...]) -> str | None:
    return next((kind for kind in preferred if kind in kinds), None)


def write_item(line_no: int, action: str, item_id: str | None, supplier_item_id: str | None,
               ctx: Context) -> list[Segment]:
    item = [item_id, ctx.profile.edifact_buyer_item_types[0]] if item_id else ""
    out: list[Segment] = [["LIN", str(line_no), action, item]]
    if supplier_item_id:
        out.append(["PIA", "5", [supplier_item_id, ctx.profile.edifact_supplier_item_types[0]]])
    return out


def party(parties: dict[str, str], segment: Segment) -> None:
    parties.setdefault(component(segment, 1), component(segment, 2, 0) or component(segment, 4, 0))


def supplier_of(parties: dict[str, str], ctx: Context, fallback: str) -> str:
    return first_present(parties, ctx.profile.edifact_supplier_parties) or fallback


def write_party(qualifier: str, party_id: str) -> Segment:
    return ["NAD", qualifier, [party_id, "", "92"]]


def line_number(text: str, fallback: int) -> int:
    return int(text) if text.isdigit() and text.isascii() and len(text) < 10 else fallback
