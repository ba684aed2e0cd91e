"""Inputs MRP refuses: each ends in a clear message with a reason code, never a traceback."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfgsync.planning.contract import parse_mrp_json
from mfgsync.planning.engine import run_mrp
from mfgsync.planning.model import MrpInputError
from mfgsync.rules.reasons import CATALOGUE

A = {"item_id": "A"}

# what is wrong, the input (as JSON text or a document), reason code, words the message holds
REFUSED = [
    ("not JSON at all", "periods: 8", "MRP_INPUT_UNREADABLE", "not a JSON document"),
    ("NaN is not a quantity", '{"periods": 1, "demand": [{"item_id": "A", "period": 1, "qty": NaN}]}',
     "MRP_INPUT_UNREADABLE", "NaN"),
    ("nesting 100,000 deep", "[" * 100_000 + "]" * 100_000, "MRP_INPUT_UNREADABLE", "not a JSON document"),
    ("a list, not an object", [], "MRP_INPUT_INVALID", "must be a JSON object"),
    ("no horizon", {"items": [A]}, "MRP_INPUT_INVALID", "has no periods"),
    ("a horizon of zero buckets", {"periods": 0}, "MRP_INPUT_INVALID", "periods must be a whole number"),
    ("a horizon in text", {"periods": "8"}, "MRP_INPUT_INVALID", "periods must be a number"),
    ("a horizon of true", {"periods": True}, "MRP_INPUT_INVALID", "periods must be a number"),
    ("half a bucket", {"periods": 2.5}, "MRP_INPUT_INVALID", "whole number"),
    ("a century of weeks", {"periods": 5200}, "MRP_INPUT_INVALID", "from 1 to 1000"),
    ("items not a list", {"periods": 1, "items": {"A": {}}}, "MRP_INPUT_INVALID", "items must be a list"),
    ("an item without id", {"periods": 1, "items": [{"lead_time": 1}]}, "MRP_INPUT_INVALID", "items[0] has no item_id"),
    ("an empty item id", {"periods": 1, "items": [{"item_id": " "}]}, "MRP_INPUT_INVALID", "items[0].item_id"),
    ("an item listed twice", {"periods": 1, "items": [A, A]}, "MRP_INPUT_INVALID", "listed twice"),
    ("an unknown lot rule", {"periods": 1, "items": [{"item_id": "A", "lot_rule": "eoq"}]},
     "MRP_INPUT_INVALID", "lot_rule must be one of"),
    ("a fixed rule without a lot", {"periods": 1, "items": [{"item_id": "A", "lot_rule": "fixed"}]},
     "MRP_INPUT_INVALID", "fixed_lot above 0"),
    ("negative safety stock", {"periods": 1, "items": [{"item_id": "A", "safety_stock": -1}]},
     "MRP_INPUT_INVALID", "safety_stock must not be negative"),
    ("a negative lead time", {"periods": 1, "items": [{"item_id": "A", "lead_time": -1}]},
     "MRP_INPUT_INVALID", "lead_time must be a whole number"),
    ("a BOM line without component", {"periods": 1, "boms": [{"parent": "A", "qty_per": 1}]},
     "MRP_INPUT_INVALID", "boms[0] has no component"),
    ("scrap of everything", {"periods": 1, "boms": [{"parent": "A", "component": "B", "qty_per": 1, "scrap_pct": 100}]},
     "MRP_INPUT_INVALID", "scrap_pct must be below 100"),
    ("a window that ends before it starts",
     {"periods": 9, "boms": [{"parent": "A", "component": "B", "qty_per": 1, "from_period": 5, "to_period": 2}]},
     "MRP_INPUT_INVALID", "after to_period"),
    ("a receipt after the horizon", {"periods": 8, "scheduled_receipts": [{"item_id": "A", "period": 9, "qty": 1}]},
     "MRP_INPUT_INVALID", "scheduled_receipts[0].period"),
    ("negative demand", {"periods": 1, "demand": [{"item_id": "A", "period": 1, "qty": -5}]},
     "MRP_INPUT_INVALID", "demand[0].qty must not be negative"),
    ("a quantity beyond any plant", '{"periods": 1, "demand": [{"item_id": "A", "period": 1, "qty": 1e400}]}',
     "MRP_INPUT_INVALID", "out of range"),
    ("a billion-digit exponent", '{"periods": 1, "demand": [{"item_id": "A", "period": 1, "qty": 1E+999999999}]}',
     "MRP_INPUT_INVALID", "out of range"),
    ("thirteen decimal places", '{"periods": 1, "demand": [{"item_id": "A", "period": 1, "qty": 0.0000000000001}]}',
     "MRP_INPUT_INVALID", "decimal places"),
    ("a two-item cycle", {"periods": 1, "boms": [{"parent": "A", "component": "B", "qty_per": 1},
                                                 {"parent": "B", "component": "A", "qty_per": 1}]},
     "MRP_BOM_CYCLE", "cyclic"),
    ("an item in itself", {"periods": 1, "boms": [{"parent": "A", "component": "A", "qty_per": 1}]},
     "MRP_BOM_CYCLE", "A → A"),
]


def plan_text(text: str):
    return run_mrp(parse_mrp_json(text))


@pytest.mark.parametrize("what, given_input, code, words", REFUSED, ids=[r[0] for r in REFUSED])
def test_a_malformed_input_is_refused_with_its_reason(what, given_input, code, words):
    text = given_input if isinstance(given_input, str) else json.dumps(given_input)
    with pytest.raises(MrpInputError) as refused:
        plan_text(text)
    assert refused.value.code == code
    assert words in str(refused.value)
    assert code in CATALOGUE


def test_a_cycle_below_the_end_items_is_named_in_bom_order():
    text = json.dumps({"periods": 1, "boms": [
        {"parent": "TOP", "component": "X", "qty_per": 1}, {"parent": "X", "component": "Y", "qty_per": 1},
        {"parent": "Y", "component": "Z", "qty_per": 1}, {"parent": "Z", "component": "X", "qty_per": 1}]})
    with pytest.raises(MrpInputError) as refused:
        plan_text(text)
    cycle = str(refused.value).split(": ")[1].split(" → ")
    assert cycle[0] == cycle[-1] and set(cycle) == {"X", "Y", "Z"}
    assert " → ".join(cycle) in "X → Y → Z → X → Y → Z → X"  # parent before component


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=6)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["periods", "items", "boms", "scheduled_receipts", "demand", "item_id", "parent",
                         "component", "qty_per", "scrap_pct", "period", "qty", "lead_time", "lot_rule",
                         "fixed_lot", "from_period", "to_period", "on_hand"]), inner, max_size=6),
    max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(st.one_of(JSON_VALUES, st.dictionaries(st.just("periods"), st.integers(1, 4)).flatmap(
    lambda base: st.fixed_dictionaries({}, optional={"items": JSON_VALUES, "boms": JSON_VALUES,
                                                     "demand": JSON_VALUES}).map(lambda d: {**base, **d}))))
def test_any_hostile_document_is_planned_or_refused_with_a_reason(document):
    try:
        plan_text(json.dumps(document))
    except MrpInputError as refused:
        assert refused.code in CATALOGUE


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_any_bytes_are_planned_or_refused_with_a_reason(raw):
    try:
        plan_text(raw)
    except MrpInputError as refused:
        assert refused.code in CATALOGUE


# what is wrong, the input, words the message holds (each names where the fault is)
STRICT = [
    ("a misspelt item key", {"periods": 1, "items": [{"item_id": "A", "safety_stok": 5}]},
     "items[0] has an unknown key 'safety_stok'"),
    ("a misspelt BOM key", {"periods": 1, "boms": [{"parent": "A", "component": "B", "qty_per": 1, "scrap": 5}]},
     "boms[0] has an unknown key 'scrap'"),
    ("a misspelt demand key", {"periods": 2, "demand": [{"item_id": "A", "period": 1, "quantity": 5}]},
     "demand[0] has an unknown key 'quantity'"),
    ("a misspelt top-level key", {"periods": 1, "scheduled": []}, "the input has an unknown key 'scheduled'"),
    ("an item that is not an object", {"periods": 1, "items": ["A"]}, "items[0] must be a JSON object"),
    ("a receipt with no quantity", {"periods": 1, "scheduled_receipts": [{"item_id": "A", "period": 1}]},
     "scheduled_receipts[0] has no qty"),
    ("a null lead time", {"periods": 1, "items": [{"item_id": "A", "lead_time": None}]}, "items[0] has no lead_time"),
]


@pytest.mark.parametrize("what, given_input, words", STRICT, ids=[r[0] for r in STRICT])
def test_a_key_the_contract_does_not_know_is_refused_where_it_stands(what, given_input, words):
    with pytest.raises(MrpInputError) as refused:
        plan_text(json.dumps(given_input))
    assert refused.value.code == "MRP_INPUT_INVALID"
    assert words in str(refused.value)


def test_a_broken_file_is_refused_with_the_line_and_column_of_the_fault():
    with pytest.raises(MrpInputError) as refused:
        plan_text('{"periods": 1,\n "items": [{"item_id": "A",, }]}')
    assert refused.value.code == "MRP_INPUT_UNREADABLE"
    assert "line 2, column 28" in str(refused.value)


def test_keys_left_out_take_the_documented_defaults_and_unlisted_items_are_planned_with_them():
    # The contract's own example names B only in boms and scheduled_receipts: B is planned with
    # lead time 0, lot for lot, no safety stock and no stock, as an item listing only its id.
    inp = parse_mrp_json(json.dumps({"periods": 2, "items": [{"item_id": "A"}],
                                     "boms": [{"parent": "A", "component": "B", "qty_per": 1}]}))
    assert inp.items[0] == inp.items[1]._replace(item_id="A")
    assert (inp.items[1].lead_time, inp.items[1].lot_rule, inp.items[1].order_multiple) == (0, "lot_for_lot", 1)
