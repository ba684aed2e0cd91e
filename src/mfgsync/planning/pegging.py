"""Pegging: which end demands each order serves, and which orders serve each end demand.

At every item, supply (stock on hand, then scheduled receipts and planned orders by due bucket)
is allotted first-in first-out to demand (end demands, and the dependent demand each parent
release puts on the item, by bucket). Supply left over holds safety stock, and beyond that is
lot-size excess. A dependent demand leads up to the parent's orders released in that bucket,
so items are pegged parents first and each order inherits its parents' end demands: that is
how a purchased part traces to the customer orders it will end up in, through every level.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from mfgsync.planning.model import MrpInput, MrpPlan

SUPPLY_RANK = {"on_hand": 0, "scheduled": 1, "planned": 2}


class Peg(NamedTuple):
    """A share of one supply: to an end demand, a parent's release, safety stock or excess."""

    to: str  # demand, parent, allocated, safety_stock, excess
    qty: int | Fraction
    demand: int | None = None  # index in the input's demand list
    parent: str | None = None
    period: int | None = None


@dataclass
class SupplyPegging:
    item_id: str
    supply: str  # on_hand, scheduled, planned
    index: int | None  # in the input's scheduled_receipts or the plan's planned_orders()
    period: int  # due bucket; 0 for stock on hand
    qty: int | Fraction
    pegs: list[Peg] = field(default_factory=list)
    end_demands: set[int] = field(default_factory=set)


@dataclass
class Pegging:
    supplies: list[SupplyPegging]
    demand_count: int

    def of_planned_order(self, index: int) -> SupplyPegging:
        return next(s for s in self.supplies if s.supply == "planned" and s.index == index)

    def of_scheduled_receipt(self, index: int) -> SupplyPegging:
        return next(s for s in self.supplies if s.supply == "scheduled" and s.index == index)

    def serving(self, demand: int) -> list[SupplyPegging]:
        """Every supply, at any level, that serves end demand number `demand`."""
        return [s for s in self.supplies if demand in s.end_demands]


class _Need(NamedTuple):
    period: int
    rank: int
    qty: int | Fraction
    peg: Peg  # the peg a supply gets for covering it (its qty is set on allotment)


def peg(inp: MrpInput, plan: MrpPlan) -> Pegging:
    orders = plan.planned_orders()
    by_item = defaultdict(list)
    for index, order in enumerate(orders):
        by_item[order.item_id].append(index)
    lines_into = defaultdict(list)
    for line in inp.boms:
        lines_into[line.component].append(line)
    items = {item.item_id: item for item in inp.items}
    demands, receipts = _by_item(inp.demand), _by_item(inp.scheduled_receipts)
    # end demands reached by each item's releases in a bucket, filled in parents-first order
    served_by_release: dict[tuple[str, int], set[int]] = defaultdict(set)
    supplies: list[SupplyPegging] = []
    for row in np.argsort(plan.low_level_codes, kind="stable").tolist():
        item_id = plan.item_ids[row]
        item_supplies = _pegged_at(items[item_id], plan, demands[item_id], receipts[item_id],
                                   [(i, orders[i]) for i in by_item[item_id]], lines_into[item_id])
        for supply in item_supplies:
            for share in supply.pegs:
                if share.to == "demand":
                    supply.end_demands.add(share.demand)
                elif share.to == "parent":
                    supply.end_demands |= served_by_release[(share.parent, share.period)]
            if supply.supply == "planned":
                served_by_release[(item_id, orders[supply.index].release_period)] |= supply.end_demands
        supplies += item_supplies
    return Pegging(supplies, len(inp.demand))


def item_supplies(inp: MrpInput, plan: MrpPlan, items: set[str]) -> list[SupplyPegging]:
    """The supplies of those items alone, each pegged to what it serves at its own item (the
    parents' releases, end demands, stock) as `peg` pegs it, without tracing end demands."""
    orders_of, lines_into = defaultdict(list), defaultdict(list)
    for index, order in enumerate(plan.planned_orders()):
        if order.item_id in items:
            orders_of[order.item_id].append((index, order))
    for line in inp.boms:
        if line.component in items:
            lines_into[line.component].append(line)
    demands, receipts = _by_item(inp.demand), _by_item(inp.scheduled_receipts)
    return [supply for item in inp.items if item.item_id in items
            for supply in _pegged_at(item, plan, demands[item.item_id], receipts[item.item_id],
                                     orders_of[item.item_id], lines_into[item.item_id])]


def _pegged_at(item, plan: MrpPlan, demands, receipts, orders, lines) -> list[SupplyPegging]:
    """One item's supplies, each allotted to the item's needs in date order."""
    start = Fraction(item.on_hand) - Fraction(item.allocated)
    supplies = _supplies(item.item_id, start, receipts, orders)
    _allot(_needs(plan, start, demands, lines), supplies, Fraction(item.safety_stock))
    return supplies


def _by_item(entries) -> dict[str, list]:
    """(index in the input list, entry) of each scheduled receipt or demand, by item."""
    grouped = defaultdict(list)
    for index, entry in enumerate(entries):
        grouped[entry.item_id].append((index, entry))
    return grouped


def _needs(plan: MrpPlan, start, demands, lines) -> list[_Need]:
    needs = []
    if start < 0:  # stock already promised beyond what is there is covered first
        needs.append(_Need(0, 0, -start, Peg("allocated", 0)))
    for index, demand in demands:
        if demand.qty > 0:
            needs.append(_Need(demand.period, 1, Fraction(demand.qty), Peg("demand", 0, demand=index)))
    for line in lines:
        releases = plan.planned_releases[plan.row_of(line.parent)].tolist()
        for period, released in enumerate(releases, start=1):
            if released and line.applies_in(period):
                needs.append(_Need(period, 2, line.requirement(released),
                                   Peg("parent", 0, parent=line.parent, period=period)))
    return sorted(needs, key=lambda need: (need.period, need.rank))


def _supplies(item_id: str, start, receipts, orders) -> list[SupplyPegging]:
    supplies = [SupplyPegging(item_id, "on_hand", None, 0, start)] if start > 0 else []
    supplies += [SupplyPegging(item_id, "scheduled", index, receipt.period, Fraction(receipt.qty))
                 for index, receipt in receipts if receipt.qty > 0]
    supplies += [SupplyPegging(item_id, "planned", index, order.due_period, order.qty)
                 for index, order in orders]
    return sorted(supplies, key=lambda s: (s.period, SUPPLY_RANK[s.supply], s.index or 0))


def _allot(needs: list[_Need], supplies: list[SupplyPegging], safety_stock: Fraction) -> None:
    """First in, first out; what is left holds safety stock, and the rest is excess."""
    left = [Fraction(s.qty) for s in supplies]
    current = 0
    for need in needs:
        wanted = need.qty
        while wanted > 0 and current < len(supplies):
            share = min(wanted, left[current])
            if share > 0:
                supplies[current].pegs.append(need.peg._replace(qty=_plain(share)))
                left[current] -= share
                wanted -= share
            if left[current] == 0:
                current += 1
    for supply, remaining in zip(supplies, left):
        held = min(remaining, safety_stock)
        if held > 0:
            supply.pegs.append(Peg("safety_stock", _plain(held)))
            safety_stock -= held
        if remaining > held:
            supply.pegs.append(Peg("excess", _plain(remaining - held)))


def _plain(qty: Fraction) -> int | Fraction:
    return qty.numerator if qty.denominator == 1 else qty
