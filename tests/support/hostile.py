"""Hostile values, as an attacker or a broken sender would send them, for property tests."""

from __future__ import annotations

from hypothesis import strategies as st

# Numbers as text: enormous and tiny exponents, non-finite values, too many digits.
NUMBER_TEXTS = st.sampled_from([
    "1e999999999", "1E+999999999999999999", "-1e999999999", "1e-999999999", "1e5000", "1e-5000",
    "1e15", "1e-13", "NaN", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "9" * 41, "1" + "0" * 4400,
    "0.00000000000000000000000000001", "1.00000000000000000000000000001", "0e999999999",
]) | st.builds(lambda mantissa, exponent: f"{mantissa}e{exponent}", st.integers(-99, 99), st.integers(-10**12, 10**12)) \
    | st.decimals(allow_nan=True, allow_infinity=True).map(str)

# Text that no identifier may hold: surrogates, NUL and control characters, key separators,
# lengths beyond every key, bidirectional overrides; and any text at all, surrogates included.
IDENTIFIER_TEXTS = st.sampled_from([
    "\ud800", "A\udfffB", "\x00", "PMP\x00100", "\x1f", "A\x1fB", "\x7f", "\x1b[31m", "A|B", "P1@X", "A#B",
    "x" * 65, "x" * 5000, "\u202eevil", "\u2028", "\u00a0", "", "   ",
]) | st.text(st.characters(exclude_categories=()), min_size=1, max_size=70)

# Times: UTC conversions that overflow, years outside the range, numbers and booleans for text.
TIMES = st.sampled_from([
    "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59Z", "1899-12-31T23:59:59Z",
    "2200-01-01T00:00:00Z", "2026-02-30T10:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T10:00:00+25:00",
    "2026-11-22", "1795000000", "", "\ud800", 1_795_000_000, 1.5e9, True, None, [], {},
])

# Nesting deeper than any parser's recursion limit.
DEEP_NESTING = st.integers(900, 5000).map(lambda depth: "[" * depth + "]" * depth) \
    | st.integers(900, 5000).map(lambda depth: '{"a":' * depth + "1" + "}" * depth)
