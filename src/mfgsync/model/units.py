"""Units of measure: UN/CEFACT Recommendation 20 codes, aliases, and exact conversions.

Conversions form a graph (global edges plus item-specific ones); a path's factor is the exact
product of its edges, computed with fractions so a box of 12 converted there and back is exact.
"""

from __future__ import annotations

from collections import deque
from decimal import Context, Decimal
from fractions import Fraction
from functools import lru_cache
from math import gcd
from typing import Iterable, NamedTuple

# Recommendation 20 codes the hub knows, with a human name.
REC20: dict[str, str] = {
    "C62": "one (piece)", "NAR": "number of articles", "PR": "pair", "SET": "set",
    "DZN": "dozen", "GRO": "gross", "BX": "box", "CT": "carton", "CS": "case", "PK": "pack",
    "PA": "packet", "RO": "roll", "BG": "bag", "DR": "drum", "PL": "pallet", "KT": "kit",
    "KGM": "kilogram", "GRM": "gram", "MGM": "milligram", "TNE": "tonne", "LBR": "pound",
    "ONZ": "ounce",
    "MTR": "metre", "CMT": "centimetre", "MMT": "millimetre", "KMT": "kilometre",
    "INH": "inch", "FOT": "foot", "YRD": "yard",
    "LTR": "litre", "MLT": "millilitre", "MTQ": "cubic metre", "GLL": "US gallon",
    "MTK": "square metre", "FTK": "square foot",
    "HUR": "hour", "MIN": "minute", "SEC": "second",
}

# Codes other systems send, read as the Rec 20 code (X12 and ERP habits included).
ALIASES: dict[str, str] = {
    "EA": "C62", "EACH": "C62", "PCE": "C62", "PC": "C62", "PCS": "C62", "UN": "C62",
    "UNIT": "C62", "ST": "C62", "H87": "C62",
    "DZ": "DZN", "DOZ": "DZN", "BOX": "BX", "CTN": "CT", "CA": "CS", "CASE": "CS",
    "PAC": "PK", "PACK": "PK", "PAL": "PL", "PALLET": "PL", "ROLL": "RO",
    "KG": "KGM", "KGS": "KGM", "G": "GRM", "GR": "GRM", "GM": "GRM", "MG": "MGM",
    "T": "TNE", "TON": "TNE", "LB": "LBR", "LBS": "LBR", "OZ": "ONZ",
    "M": "MTR", "CM": "CMT", "MM": "MMT", "KM": "KMT", "IN": "INH", "FT": "FOT", "YD": "YRD",
    "L": "LTR", "LT": "LTR", "ML": "MLT", "M3": "MTQ", "GAL": "GLL", "GA": "GLL",
    "M2": "MTK", "SQM": "MTK", "SF": "FTK",
    "HR": "HUR", "H": "HUR", "MN": "MIN", "MJ": "MIN", "S": "SEC",
}

# Conversions true for every item: (from, to, factor) meaning 1 from = factor to.
GLOBAL_CONVERSIONS: list[tuple[str, str, str]] = [
    ("DZN", "C62", "12"), ("GRO", "C62", "144"), ("PR", "C62", "2"),
    ("KGM", "GRM", "1000"), ("GRM", "MGM", "1000"), ("TNE", "KGM", "1000"),
    ("LBR", "GRM", "453.59237"), ("ONZ", "GRM", "28.349523125"),
    ("MTR", "CMT", "100"), ("MTR", "MMT", "1000"), ("KMT", "MTR", "1000"),
    ("INH", "MMT", "25.4"), ("FOT", "INH", "12"), ("YRD", "FOT", "3"),
    ("LTR", "MLT", "1000"), ("MTQ", "LTR", "1000"), ("GLL", "LTR", "3.785411784"),
    ("MTK", "FTK", "10.76391041671"),
    ("HUR", "MIN", "60"), ("MIN", "SEC", "60"),
]


_ONE = Fraction(1)


