"""Every reason code the hub raises: one stable string each, the role that must act, and why.

Codes are a contract (stored with exceptions, shown in the CLI, API and README). Add codes;
never rename one.
"""

from __future__ import annotations

from typing import NamedTuple


class Reason(NamedTuple):
    role: str  # engineering, supply_chain, warehouse, planner, admin
    description: str


CATALOGUE: dict[str, Reason] = {
    # --- envelope and structure (pipeline intake) ---
    "MALFORMED_JSON": Reason("admin", "the message is not a JSON object"),
    "PAYLOAD_TOO_LARGE": Reason("admin", "the message is larger than the intake limit"),
    "ENVELOPE_INVALID": Reason("admin", "an envelope attribute is missing or malformed"),
    "UNKNOWN_EVENT_TYPE": Reason("admin", "the event type is not one the hub knows"),
    "UNKNOWN_SOURCE": Reason("admin", "the source is not a configured system"),
    "MISSING_ATTRIBUTE": Reason("admin", "a mandatory attribute is missing"),
    "INVALID_FIELD": Reason("admin", "a field has a value of the wrong type or range"),
    "UNKNOWN_FIELD": Reason("admin", "the payload carries a field the canonical model does not have"),
    "TIMESTAMP_NOT_UTC": Reason("admin", "a timestamp carries no time zone"),
    "EFFECTIVITY_INVERTED": Reason("engineering", "effective_to is before effective_from"),
    "REPORT_MOVEMENT_KIND": Reason("planner", "a production report carries a movement that is not consumption, completion or scrap"),
    "NOT_SYSTEM_OF_RECORD": Reason("admin", "the source does not own the fields it changes"),
    # --- units ---
    "UOM_UNKNOWN": Reason("engineering", "a unit of measure is not a known UN/CEFACT Rec 20 code or alias"),
    "UOM_NO_CONVERSION": Reason("engineering", "no conversion exists between the unit sent and the item's base unit"),
    "UOM_BAD_FACTOR": Reason("engineering", "a unit conversion factor is not positive"),
    # --- validation rules ---
    "ITEM_UNKNOWN": Reason("engineering", "a referenced item is not in the hub's item master"),
    "FIXED_LOT_NOT_POSITIVE": Reason("planner", "an item with lot rule fixed has no fixed_lot above zero"),
    "COMPONENT_UNKNOWN": Reason("engineering", "a BOM line's component is not in the hub's item master"),
    "COMPONENT_OBSOLETE": Reason("engineering", "a BOM line uses an obsolete component"),
    "QTY_PER_NOT_POSITIVE": Reason("engineering", "a BOM line's qty_per is zero or negative"),
    "SCRAP_PCT_OUT_OF_RANGE": Reason("engineering", "a BOM line's scrap_pct is outside [0, 100)"),
    "BOM_LINE_DUPLICATE": Reason("engineering", "a BOM carries the same line number twice"),
    "BOM_REVISION_REGRESSION": Reason("engineering", "a released revision comes before the current released one"),
    "EFFECTIVITY_OVERLAP": Reason("engineering", "two released revisions of an item are effective on the same day in one plant"),
    "BOM_CYCLE": Reason("engineering", "an item contains itself through the BOMs effective on one date"),
    "SUPPLIER_UNKNOWN": Reason("supply_chain", "a referenced supplier is not known to the hub"),
    "PO_UNKNOWN": Reason("supply_chain", "a referenced purchase order is not known to the hub"),
    "PO_ALREADY_EXISTS": Reason("supply_chain", "a created purchase order's number is held by an order with another supplier"),
    "PO_TRANSITION_INVALID": Reason("supply_chain", "a purchase order status change is outside the status graph"),
    "PO_LINE_UNKNOWN": Reason("supply_chain", "a referenced purchase order line does not exist on the order"),
    "PO_SUPPLIER_MISMATCH": Reason("supply_chain", "a supplier document names a purchase order placed with another supplier"),
    "STOCK_NEGATIVE": Reason("warehouse", "a movement would take available stock below zero"),
    "LOT_ON_HOLD": Reason("warehouse", "a movement takes out stock that is on quality hold"),
    # --- planning ---
    "MRP_INPUT_UNREADABLE": Reason("planner", "the MRP input file cannot be read as a JSON document"),
    "MRP_INPUT_INVALID": Reason("planner", "the MRP input breaks its contract: a missing key, a wrong type or a value out of range"),
    "MRP_BOM_CYCLE": Reason("engineering", "the bills of material contain a cycle, so no low-level code exists"),
    # --- delivery ---
    "DELIVERY_FAILED": Reason("admin", "a target kept failing and the message was dead-lettered"),
    "DELIVERY_REJECTED": Reason("admin", "a target rejected the message permanently"),
}


def role_for(codes: list[str]) -> str:
    """The role that must act on an exception: that of its first known code."""
    for code in codes:
        if code in CATALOGUE:
            return CATALOGUE[code].role
    return "admin"
