"""What the EDIFACT message mappers share: context, item ids, quantities, prices, dates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from mfgsync.formats.edifact.syntax import Segment, component, components
from mfgsync.formats.errors import FormatError
from mfgsync.formats.partners import DEFAULT_PROFILE, PartnerProfile, first_present
from mfgsync.formats.values import ccyymmdd, date_text, decimal, number_text, remembered, uom

# A file repeats its quantities, prices and dates line after line (see values.remembered).
_read_decimal = remembered(decimal)
_read_date = remembered(ccyymmdd)


@dataclass
class Context:
    profile: PartnerProfile = DEFAULT_PROFILE
    sender: str = ""
    recipient: str = ""
    decimal_mark: str = "."
    on: date = field(default_factory=lambda: date(2000, 1, 1))
    units: dict[str, str] = field(default_factory=dict)  # unit codes already translated


def number(text: str, what: str, ctx: Context) -> Decimal:
    # ISO 9735 (version 4) allows either mark whatever the UNA says; ',' is never a thousands separator.
    return _read_decimal(text.replace(",", "."), what)


def write_number(value: Decimal, ctx: Context) -> str:
    return number_text(value, ctx.decimal_mark)


def dtm(segment: Segment, wanted: tuple[str, ...]) -> tuple[str, date | None]:
    """(qualifier, date) of a DTM segment, the date read only for `wanted` qualifiers.

    Formats 102, 203, 204, 101 and 201 are read; dates the hub does not use are left alone.
    """
    qualifier, value, fmt = components(segment, 1, 3)
    if not value or qualifier not in wanted:
        return qualifier, None
    if fmt and fmt not in ("102", "203", "204", "101", "201"):
        raise FormatError("EDI_INVALID_DATE", f"DTM format {fmt!r} is not a calendar date format", element=1)
    return qualifier, _read_date(value, f"DTM+{qualifier}")


def write_dtm(qualifier: str, value: date) -> Segment:
    return ["DTM", [qualifier, date_text(value), "102"]]


def quantity(segment: Segment, ctx: Context) -> tuple[str, Decimal, str]:
    """(qualifier, quantity, Rec 20 unit) of a QTY segment."""
    qualifier, text, unit = components(segment, 1, 3)
    if not unit.strip():
        if not ctx.profile.default_unit:
            raise FormatError("UOM_UNKNOWN", "QTY has no unit", element=1)
        unit = ctx.profile.default_unit
    return qualifier, number(text, "QTY", ctx), _unit(unit, ctx)


def _unit(code: str, ctx: Context) -> str:
    known = ctx.units.get(code)
    if known is None:
        known = ctx.units[code] = uom(code, ctx.profile.edifact_units)
    return known


def write_qty(qualifier: str, qty: Decimal, unit: str | None, ctx: Context) -> Segment:
    code = ctx.profile.edifact_units_out.get(unit, unit) if unit else ""
    return ["QTY", [qualifier, write_number(qty, ctx), code]]


def unit_price(segment: Segment, ctx: Context) -> Decimal | None:
    """PRI's price per unit: a price for a basis quantity (per 100) is divided by it."""
    _, price, _, _, basis = components(segment, 1, 5)
    if not price:
        return None
    value = number(price, "PRI price", ctx)
    if basis:
        per = number(basis, "PRI unit price basis", ctx)
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


def item_ids(ids: dict[str, str], ctx: Context, required: bool = False) -> tuple[str | None, str | None]:
    profile = ctx.profile
    supplier = first_present(ids, profile.edifact_supplier_item_types)
    buyer = first_present(ids, profile.edifact_buyer_item_types)
    if buyer is None:
        buyer = first_present(ids, profile.edifact_fallback_item_types)
    if buyer is None and required:  # only where an item_id is required may the supplier's number stand in
        buyer = supplier
    return buyer, supplier


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
