"""Quantities are exact decimals: what a sender wrote is what the hub keeps and sends on."""

from decimal import Decimal

from hypothesis import given, strategies as st

from mfgsync.model import entities as m


def _balance(qty) -> m.InventoryBalance:
    return m.InventoryBalance(item_id="PUMP-100", plant_id="P1", location_id="STORES", status="available",
                              qty=qty, uom="EA")


def test_a_float_quantity_is_read_as_the_number_it_prints_as():
    assert _balance(0.1).qty == Decimal("0.1")
    assert _balance(2.675).qty == Decimal("2.675")
    assert _balance(1e-7).qty == Decimal("1E-7")


def test_a_stored_quantity_reads_back_as_the_number_written():
    stored = _balance(Decimal("48.717983")).model_dump_json()
    assert m.InventoryBalance.model_validate_json(stored).qty == Decimal("48.717983")


@given(st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-10**12, max_value=10**12))
def test_every_quantity_survives_the_store_exactly(qty):
    stored = _balance(qty).model_dump_json()
    assert m.InventoryBalance.model_validate_json(stored).qty == qty
