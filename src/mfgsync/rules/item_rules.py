"""Rules for the item master, and for entities that only reference an item."""

from __future__ import annotations

from collections.abc import Iterator

from mfgsync.model.entities import EngineeringChange, Item, LotRule, ProductionOrder, QualityHold, SourcingRule
from mfgsync.rules.checks import known_item
from mfgsync.rules.findings import Finding
from mfgsync.rules.policy import Policy
from mfgsync.rules.state import StateView

# Every item needs these before planning, purchasing or stock can use it.
MANDATORY_ITEM_FIELDS = ("description", "base_uom")


def item_complete(item: Item, state: StateView, policy: Policy) -> Iterator[Finding]:
    """The item as it would be after the message (the pipeline merges the fields sent)."""
    for name in MANDATORY_ITEM_FIELDS:
        if getattr(item, name) in (None, ""):
            yield Finding("MISSING_ATTRIBUTE", f"item {item.item_id} has no {name}", name)


def item_lot_rule_complete(item: Item, state: StateView, policy: Policy) -> Iterator[Finding]:
    if item.lot_rule == LotRule.fixed and not (item.fixed_lot and item.fixed_lot > 0):
        yield Finding("FIXED_LOT_NOT_POSITIVE",
                      f"item {item.item_id} has lot rule fixed but fixed_lot is {item.fixed_lot}", "fixed_lot")


def item_known(entity: EngineeringChange | ProductionOrder | QualityHold | SourcingRule,
               state: StateView, policy: Policy) -> Iterator[Finding]:
    """The item an order, change, hold or sourcing rule is about must be in the item master."""
    _, findings = known_item(state, entity.item_id, "item_id")
    yield from findings
