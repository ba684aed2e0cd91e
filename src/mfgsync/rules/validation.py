"""Validation of one inbound message against the hub's current state: one table of rules per
event type. Rules are pure functions (entity, state, policy) -> findings, and total: any entity
the model accepts yields findings or none, never an exception."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from mfgsync.envelope import EventType
from mfgsync.model.base import Canonical
from mfgsync.rules import bom_rules as bom
from mfgsync.rules import item_rules as items
from mfgsync.rules import shop_floor_rules as shop
from mfgsync.rules import stock_rules as stock
from mfgsync.rules import partner_rules
from mfgsync.rules import supply_rules as supply
from mfgsync.rules.findings import Finding
from mfgsync.rules.policy import Policy
from mfgsync.rules.state import StateView

__all__ = ["Finding", "Policy", "RULES", "validate"]

Rule = Callable[[Any, StateView, Policy], Iterable[Finding]]  # each takes its event's entity type

E = EventType
RULES: dict[EventType, list[Rule]] = {
    E.item_upserted: [items.item_complete, items.item_lot_rule_complete],
    E.uom_conversion_upserted: [],
    E.supplier_upserted: [],
    E.bom_released: [bom.bom_parent_known, bom.bom_lines_valid, bom.bom_fits_its_plants, bom.bom_revision_advances,
                     bom.bom_effectivity_disjoint, bom.bom_acyclic, bom.bom_effective_as_its_eco],
    E.routing_released: [bom.routing_operations_valid],
    E.eco_approved: [items.item_known, bom.eco_effective_as_its_revision],
    E.sourcing_updated: [items.item_known, supply.supplier_known],
    E.po_created: [supply.supplier_known, supply.po_created_fits, supply.po_lines_valid],
    E.po_changed: [supply.supplier_known, supply.po_known, supply.po_transition_valid, supply.po_lines_valid],
    E.po_acknowledged: [supply.po_known, supply.ack_lines_valid],
    E.asn_received: [supply.supplier_known, supply.asn_lines_valid],
    E.invoice_received: [supply.supplier_known, supply.invoice_lines_valid],
    E.interchange_received: [partner_rules.interchange_number_unused],
    E.inventory_moved: [stock.movement_valid, shop.movement_sound],
    E.inventory_snapshot: [stock.snapshot_valid],
    E.production_released: [items.item_known, shop.production_transition_valid],
    E.production_reported: [shop.report_sound],  # the stock rules over its movements, backflush included
    E.quality_hold: [items.item_known],
    E.quality_released: [items.item_known],
}


def validate(event_type: EventType, entity: Canonical, state: StateView, policy: Policy = Policy()) -> list[Finding]:
    """Every finding the rules for `event_type` raise about `entity`, in rule order.

    For item.upserted, `entity` is the merged candidate: the current item with the message's
    fields applied.
    """
    return [finding for rule in RULES[event_type] for finding in rule(entity, state, policy)]  # str or EventType
