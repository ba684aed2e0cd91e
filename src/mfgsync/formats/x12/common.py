"""What the X12 set mappers share: the mapping context, ID pairs, prices, segment walking."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import cached_property, partial
from typing import Callable, TypeVar

from mfgsync.formats.partners import DEFAULT_PROFILE, PartnerProfile, first_present
from mfgsync.formats.values import Remembered, decimal, uom
from mfgsync.formats.x12.syntax import Segment

Value = TypeVar("Value")


@dataclass
class Context:
    profile: PartnerProfile = DEFAULT_PROFILE
    sender: str = ""  # interchange sender: the supplier for 855, 856 and 810
    receiver: str = ""  # interchange receiver: the supplier for 850
    on: date = field(default_factory=lambda: date(2000, 1, 1))  # document date when rendering
    # What the context remembered of the values read (see remembered, for_interchange): per value
    # reader and element label, its memory; the unit codes already translated.
    memories: dict[tuple[Callable, str], Remembered] = field(default_factory=dict)
    units: Remembered = None  # type: ignore[assignment]  # the profile's unit codes (__post_init__)
    id_plans: dict[tuple[str, ...], tuple] = field(default_factory=dict)  # see line_ids
    last_id_plan: tuple = (None, None, None)  # (pairs span, qualifiers, plan) of the line before
    unit_prices: dict[str, UnitPrices] = field(default_factory=dict)  # per price element, see prices

    def __post_init__(self) -> None:
        if self.units is None:
            self.units = Remembered(partial(_unit_code, self.profile), "unit")

    def for_interchange(self, sender: str, receiver: str) -> Context:
        """This context for another interchange of the same partner's file: everything it
        remembered serves again (a file repeats its values from one interchange to the next)."""
        return replace(self, sender=sender, receiver=receiver)

    def remembered(self, read: Callable[[str, str], Value], what: str) -> Remembered:
        """The memory of `read` for element `what`'s texts: `memory[text]` is `read(text, what)`."""
        memory = self.memories.get((read, what))
        if memory is None:
            memory = self.memories[read, what] = Remembered(read, what)
        return memory

    def prices(self, what: str) -> UnitPrices:
        """The memory of unit prices of price element `what`: `memory[basis][price]`."""
        memory = self.unit_prices.get(what)
        if memory is None:
            memory = self.unit_prices[what] = UnitPrices(self.profile, what)
        return memory

    @cached_property
    def id_roles(self) -> dict[str, list[tuple[int, int]]]:
        """Qualifier -> the (role, preference) pairs the profile's qualifier lists give it."""
        p = self.profile
        roles: dict[str, list[tuple[int, int]]] = {}
        for role, qualifiers in enumerate((p.x12_buyer_item_qualifiers, p.x12_fallback_item_qualifiers,
                                           p.x12_supplier_item_qualifiers, p.x12_lot_qualifiers)):
            for preference, qualifier in enumerate(qualifiers):
                if qualifier:
                    roles.setdefault(qualifier, []).append((role, preference))
        return roles


BUYER, FALLBACK, SUPPLIER, LOT = range(4)  # roles of an ID qualifier (Context.id_roles)
_PLANS_KEPT = 256  # distinct qualifier patterns a context remembers
_PLANNED_PAIRS = 16  # longer patterns are planned afresh (LIN, the longest, has 15 pairs)


def line_ids(segment: Segment, start: int, ctx: Context,
             required: bool = False) -> tuple[str | None, str | None, str | None]:
    """(item_id, supplier_item_id, lot) of a line, from its qualifier/value pairs from element
    `start` on (PO106/PO107, LIN02/LIN03, ...): per role, the value of its most preferred
    qualifier, a qualifier's first non-empty pair counting. The item_id is the buyer's number,
    else a fallback id; only where an item_id is required may the supplier's own number stand in.

    Lines of a file repeat one pattern of qualifiers, and where each role's value may come from
    depends on the qualifiers alone: that plan is worked out once per pattern, and each line only
    takes the first non-empty value the plan points at. Only so many patterns, each of so many
    pairs, are remembered, so input of ever new or endless patterns costs no more than planning
    each line afresh. A line with the pattern of the line before takes its plan by comparing the
    qualifiers, without hashing them; a plan whose roles have one candidate each is read in one
    expression per role.
    """
    span = len(segment) - start
    qualifiers = segment[start::2]  # with a last qualifier that has no value, if any
    last_span, last_qualifiers, plan = ctx.last_id_plan
    if span != last_span or qualifiers != last_qualifiers:
        plan = _remembered_plan(span, qualifiers, ctx)
        ctx.last_id_plan = (span, qualifiers, plan)
    roles, slots = plan
    if slots is None:
        buyer, fallback, supplier, lot = _ranked_values(segment, start, roles)
    else:
        buyer, fallback, supplier, lot = slots
        buyer = None if buyer is None else segment[start + buyer].strip() or None
        fallback = None if fallback is None else segment[start + fallback].strip() or None
        supplier = None if supplier is None else segment[start + supplier].strip() or None
        lot = None if lot is None else segment[start + lot].strip() or None
    item = buyer or fallback
    if item is None and required:
        item = supplier
    return item, supplier, lot


