"""Every entity key the hub stores or orders by, spelled in one place.

A key is a type prefix and the entity's identifiers joined by separators (`|`, `@`, `#`).
Identifiers are escaped before joining, so two different entities never share a key even when
an identifier contains a separator (`MAIN|X` in plant `P1` is not `X` in plant `P1|MAIN`).
Where an identifier is optional, its absence is written `*` (every plant, every item) or `-` (no
lot); an identifier that is exactly `*` or `-` is then escaped too, so it never reads as absent.
Identifiers without `%`, `|`, `@` or `#` — every ordinary one — appear unchanged.
"""

from __future__ import annotations

from functools import lru_cache

_ESCAPES = str.maketrans({"%": "%25", "|": "%7C", "@": "%40", "#": "%23"})


def part(identifier: str) -> str:
    """One identifier, safe to join with the key separators."""
    if "%" in identifier or "|" in identifier or "@" in identifier or "#" in identifier:
        return identifier.translate(_ESCAPES)
    return identifier  # every ordinary identifier: four scans in C, no copy


def _optional(identifier: str | None, absent: str) -> str:
    """An identifier that may be missing: `absent` for None, never for an identifier."""
    if identifier is None:
        return absent
    return f"%{ord(absent):02X}" if identifier == absent else part(identifier)


def item(item_id: str) -> str:
    return f"ITEM:{part(item_id)}"


def supplier(supplier_id: str) -> str:
    return f"SUP:{part(supplier_id)}"


def purchase_order(po_number: str) -> str:
    return f"PO:{part(po_number)}"


BOM_PREFIX = "BOM:"  # what every current-BOM key (and BOM delivery stream) starts with


def bom(item_id: str, plant_id: str | None) -> str:
    """An item's current BOM in a plant (`*`: every plant)."""
    return f"{BOM_PREFIX}{part(item_id)}@{_optional(plant_id, '*')}"


def routing(item_id: str, plant_id: str | None) -> str:
    """An item's current routing in a plant (`*`: every plant)."""
    return f"ROUTING:{part(item_id)}@{_optional(plant_id, '*')}"


def routing_revision(item_id: str, plant_id: str | None, revision: str) -> str:
    return f"ROUTINGREV:{part(item_id)}@{_optional(plant_id, '*')}#{part(revision)}"


def bom_revision(item_id: str, plant_id: str | None, revision: str) -> str:
    return f"BOMREV:{part(item_id)}@{_optional(plant_id, '*')}#{part(revision)}"


@lru_cache(maxsize=65_536)  # a burst books the same few places over and over: reading the key back is cheaper
def balance(item_id: str, plant_id: str, location_id: str, lot_id: str | None, status: str) -> str:
    return f"BAL:{part(item_id)}|{part(plant_id)}|{part(location_id)}|{_optional(lot_id, '-')}|{part(status)}"


def stock_position(item_id: str, plant_id: str, location_id: str, lot_id: str | None) -> str:
    """A place stock is kept, whatever its status: what reconciliation compares and raises on."""
    return f"POS:{part(item_id)}|{part(plant_id)}|{part(location_id)}|{_optional(lot_id, '-')}"


def reconciliation_run(name: str, at: str) -> str:
    """One run of a named reconciliation, at the hub's time of the run."""
    return f"RECON:{part(name)}#{part(at)}"


def uom_conversion(item_id: str | None, from_uom: str, to_uom: str) -> str:
    return f"UOM:{_optional(item_id, '*')}|{part(from_uom)}|{part(to_uom)}"


def eco(eco_id: str) -> str:
    return f"ECO:{part(eco_id)}"


def sourcing(item_id: str, supplier_id: str) -> str:
    return f"SRC:{part(item_id)}|{part(supplier_id)}"


def acknowledgement(po_number: str, ack_id: str) -> str:
    return f"ACK:{part(po_number)}#{part(ack_id)}"


def ship_notice(asn_id: str) -> str:
    return f"ASN:{part(asn_id)}"


def invoice(invoice_number: str) -> str:
    return f"INVOICE:{part(invoice_number)}"


def movement(movement_id: str) -> str:
    return f"MOV:{part(movement_id)}"


def snapshot(plant_id: str) -> str:
    return f"SNAP:{part(plant_id)}"


def production_order(order_id: str) -> str:
    return f"PROD:{part(order_id)}"


def production_report(report_id: str) -> str:
    return f"PRODREP:{part(report_id)}"


def quality_hold(hold_id: str) -> str:
    return f"HOLD:{part(hold_id)}"


def lot_link(input_lot: str, output_lot: str, report_id: str, direction: str) -> str:
    """One input lot's link to one output lot made in a report, seen from one side."""
    return f"LOT:{direction}|{part(input_lot)}|{part(output_lot)}#{part(report_id)}"


def requisition(requisition_id: str) -> str:
    return f"PREQ:{part(requisition_id)}"


@lru_cache(maxsize=65_536)  # read and judged on every movement of the item in the plant
def availability_watch(item_id: str, plant_id: str) -> str:
    """Whether an item's available-to-promise in a plant is short (workflows/availability.py)."""
    return f"ATPW:{part(item_id)}@{part(plant_id)}"


def control_numbers(partner: str) -> str:
    """The control numbers the hub last used towards a trading partner."""
    return f"CTRL:{part(partner)}"


def sent_interchange(partner: str, control_number: str) -> str:
    return f"SENTX:{part(partner)}|{part(control_number)}"


def received_interchange(partner: str, control_number: str) -> str:
    return f"RCVX:{part(partner)}|{part(control_number)}"


def supplier_order(po_number: str) -> str:
    """A purchase order's exchange with its supplier (sent, acknowledged)."""
    return f"SUPORD:{part(po_number)}"


def expected_receipt(asn_id: str, line_index: int) -> str:
    return f"EXPRCPT:{part(asn_id)}|{line_index}"


def partner_stream(partner: str, po_number: str) -> str:
    """The delivery stream of a purchase order's documents to its partner: they arrive in order."""
    return f"EDI:{part(partner)}|{part(po_number)}"


def item_command_stream(code: str) -> str:
    """The delivery stream of the commands that keep one ERP product (by its code) up to date."""
    return f"ITEMCMD:{part(code)}"


@lru_cache(maxsize=65_536)  # every movement of the item in the plant is delivered in it
def stock_stream(item_id: str, plant_id: str) -> str:
    """The delivery stream of an item's stock movements in a plant."""
    return f"INV:{part(item_id)}@{part(plant_id)}"


# What `get TYPE KEY` looks up: the key function of each entity type a user can name.
BY_TYPE = {
    "item": item, "supplier": supplier, "po": purchase_order, "eco": eco, "production": production_order,
    "hold": quality_hold, "movement": movement, "asn": ship_notice, "invoice": invoice, "report": production_report,
    "requisition": requisition,
}
