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
