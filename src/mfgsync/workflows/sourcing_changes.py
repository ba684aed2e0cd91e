"""A supplier's longer lead time, judged against what is already planned: the open purchase
requisitions and MRP requisition proposals of the item that the new lead time can no longer
bring in by their need date become planner exceptions naming them, with the days late.

This handler runs before the new rule is stored, so it compares with the rule in force.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from mfgsync.model import entities as m
from mfgsync.model import keys
from mfgsync.workflows.effects import Effect, Raise
from mfgsync.workflows.event import Event

AT_RISK = "SOURCING_LEAD_TIME_AT_RISK"


def on_sourcing(event: Event, view: Any) -> list[Effect]:
    rule: m.SourcingRule = event.entity
    before = view.record(keys.sourcing(rule.item_id, rule.supplier_id), "sourcing")
    if before is None or before.lead_time_days is None or rule.lead_time_days is None \
            or rule.lead_time_days <= before.lead_time_days:
        return []
    available = event.time.date() + timedelta(days=rule.lead_time_days)
    needs = [(r.requisition_id, r.need_date) for r in view.purchase_requisitions(rule.item_id)
             if r.status == m.RequisitionStatus.open and r.supplier_id in (None, rule.supplier_id)]
    needs += [(r.key, r.due_date) for r in view.requisitions(rule.item_id, None) if r.due_date is not None]
    late = sorted((need, ref) for ref, need in needs if need < available)
    if not late:
        return []
    named = ", ".join(f"{ref} (needed {need}, {(available - need).days} days late)" for need, ref in late)
    return [Raise(AT_RISK, "planner", f"{rule.supplier_id} now needs {rule.lead_time_days} days for {rule.item_id} "
                                      f"(was {before.lead_time_days}): available {available}; at risk: {named}",
                  keys.sourcing(rule.item_id, rule.supplier_id))]
