"""A supplier's sourcing rule changing, kept with its history, and its longer lead time judged
against what is already planned.

The rule in force is stored under its key (item, supplier). A change closes it: the rule as it
was is kept beside it under `<key>@<its valid_from>` with `valid_to` the day before the new rule
takes effect (its `valid_from`, else the day of the change), so the best-rule choice of
replenishment and ECO impact (`best_rule`, which reads `valid_to` as the last day a rule holds)
keeps ordering on the old terms until a future-dated rule is due. A rule repeating the values in
force changes nothing; an earlier rule sent again after a later one is a change like any other,
which closes the later one the day before the earlier one takes effect again.

A longer lead time puts at risk what the new lead time can no longer bring in by its need date
(today + the new lead time): the item's open requisitions (those replenishment raised and no
order took up, and a plan's proposals) and the planned production orders whose BOM uses it (by
their start date). They become one planner exception naming each with its days late.

This handler runs before the new rule is stored, so it compares with the rule in force.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from mfgsync.model import entities as m
from mfgsync.model import keys
from mfgsync.workflows.effects import Effect, Put, Raise
from mfgsync.workflows.event import Event

AT_RISK = "SOURCING_LEAD_TIME_AT_RISK"
_DAY = timedelta(days=1)


def on_sourcing(event: Event, view: Any) -> list[Effect]:
    rule: m.SourcingRule = event.entity
    before = view.record(keys.sourcing(rule.item_id, rule.supplier_id), "sourcing")
    if before is None or before == rule:
        return []
    effective = rule.valid_from or event.time.date()
    return [*_closed(view, rule, before, effective), *_at_risk(view, rule, before, event.time.date())]


def history_key(rule: m.SourcingRule) -> str:
    """Where a superseded rule is kept: beside the rule in force, by the day it held from."""
    since = rule.valid_from.isoformat() if rule.valid_from else "start"
    return f"{keys.sourcing(rule.item_id, rule.supplier_id)}@{since}"


def _closed(view: Any, rule: m.SourcingRule, before: m.SourcingRule, effective: date) -> list[Effect]:
    """The rule in force kept as history up to the day before the new one, and any earlier
    history of the supplier still reaching that day cut back to it."""
    last = effective - _DAY
    history = [r for r in view.sourcing_rules(rule.item_id) if r.supplier_id == rule.supplier_id and r != before]
    ended = [r.valid_to for r in history if r.valid_to is not None and r.valid_to <= last]
    since = before.valid_from
    if since is None and ended:  # in force since the previous change took effect
        since = max(ended) + _DAY
    closed = before.model_copy(update={"valid_from": since, "valid_to": min(before.valid_to or last, last)})
    effects: list[Effect] = [Put(history_key(closed), "sourcing", rule.item_id, closed)]
    for r in history:
        if r.valid_to is None or r.valid_to > last:
            cut = r.model_copy(update={"valid_to": last})
            effects.append(Put(history_key(cut), "sourcing", rule.item_id, cut))
    return effects


def _at_risk(view: Any, rule: m.SourcingRule, before: m.SourcingRule, today: date) -> list[Effect]:
    if before.lead_time_days is None or rule.lead_time_days is None or rule.lead_time_days <= before.lead_time_days:
        return []
    available = today + timedelta(days=rule.lead_time_days)
    raised = [r for r in view.purchase_requisitions(rule.item_id) if r.status == m.RequisitionStatus.open
              and r.po_number is None and r.supplier_id in (None, rule.supplier_id)]
    needs = [(f"requisition {r.requisition_id}", r.need_date) for r in raised]
    mine = {keys.requisition(r.requisition_id) for r in raised}
    needs += [(f"requisition {r.key}", r.due_date) for r in view.requisitions(rule.item_id, None)
              if r.due_date is not None and r.key not in mine]
    needs += [(f"production order {o.order_id}", o.start_date) for o in view.orders_using(rule.item_id)
              if o.status == m.ProductionStatus.planned and o.start_date is not None]
    late = sorted((need, ref) for ref, need in needs if need < available)
    if not late:
        return []
    named = ", ".join(f"{ref} (needed {need}, {(available - need).days} days late)" for need, ref in late)
    return [Raise(AT_RISK, "planner", f"{rule.supplier_id} now needs {rule.lead_time_days} days for {rule.item_id} "
                                      f"(was {before.lead_time_days}): available {available}; at risk: {named}",
                  keys.sourcing(rule.item_id, rule.supplier_id))]