def _ranked_values(segment: Segment, start: int, roles: tuple) -> list[str | None]:
    """Per role, the first non-empty value among its candidates, most preferred first."""
    found: list[str | None] = [None, None, None, None]
    for role, offset, others in roles:
        value = segment[start + offset].strip()
        if value:
            found[role] = value
            continue
        for offset in others:  # the most preferred pair is empty: the next that is not
            value = segment[start + offset].strip()
            if value:
                found[role] = value
                break
    return found


def _remembered_plan(span: int, qualifiers: list[str], ctx: Context) -> tuple:
    """The plan of a pattern (see _id_plan) with, where every role has one candidate pair, the
    offset of each role's pair (None for a role no qualifier fills)."""
    pairs = span // 2  # a qualifier without its value is no pair
    pattern = tuple(qualifiers[:pairs])
    plans = ctx.id_plans
    plan = plans.get(pattern)
    if plan is None:
        roles = _id_plan(pattern, ctx.id_roles)
        slots: list[int | None] | None = [None, None, None, None]
        for role, offset, others in roles:
            slots[role] = offset
        plan = (roles, None if any(others for _, _, others in roles) else tuple(slots))
        if len(plans) < _PLANS_KEPT and pairs <= _PLANNED_PAIRS:
            plans[pattern] = plan
    return plan


def _id_plan(qualifiers: tuple[str, ...],
             roles: dict[str, list[tuple[int, int]]]) -> tuple[tuple[int, int, tuple[int, ...]], ...]:
    """Per role some qualifier fills: where its candidate values are (counted from the first
    qualifier, as segments place the pairs at different elements), the most preferred apart
    from the others in order of preference and, between equals, the earlier in the segment."""
    candidates: dict[int, list[tuple[int, int]]] = {}
    for pair, qualifier in enumerate(qualifiers):
        for role, preference in roles.get(qualifier.strip(), ()):
            candidates.setdefault(role, []).append((preference, 2 * pair + 1))
    planned = []
    for role, ranked in candidates.items():
        first, *others = [offset for _, offset in sorted(ranked)]
        planned.append((role, first, tuple(others)))
    return tuple(planned)


def write_pairs(item_id: str | None, supplier_item_id: str | None, profile: PartnerProfile) -> list[str]:
    out: list[str] = []
    if item_id:
        out += [profile.x12_buyer_item_qualifiers[0], item_id]
    if supplier_item_id:
        out += [profile.x12_supplier_item_qualifiers[0], supplier_item_id]
    return out


class UnitPrices(dict):
    """Per price basis as sent (PO105, IT105, ...), the memory of the prices read with it:
    `memory[basis][price]` is the price per unit (a price per hundred, basis HP, divided by 100),
    None for an empty price; an error names the price element `what`. A line's price is so two
    subscripts, the basis looked up in the profile once per file. Only a few bases are kept: a
    file uses one or two, and input of endless bases keeps no more than those few."""

    __slots__ = ("profile", "what")

    def __init__(self, profile: PartnerProfile, what: str):
        super().__init__()
        self.profile, self.what = profile, what

    def __missing__(self, basis: str) -> Remembered:
        divisor = self.profile.x12_price_basis.get(basis.strip(), 1)
        memory = Remembered(partial(_price_per_unit, None if divisor == 1 else divisor), self.what)
        if len(self) >= _BASES_KEPT:
            self.clear()
        self[basis] = memory
        return memory


_BASES_KEPT = 8


def _price_per_unit(divisor: Decimal | None, price: str, what: str) -> Decimal | None:
    if not price.strip():
        return None
    value = decimal(price, what)
    return value if divisor is None else value / divisor


def _unit_code(profile: PartnerProfile, code: str, what: str) -> str:
    """A unit code as the partner sends it, as its Rec 20 code (a unit's error names the code)."""
    return profile.default_unit if not code.strip() and profile.default_unit else uom(code, profile.x12_units)


def write_uom(code: str | None, profile: PartnerProfile) -> str:
    return profile.x12_units_out.get(code, code) if code else ""


def supplier_of(parties: dict[str, str], profile: PartnerProfile, fallback: str) -> str:
    found = first_present(parties, profile.x12_supplier_entities)
    return found or fallback
