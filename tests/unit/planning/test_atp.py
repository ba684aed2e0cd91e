"""Available-to-promise: what sales may still promise, bucket by bucket, from the master schedule."""

from __future__ import annotations

from mrp_tables import item, per_bucket, table

from mfgsync.planning.atp import atp_for_item, available_to_promise
from mfgsync.planning.contract import parse_mrp_input
from mfgsync.planning.engine import run_mrp


def atp_table(on_hand, rows: dict) -> dict:
    atp = available_to_promise(on_hand, rows["mps"], rows["orders"])
    return {"discrete": atp.discrete, "cumulative": atp.cumulative}


def test_each_master_schedule_receipt_is_promised_until_the_next_one():
    # 20 on hand + 80 in bucket 1 less 50 booked in buckets 1-3; 80 less 50 in 4-6; 80 less 10 after.
    rows = table("""
                   1   2   3   4   5   6   7   8
        mps       80   0   0  80   0   0  80   0
        orders    30  20   0  30  20   0  10   0
    """)
    assert atp_table(20, rows) == table("""
                   1   2   3   4   5   6   7   8
        discrete  50   0   0  30   0   0  70   0
        cumulative 50 50  50  80  80  80 150 150
    """)


def test_a_shortfall_takes_from_an_earlier_receipt_so_later_orders_stay_covered():
    # Buckets 4-6 book 100 against a receipt of 80: the 20 missing come out of bucket 1's ATP.
    rows = table("""
                   1   2   3   4   5   6   7   8
        mps       80   0   0  80   0   0  80   0
        orders    40  30  10  50  20  30  60  10
    """)
    assert atp_table(20, rows) == table("""
                   1   2   3   4   5   6   7   8
        discrete   0   0   0   0   0   0  10   0
        cumulative 0   0   0   0   0   0  10  10
    """)


def test_orders_beyond_everything_scheduled_show_as_negative_atp_in_bucket_one():
    assert available_to_promise(0, [10, 0], [5, 20]).discrete == [-15, 0]


def test_atp_of_an_end_item_comes_from_its_mrp_receipts_and_booked_demand():
    # Fixed lots of 100 against booked demand of 30 a bucket: ATP is what each lot leaves over.
    inp = parse_mrp_input({"periods": 6, "items": [item("PUMP", lot_rule="fixed", fixed_lot=100, on_hand=10)],
                           "demand": per_bucket("PUMP", "30 30 30 30 30 30")})
    plan = run_mrp(inp)
    assert plan.record("PUMP")["planned_receipts"] == [100, 0, 0, 100, 0, 0]
    atp = atp_for_item(inp, plan, "PUMP")
    assert (atp.discrete, atp.cumulative) == ([20, 0, 0, 10, 0, 0], [20, 20, 20, 30, 30, 30])
