"""What the X12 set mappers share: the mapping context, ID pairs, prices, segment walking."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from mfgsync.formats.partners import DEFAULT_PROFILE, PartnerProfile, first_present
from mfgsync.formats.values import decimal, uom
from mfgsync.formats.x12.syntax import Segment


@dataclass
class Context:
    profile: PartnerProfile = DEFAULT_PROFILE
    sender: str = ""  # interchange sender: the supplier for 855, 856 and 810
    receiver: str = ""  # interchange receiver: the supplier for 850
    on: date = field(default_factory=lambda: date(2000, 1, 1))  # document date when rendering
    units: dict[str, str] = field(default_factory=dict)  # unit codes already translated


def id_pairs(segment: Segment, start: int) -> dict[str, str]:
    """Qualifier/value pairs from element `start` on (PO106/PO107, LIN02/LIN03, ...)."""
    pairs: dict[str, str] = {}
    for position in range(start, len(segment) - 1, 2):
        qualifier, value = segment[position].strip(), segment[position + 1].strip()
        if qualifier and value and qualifier not in pairs:
            pairs[qualifier] = value
    return pairs


def item_ids(pairs: dict[str, str], profile: PartnerProfile,
             required: bool = False) -> tuple[str | None, str | None]:
    """(item_id, supplier_item_id): the buyer's number, else a fallback id; the supplier's number.

    Only where an item_id is required may the supplier's own number stand in for it.
    """
    supplier = first_present(pairs, profile.x12_supplier_item_qualifiers)
    buyer = first_present(pairs, profile.x12_buyer_item_qualifiers)
    if buyer is None:
        buyer = first_present(pairs, profile.x12_fallback_item_qualifiers)
    if buyer is None and required:
        buyer = supplier
    return buyer, supplier


def write_pairs(item_id: str | None, supplier_item_id: str | None, profile: PartnerProfile) -> list[str]:
    out: list[str] = []
    if item_id:
        out += [profile.x12_buyer_item_qualifiers[0], item_id]
    if supplier_item_id:
        out += [profile.x12_supplier_item_qualifiers[0], supplier_item_id]
    return out


def unit_price(price: str, basis: str, profile: PartnerProfile, what: str) -> Decimal | None:
    """A price per unit: a price per hundred (basis HP) is divided by 100."""
    if not price.strip():
        return None
    value = decimal(price, what)
    divisor = profile.x12_price_basis.get(basis.strip(), Decimal(1))
    return value / divisor if divisor != 1 else value


def read_uom(code: str, ctx: Context) -> str:
    known = ctx.units.get(code)
    if known is None:
        profile = ctx.profile
        known = profile.default_unit if not code.strip() and profile.default_unit else uom(code, profile.x12_units)
        ctx.units[code] = known
    return known


def write_uom(code: str | None, profile: PartnerProfile) -> str:
    return profile.x12_units_out.get(code, code) if code else ""


def supplier_of(parties: dict[str, str], profile: PartnerProfile, fallback: str) -> str:
    found = first_present(parties, profile.x12_supplier_entities)
    return found or fallback
