"""Random MRP inputs for property tests: acyclic BOMs (lines point from lower to higher item
numbers), windows, receipts and demand, with whole or decimal quantities."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

WHOLE = st.integers(0, 60).map(Decimal)
TENTHS = st.integers(0, 600).map(lambda n: Decimal(n) / 10)
QTY_PER = st.sampled_from(["1", "2", "3", "0.5", "1.5", "0.25", "4"]).map(Decimal)
SCRAP = st.sampled_from(["0", "0", "5", "10", "12.5", "33"]).map(Decimal)


@st.composite
def mrp_inputs(draw, quantity=WHOLE):
    """An input whose BOM lines always point from a lower to a higher item number: acyclic."""
    periods = draw(st.integers(1, 8))
    n = draw(st.integers(1, 10))
    names = [f"I{k}" for k in range(n)]
    items = [draw(_item(name, quantity)) for name in names]
    pairs = [(p, c) for p in range(n) for c in range(p + 1, n)]
    boms = []
    for p, c in draw(st.lists(st.sampled_from(pairs), max_size=16)) if pairs else []:
        bom = {"parent": names[p], "component": names[c], "qty_per": draw(QTY_PER), "scrap_pct": draw(SCRAP)}
        if draw(st.booleans()):  # a revision window, sometimes reaching outside the horizon
            start = draw(st.integers(0, periods + 1))
            bom.update(from_period=start, to_period=draw(st.integers(start, periods + 2)))
        boms.append(bom)
    entries = st.fixed_dictionaries({"item_id": st.sampled_from(names), "period": st.integers(1, periods),
                                     "qty": quantity})
    return {"periods": periods, "items": items, "boms": boms,
            "scheduled_receipts": draw(st.lists(entries, max_size=4)),
            "demand": draw(st.lists(entries, max_size=10))}


def _item(name: str, quantity):
    return st.fixed_dictionaries({
        "item_id": st.just(name), "lead_time": st.integers(0, 3),
        "lot_rule": st.sampled_from(["lot_for_lot", "fixed", "min_multiple"]),
        "fixed_lot": quantity.map(lambda q: q + 1), "order_min": quantity,
        "order_multiple": st.sampled_from([0, 1, 2, 5, 12]).map(Decimal),
        "safety_stock": quantity.map(lambda q: q / 3 if q % 3 == 0 else q),
        "on_hand": quantity, "allocated": quantity.map(lambda q: q // 2)})
