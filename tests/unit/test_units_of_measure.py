"""Units: Rec 20 codes, the aliases other systems send, and exact conversions."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mfgsync.model.units import Conversion, UnitCatalogue, UnitError, normalize_uom


@pytest.mark.parametrize("sent, canonical", [
    ("EA", "C62"), ("pce", "C62"), ("C62", "C62"), ("KG", "KGM"), ("M", "MTR"), ("L", "LTR"), ("BOX", "BX"),
    (" mm ", "MMT"),
])
def test_aliases_read_as_their_rec20_code(sent, canonical):
    assert normalize_uom(sent) == canonical


def test_an_unknown_unit_has_its_own_reason_code():
    with pytest.raises(UnitError) as error:
        normalize_uom("FURLONG")
    assert error.value.code == "UOM_UNKNOWN"


def test_global_conversions_chain_exactly():
    units = UnitCatalogue()
    assert units.convert(Decimal("2.5"), "KGM", "GRM") == Decimal("2500")
    assert units.convert(Decimal("1"), "FOT", "MMT") == Decimal("304.8")
    assert units.convert(Decimal("750"), "MLT", "LTR") == Decimal("0.75")


def test_a_box_of_twelve_is_twelve_pieces_only_for_its_own_item():
    units = UnitCatalogue([Conversion("NUT-M8", "BX", "C62", Decimal(12))])
    assert units.convert(Decimal(3), "BX", "EA", "NUT-M8") == Decimal(36)
    assert units.convert(Decimal(6), "EA", "BX", "NUT-M8") == Decimal("0.5")
    with pytest.raises(UnitError) as error:
        units.convert(Decimal(3), "BX", "C62", "BOLT-M6")
    assert error.value.code == "UOM_NO_CONVERSION"


def test_there_is_no_conversion_between_mass_and_length():
    assert not UnitCatalogue().can_convert("KGM", "MTR")


@given(st.decimals(min_value=0, max_value=10**9, places=4), st.integers(min_value=1, max_value=1000))
def test_converting_there_and_back_returns_the_same_quantity(qty, factor):
    units = UnitCatalogue([Conversion("X", "PK", "C62", Decimal(factor))])
    assert units.convert(units.convert(qty, "PK", "C62", "X"), "C62", "PK", "X") == qty
