"""Partner-specific qualifiers and code lists: configuration data, not code.

A trading partner's profile says which qualifiers carry the buyer's and the supplier's part
numbers, how its unit, status and price-basis codes read, and how its MES reports scrap. The
defaults follow the common X12 004010/005010 and EDIFACT D.96A usage; a partner overrides only
the keys it changes (`PartnerProfile.with_overrides`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from typing import Any, Mapping


@dataclass(frozen=True)
class PartnerProfile:
    # X12 product/service ID qualifiers (PO1, LIN, IT1 pairs).
    x12_buyer_item_qualifiers: tuple[str, ...] = ("BP", "IN", "CB")
    x12_supplier_item_qualifiers: tuple[str, ...] = ("VP", "VN", "SA")
    # Used for item_id when no buyer's number is sent (a UPC or ISBN is still the buyer's key then);
    # where an item_id is required and none of these is sent either, the supplier's number stands in.
    x12_fallback_item_qualifiers: tuple[str, ...] = ("UP", "EN", "UA", "UK", "SK", "MG", "IB")
    x12_lot_qualifiers: tuple[str, ...] = ("LT", "B8")
    # N1 entity codes naming the supplier, in order of preference.
    x12_supplier_entities: tuple[str, ...] = ("SU", "SE", "VN", "SF", "RE")
    # Price basis (PO105/IT105): units the price is for.
    x12_price_basis: Mapping[str, Decimal] = field(default_factory=lambda: {
        "HP": Decimal(100), "TP": Decimal(1000), "PE": Decimal(1), "PD": Decimal(1)})
    # Unit codes sent that are not Rec 20 codes or hub aliases; and what to send for a Rec 20 code.
    # The unit assumed when a partner leaves the unit element empty (None: an empty unit is an error).
    default_unit: str | None = "C62"
    x12_units: Mapping[str, str] = field(default_factory=lambda: {"CA": "CS", "UN": "C62", "LB": "LBR"})
    x12_units_out: Mapping[str, str] = field(default_factory=lambda: {
        "C62": "EA", "KGM": "KG", "LBR": "LB", "MTR": "MR", "LTR": "LT", "CS": "CA", "BX": "BX"})
    x12_ack_types: Mapping[str, str] = field(default_factory=lambda: {
        "AC": "accepted_with_changes", "AD": "accepted", "AK": "accepted", "AT": "accepted",
        "AP": "accepted", "RD": "rejected", "RJ": "rejected", "RF": "rejected"})
    x12_ack_types_out: Mapping[str, str] = field(default_factory=lambda: {
        "accepted": "AD", "accepted_with_changes": "AC", "rejected": "RD"})
    x12_line_statuses: Mapping[str, str] = field(default_factory=lambda: {
        "IA": "accepted", "AC": "accepted", "IC": "changed", "DR": "changed", "IP": "changed",
        "IQ": "changed", "IS": "changed", "IR": "rejected", "ID": "rejected", "R1": "rejected",
        "R2": "rejected", "R3": "rejected", "R4": "rejected", "IB": "backordered", "BP": "backordered"})
    x12_line_statuses_out: Mapping[str, str] = field(default_factory=lambda: {
        "accepted": "IA", "changed": "IC", "rejected": "IR", "backordered": "IB"})

    # EDIFACT item number types (LIN C212 / PIA 7143).
    edifact_buyer_item_types: tuple[str, ...] = ("BP", "IN")
    edifact_supplier_item_types: tuple[str, ...] = ("SA", "VP")
    edifact_fallback_item_types: tuple[str, ...] = ("EN", "SRV", "UP", "IB")
    edifact_lot_types: tuple[str, ...] = ("NB", "BX")
    edifact_supplier_parties: tuple[str, ...] = ("SU", "SE", "SF")
    edifact_units: Mapping[str, str] = field(default_factory=dict)
    edifact_units_out: Mapping[str, str] = field(default_factory=lambda: {"C62": "PCE"})
    # ORDRSP BGM message function (1225) and LIN action (1229) codes.
    edifact_ack_types: Mapping[str, str] = field(default_factory=lambda: {
        "29": "accepted", "4": "accepted_with_changes", "27": "rejected", "9": "accepted"})
    edifact_ack_types_out: Mapping[str, str] = field(default_factory=lambda: {
        "accepted": "29", "accepted_with_changes": "4", "rejected": "27"})
    edifact_line_actions: Mapping[str, str] = field(default_factory=lambda: {
        "5": "accepted", "3": "changed", "6": "changed", "7": "rejected", "2": "rejected", "10": "rejected"})
    edifact_line_actions_out: Mapping[str, str] = field(default_factory=lambda: {
        "accepted": "5", "changed": "3", "rejected": "7", "backordered": "6"})
    # A line with a quantity of this qualifier (backorder quantity) is backordered.
    edifact_backorder_qty: str = "83"

    # B2MML: how an MES reports scrap (ISA-95 has no MaterialUse "Scrap").
    b2mml_scrap_uses: tuple[str, ...] = ("Scrap", "Other")
    b2mml_scrap_reason_properties: tuple[str, ...] = ("ScrapReason", "ReasonCode", "Reason")
    b2mml_labor_hours_uom: tuple[str, ...] = ("HUR", "h", "hr", "hours", "HR")

    def with_overrides(self, overrides: Mapping[str, Any]) -> "PartnerProfile":
        """This profile with the keys a partner's configuration changes (unknown keys are an error)."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"unknown partner profile keys: {', '.join(unknown)}")
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in overrides.items()}
        return replace(self, **values)


DEFAULT_PROFILE = PartnerProfile()


def first_present(pairs: Mapping[str, str], qualifiers: tuple[str, ...]) -> str | None:
    """The value of the first qualifier of `qualifiers` found in `pairs`."""
    for qualifier in qualifiers:
        if pairs.get(qualifier):
            return pairs[qualifier]
    return None
