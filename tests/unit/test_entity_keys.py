"""Entity keys: two different entities never share a key, whatever their identifiers hold."""

from __future__ import annotations

import inspect

from hypothesis import given, settings, strategies as st

from mfgsync.model import keys

# Arbitrary text, with the separators, the escape character and the absence markers often in it.
PART = st.text(st.sampled_from("|@#%-*27CD") | st.characters(), max_size=5)

KEY_FUNCTIONS = {name: f for name, f in vars(keys).items() if inspect.isfunction(f)
                 and f.__module__ == keys.__name__ and not name.startswith("_") and name != "part"}


def _argument(parameter: inspect.Parameter):
    """Text for each identifier, or None where the key function allows it to be absent."""
    return st.none() | PART if "None" in str(parameter.annotation) else PART


def _strategies(name: str) -> list:
    return [_argument(p) for p in inspect.signature(KEY_FUNCTIONS[name]).parameters.values()]


CALLS = st.sampled_from(sorted(KEY_FUNCTIONS)).flatmap(
    lambda name: st.tuples(st.just(name), st.tuples(*_strategies(name))))


def _key(call) -> str:
    name, arguments = call
    return KEY_FUNCTIONS[name](*arguments)


@settings(max_examples=1000, deadline=None)
@given(CALLS, CALLS)
def test_distinct_identifier_tuples_always_give_distinct_keys(first, second):
    if first != second:
        assert _key(first) != _key(second)


@settings(max_examples=1500, deadline=None)
@given(CALLS, st.data())
def test_changing_any_identifiers_of_an_entity_changes_its_key(call, data):
    """The near misses: the same entity type with some identifiers drawn again (a separator moved
    from one part to the next, a marker of absence given as an identifier, ...)."""
    name, arguments = call
    redrawn = tuple(data.draw(strategy) if data.draw(st.booleans()) else value
                    for value, strategy in zip(arguments, _strategies(name)))
    if redrawn != arguments:
        assert _key(call) != _key((name, redrawn))


def test_a_location_in_one_plant_never_shares_a_balance_with_another_plants_location():
    assert keys.balance("BOLT", "P1", "MAIN|X", None, "available") != \
        keys.balance("BOLT", "P1|MAIN", "X", None, "available")


def test_an_identifier_spelled_like_an_absence_marker_is_not_the_absence():
    assert keys.balance("BOLT", "P1", "A1", "-", "available") != keys.balance("BOLT", "P1", "A1", None, "available")
    assert keys.bom("PMP-100", "*") != keys.bom("PMP-100", None)


def test_ordinary_identifiers_appear_unchanged():
    assert keys.balance("BOLT-M8", "P1", "MAIN", None, "available") == "BAL:BOLT-M8|P1|MAIN|-|available"
    assert keys.bom_revision("PMP-100", "P1", "B") == "BOMREV:PMP-100@P1#B"
