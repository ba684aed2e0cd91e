"""A mapped document built without pydantic's per-field validators is the very entity pydantic
builds, or is left to pydantic: never a different value, never an entity pydantic would refuse.
And the conformance corpus reads exactly as it read with pydantic and pydifact alone."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from mfgsync.formats import canonical, decode, edifact, x12
from mfgsync.formats.canonical import build
from mfgsync.formats.edifact.syntax import pydifact_tokenizer_only
from mfgsync.formats.errors import FormatError
from mfgsync.formats.quick_build import quick_build
from mfgsync.model import entities as E
from mfgsync.model.base import Canonical
from mfgsync.model.states import PoStatus

from .test_conformance_corpus import CORPUS, corpus_files

PROFILE = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])

texts = st.sampled_from(["ITEM-1", "  ITEM-1 ", "", " ", "A|B", "A@B", "a\x00b", "x" * 64, "x" * 65, "\ud800",
                         "C62", "EA", "c62", "KGM ", "EUR", "eur", "EU", " USD", "ok text", "tab\there", "y" * 2001])
decimals = st.sampled_from([Decimal("1"), Decimal("1.0"), Decimal("1.00"), Decimal("0"), Decimal("-0"), Decimal("-1"),
                            Decimal("0.25"), Decimal("1E+14"), Decimal("1E+15"), Decimal("1E-13"), Decimal("NaN"),
                            Decimal("Infinity"), Decimal("1." + "0" * 30), Decimal("1234567890123.25")])
values = st.one_of(texts, decimals, st.none(), st.booleans(), st.integers(min_value=-2, max_value=10**9 + 1),
                   st.sampled_from([date(2026, 3, 1), datetime(2026, 3, 1, 12, 0), 1.5, [], {}, "sent", "open",
                                    PoStatus.sent, E.PoLineStatus.open, E.AckType.accepted, E.AckLineStatus.changed]))


def documents(model, line_model):
    names = [n for n in model.model_fields if n != "lines"]
    line_names = list(line_model.model_fields)
    line = st.dictionaries(st.sampled_from(line_names + ["unknown"]), values, max_size=len(line_names))
    return st.tuples(st.dictionaries(st.sampled_from(names + ["unknown"]), values, max_size=len(names)),
                     st.one_of(st.none(), st.lists(line, max_size=3)))


def assert_same_entity(quick, validated) -> None:
    assert type(quick) is type(validated)
    assert list(quick.__dict__) == list(validated.__dict__)
    for name, value in validated.__dict__.items():
        if isinstance(value, list):
            assert len(quick.__dict__[name]) == len(value)
            for a, b in zip(quick.__dict__[name], value):
                assert_same_entity(a, b)
        else:
            assert type(quick.__dict__[name]) is type(value) and repr(quick.__dict__[name]) == repr(value), name
    assert quick.model_fields_set == validated.model_fields_set
    assert quick == validated
    assert quick.model_dump_json() == validated.model_dump_json()
    assert quick.model_dump(exclude_unset=True) == validated.model_dump(exclude_unset=True)


def check(model, header, lines) -> None:
    data = dict(header) if lines is None else {**header, "lines": lines}
    try:
        validated = model.model_validate(data)
    except ValidationError:
        assert quick_build(model, data) is None, data
        return
    quick = quick_build(model, data)
    if quick is not None:
        assert_same_entity(quick, validated)


@PROFILE
@given(documents(E.PurchaseOrder, E.PurchaseOrderLine))
def test_purchase_orders_are_pydantics_or_left_to_it(document):
    check(E.PurchaseOrder, *document)


@PROFILE
@given(documents(E.ShipNotice, E.ShipNoticeLine))
def test_ship_notices_are_pydantics_or_left_to_it(document):
    check(E.ShipNotice, *document)


@PROFILE
@given(documents(E.Invoice, E.InvoiceLine))
def test_invoices_are_pydantics_or_left_to_it(document):
    check(E.Invoice, *document)


@PROFILE
@given(documents(E.PoAcknowledgement, E.PoAcknowledgementLine))
def test_acknowledgements_are_pydantics_or_left_to_it(document):
    check(E.PoAcknowledgement, *document)


def test_a_sound_mapped_order_is_built_quickly_as_pydantic_builds_it():
    data = {"po_number": " 4500000001 ", "supplier_id": "NORTHFAST", "status": PoStatus.sent, "currency": "EUR",
            "lines": [{"line_no": 1, "item_id": "ITEM-1", "qty": Decimal("10.0"), "uom": "C62",
                       "unit_price": Decimal("1.25"), "need_date": date(2026, 3, 15)},
                      {"line_no": 2, "item_id": "ITEM-2", "qty": Decimal("10.00"), "uom": "C62", "unit_price": None}]}
    quick = quick_build(E.PurchaseOrder, data)
    assert quick is not None and quick.po_number == "4500000001"
    assert_same_entity(quick, E.PurchaseOrder.model_validate(data))
    assert str(quick.lines[0].qty) == "10.0" and str(quick.lines[1].qty) == "10.00"  # equal decimals stay apart


def test_equal_decimals_that_print_differently_are_not_confused():
    for text in ("5", "5.0", "5.00", "5.0", "5"):
        line = {"line_no": 1, "item_id": "I", "qty": Decimal(text), "uom": "C62"}
        assert str(quick_build(E.PurchaseOrderLine, line).qty) == text


def test_an_unknown_name_in_place_of_an_optional_field_is_left_to_pydantic():
    """As many names as a sound line gives, one of them no field: pydantic refuses it."""
    sound = {"line_no": 1, "item_id": "I", "qty": Decimal(1), "uom": "C62", "need_date": date(2026, 3, 15)}
    assert quick_build(E.PurchaseOrderLine, sound) is not None
    unknown = {**{k: v for k, v in sound.items() if k != "need_date"}, "need_day": date(2026, 3, 15)}
    assert quick_build(E.PurchaseOrderLine, unknown) is None
    with pytest.raises(FormatError) as refused:
        build(E.PurchaseOrderLine, unknown)
    assert refused.value.code == "UNKNOWN_FIELD"


def test_every_order_built_without_lines_has_a_list_of_its_own():
    first, second = (quick_build(E.PurchaseOrder, {"po_number": f"45{n}", "supplier_id": "S"}) for n in (1, 2))
    assert first.lines == [] and first.lines is not second.lines
    assert "lines" not in first.model_fields_set


def test_a_refused_value_keeps_pydantics_reason_code_and_message():
    bad = {"po_number": "4500000001", "supplier_id": "S", "lines": [{"line_no": 1, "item_id": "I|J",
                                                                    "qty": Decimal(1), "uom": "C62"}]}
    assert quick_build(E.PurchaseOrder, bad) is None
    try:
        build(E.PurchaseOrder, bad)
    except FormatError as error:
        assert error.code == "IDENTIFIER_INVALID" and "lines.0.item_id" in error.message
    else:
        raise AssertionError("a key separator in an item id is refused")


class _Part(Canonical):
    part_id: E.Key


class _Assembly(Canonical):
    part: _Part  # a model field no per-value check is made for


class _Counted(Canonical):
    count: int

    def model_post_init(self, context) -> None:
        object.__setattr__(self, "count", self.count + 1)


def test_models_with_their_own_validators_or_steps_are_always_left_to_pydantic():
    assert quick_build(E.Bom, {"item_id": "P", "revision": "A"}) is None
    assert quick_build(_Counted, {"count": 1}) is None and build(_Counted, {"count": 1}).count == 2
    assert quick_build(_Assembly, {"part": {"part_id": "X"}}) is None
    assert build(_Assembly, {"part": {"part_id": "X"}}).part.part_id == "X"


def test_the_corpus_reads_exactly_as_with_pydantic_and_pydifact_alone(monkeypatch):
    """Every file of the conformance corpus, strict and lenient: the same documents, field for
    field, and the same errors with their codes and positions."""
    def reading(text: str):
        reader = x12 if text.lstrip("\ufeff \r\n\t").startswith("ISA") else edifact
        out = []
        for strict in (True, False):
            try:
                pairs = reader.read_interchanges(text, strict=strict)
            except FormatError as error:
                out.append((error.code, str(error)))
                continue
            for interchange, result in pairs:
                faults = [*interchange.errors, *(e for g in getattr(interchange, "groups", []) for e in g.errors),
                          *(e for g in getattr(interchange, "groups", []) for s in g.sets for e in s.errors),
                          *(e for m in getattr(interchange, "messages", []) for e in m.errors)]
                out.append((result.to_json(), [(e.code, str(e)) for e in faults]))
        return out

    names = corpus_files()
    if not names:
        pytest.skip("the conformance corpus is not beside the checkout")
    texts = [decode((CORPUS / name).read_bytes()) for name in names]
    now = [reading(text) for text in texts]
    monkeypatch.setattr(canonical, "quick_build", lambda model, data: None)
    with pydifact_tokenizer_only():
        before = [reading(text) for text in texts]
    for name, a, b in zip(names, now, before):
        assert a == b, name
