"""Units: Rec 20 codes, the aliases other systems send, and exact conversions."""

from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mfgsync.model.units import Conversion, UnitCatalogue, UnitError, normalize_uom, scaled


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


def _through_fractions(qty: Decimal, factor: Fraction) -> Decimal:
    """The conversion as written with Fraction arithmetic: the figure the integer one must equal."""
    result = Fraction(qty) * factor
    if result.denominator == 1:
        return Decimal(result.numerator)
    with localcontext() as ctx:
        ctx.prec = 34
        quotient = Decimal(result.numerator) / Decimal(result.denominator)
    return quotient.normalize()


@given(st.decimals(min_value=-10**12, max_value=10**12, allow_nan=False, places=6),
       st.fractions(min_value=Fraction(1, 10**6), max_value=10**6, max_denominator=10**6))
def test_a_scaled_quantity_is_the_exact_product_written_as_fractions_give_it(qty, factor):
    converted = scaled(qty, factor)
    expected = _through_fractions(qty, factor)
    assert converted == expected and str(converted) == str(expected)


def test_whole_converted_quantities_keep_their_digits():
    units = UnitCatalogue()
    assert str(units.convert(Decimal(10000), "GRM", "KGM")) == "10"
    assert str(units.convert(Decimal("2500"), "GRM", "KGM")) == "2.5"
    assert str(units.convert(Decimal(1), "GRM", "KGM")) == "0.001"