class UnitError(ValueError):
    """A unit problem, with the reason code the pipeline quarantines it under."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@lru_cache(maxsize=4096)
def normalize_uom(code: str) -> str:
    """The Rec 20 code for `code` (case-insensitive, aliases accepted); UOM_UNKNOWN otherwise."""
    text = str(code).strip().upper()
    if text in REC20:
        return text
    if text in ALIASES:
        return ALIASES[text]
    raise UnitError("UOM_UNKNOWN", f"unknown unit of measure {code!r}")


class Conversion(NamedTuple):
    item_id: str | None
    from_uom: str
    to_uom: str
    factor: Decimal


_QUOTIENT = Context(prec=34)  # a converted quantity's digits, before it is normalized


def scaled(qty: Decimal, factor: Fraction) -> Decimal:
    """`qty` times `factor`: exact where the product has a finite decimal form of 34 digits,
    otherwise rounded to 34. A whole result is written without exponent (2000 g is 2 kg, not
    2E+0); any other is normalized. The product is taken in integers (numerator and denominator
    reduced as Fraction reduces them): Fraction's arithmetic is Python code, and a movement in
    grams against a kilogram item is converted on every message."""
    numerator, denominator = qty.as_integer_ratio()
    numerator *= factor.numerator
    denominator *= factor.denominator
    common = gcd(numerator, denominator)
    if common != 1:
        numerator //= common
        denominator //= common
    if denominator == 1:
        return Decimal(numerator)
    return _QUOTIENT.divide(Decimal(numerator), Decimal(denominator)).normalize()


@lru_cache(maxsize=1)
def _global_edges() -> dict[str, dict[str, Fraction]]:
    catalogue = UnitCatalogue(with_globals=False)
    for src, dst, factor in GLOBAL_CONVERSIONS:
        catalogue.add(Conversion(None, src, dst, Decimal(factor)))
    return catalogue._edges.get(None, {})


class UnitCatalogue:
    """Global and item-specific conversions; item-specific edges apply only to their item."""

    def __init__(self, conversions: Iterable[Conversion] = (), *, with_globals: bool = True):
        # A batch starts a catalogue of its own: the global graph, worked out once, is copied.
        self._edges: dict[str | None, dict[str, dict[str, Fraction]]] = {
            None: {unit: dict(edges) for unit, edges in _global_edges().items()}} if with_globals else {}
        # Factors found so far: a batch converts the same few units over and over.
        self._factors: dict[tuple[str, str, str | None], Fraction] = {}
        for conversion in conversions:
            self.add(conversion)

    def add(self, conversion: Conversion) -> None:
        if conversion.factor <= 0:
            raise UnitError("UOM_BAD_FACTOR", f"conversion factor must be positive, got {conversion.factor}")
        src, dst = normalize_uom(conversion.from_uom), normalize_uom(conversion.to_uom)
        factor = Fraction(conversion.factor)
        graph = self._edges.setdefault(conversion.item_id, {})
        graph.setdefault(src, {})[dst] = factor
        graph.setdefault(dst, {})[src] = 1 / factor
        self._factors.clear()

    def factor(self, from_uom: str, to_uom: str, item_id: str | None = None) -> Fraction:
        """The exact factor f with 1 from_uom = f to_uom; UOM_NO_CONVERSION when there is none."""
        src, dst = normalize_uom(from_uom), normalize_uom(to_uom)
        if src == dst:
            return _ONE
        # An item without conversions of its own converts as every item does: one search for all.
        own = item_id if item_id in self._edges else None
        found = self._factors.get((src, dst, own))
        if found is None:
            found = self._factors[(src, dst, own)] = self._search(src, dst, item_id)
        return found

    def _search(self, src: str, dst: str, item_id: str | None) -> Fraction:
        """The factor along the first path from src to dst, item-specific edges first."""
        graphs = [self._edges.get(None, {})]
        if item_id is not None and item_id in self._edges:
            graphs.insert(0, self._edges[item_id])
        seen = {src: Fraction(1)}
        queue = deque([src])
        while queue:
            node = queue.popleft()
            for graph in graphs:
                for nxt, f in graph.get(node, {}).items():
                    if nxt not in seen:
                        seen[nxt] = seen[node] * f
                        if nxt == dst:
                            return seen[nxt]
                        queue.append(nxt)
        item = f" for item {item_id}" if item_id else ""
        raise UnitError("UOM_NO_CONVERSION", f"no conversion from {src} to {dst}{item}")

    def convert(self, qty: Decimal, from_uom: str, to_uom: str, item_id: str | None = None) -> Decimal:
        factor = self.factor(from_uom, to_uom, item_id)
        if factor is _ONE:
            return qty  # the same unit: nothing to compute
        return scaled(qty, factor)

    def items_with_own_conversions(self) -> set[str]:
        """The items that have conversions of their own (a box of 12 of it), beside the global ones."""
        return {item_id for item_id in self._edges if item_id is not None}

    def can_convert(self, from_uom: str, to_uom: str, item_id: str | None = None) -> bool:
        try:
            self.factor(from_uom, to_uom, item_id)
        except UnitError:
            return False
        return True
