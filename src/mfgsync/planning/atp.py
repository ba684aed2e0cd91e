"""Available-to-promise from the master schedule.

Discrete ATP (with look-ahead) is computed in bucket 1 and in every bucket with a master
schedule receipt: that receipt (plus stock on hand, in bucket 1) less the customer orders booked
from that bucket up to the next receipt. A shortfall is covered from earlier receipts' ATP, so
no later order is promised away. Cumulative ATP is the running total: what can be promised for
delivery by each bucket.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple, Sequence

from mfgsync.planning.model import MrpInput, MrpPlan


class Atp(NamedTuple):
    discrete: list  # by bucket, bucket 1 first; 0 outside master schedule buckets
    cumulative: list


def available_to_promise(on_hand, master_schedule: Sequence, customer_orders: Sequence) -> Atp:
    """ATP from stock on hand, the master schedule and booked orders, all by bucket."""
    periods = len(master_schedule)
    if len(customer_orders) != periods:
        raise ValueError("the master schedule and the customer orders must cover the same buckets")
    starts = [t for t in range(periods) if t == 0 or master_schedule[t]]
    discrete = [0] * periods
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else periods
        supply = master_schedule[start] + (on_hand if start == 0 else 0)
        discrete[start] = supply - sum(customer_orders[start:end])
    for k in range(len(starts) - 1, 0, -1):  # a shortfall borrows from the receipt before it
        if discrete[starts[k]] < 0:
            discrete[starts[k - 1]] += discrete[starts[k]]
            discrete[starts[k]] = 0
    cumulative, total = [], 0
    for value in discrete:
        total += value
        cumulative.append(total)
    return Atp(discrete, cumulative)


def atp_for_item(inp: MrpInput, plan: MrpPlan, item_id: str, customer_orders: Sequence | None = None) -> Atp:
    """ATP of an item from its plan: the master schedule is its receipts, scheduled and planned;
    the booked orders are its demand in the input unless others are given."""
    row = plan.row_of(item_id)
    schedule = [Fraction(s) + Fraction(p) for s, p in
                zip(plan.scheduled[row].tolist(), plan.planned_receipts[row].tolist())]
    if customer_orders is None:
        customer_orders = [Fraction(0)] * plan.periods
        for demand in inp.demand:
            if demand.item_id == item_id:
                customer_orders[demand.period - 1] += Fraction(demand.qty)
    item = next(i for i in inp.items if i.item_id == item_id)
    on_hand = Fraction(item.on_hand) - Fraction(item.allocated)
    return available_to_promise(on_hand, schedule, [Fraction(q) for q in customer_orders])
