"""A mapped document built without pydantic's per-field validators is the very entity pydantic
builds, or is left to pydantic: never a different value, never an entity pydantic would refuse.
And the conformance corpus reads exactly as it read with pydantic and pydifact alone."""

from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from mfgsync.formats import canonical, decode, edifact, x12
from mfgsync.formats.canonical import build, build_lines
from mfgsync.formats.edifact.syntax import pydifact_tokenizer_only
from mfgsync.formats.errors import FormatError
from mfgsync.formats.quick_build import NOT_GIVEN, quick_build, quick_build_rows
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


# The rows the X12 mappers fill, one per line: the names in the order of their rows.
ROWS = [(E.PurchaseOrderLine, ("line_no", "qty", "uom", "unit_price", "item_id", "supplier_item_id", "need_date",
                               "promised_date")),
        (E.ShipNoticeLine, ("po_number", "po_line_no", "item_id", "supplier_item_id", "qty", "uom", "lot_id", "sscc")),
        (E.InvoiceLine, ("po_line_no", "qty", "uom", "unit_price", "item_id", "supplier_item_id"))]


SOUND = {"line_no": 1, "po_line_no": 3, "qty": Decimal("1.0"), "uom": "C62", "unit_price": Decimal("0.25"),
         "item_id": "ITEM-1", "supplier_item_id": " NF-1 ", "need_date": date(2026, 3, 15),
         "promised_date": date(2026, 3, 20), "po_number": "4500000001", "lot_id": "LOT-1", "sscc": "000000001"}


def mostly_sound(name):
    """The field's sound value nine times in ten, else any value or none given."""
    return st.integers(0, 19).flatmap(
        lambda n: st.just(SOUND[name]) if n < 18 else values if n == 18 else st.just(NOT_GIVEN))


def rows_of(names):
    """Rows of mostly sound values, so that about half the cases build every line."""
    return st.lists(st.tuples(*map(mostly_sound, names)).map(list), max_size=3)


@PROFILE
@given(st.sampled_from(ROWS).flatmap(lambda row: st.tuples(st.just(row), rows_of(row[1]))))
def test_lines_built_from_rows_are_pydantics_or_left_to_it(case):
    """Each row is the dict of its given names to pydantic: every line its entity, else none."""
    (model, names), rows = case
    given = [{name: value for name, value in zip(names, row) if value is not NOT_GIVEN} for row in rows]
    try:
        validated = [model.model_validate(line) for line in given]
    except ValidationError:
        assert quick_build_rows(model, names, rows) is None, given
        return
    built = quick_build_rows(model, names, rows)
    if built is not None:
        assert len(built) == len(validated)
        for quick, line in zip(built, validated):
            assert_same_entity(quick, line)


def test_lines_refused_from_rows_reach_pydantic_as_the_dicts_of_their_given_names():
    names = ("line_no", "qty", "uom", "unit_price", "item_id", "supplier_item_id", "need_date", "promised_date")
    row = [1, Decimal(0), "C62", None, "ITEM-1", None, date(2026, 3, 15), NOT_GIVEN]  # a quantity of 0
    lines = build_lines(E.PurchaseOrderLine, names, [row])
    assert lines == [{"line_no": 1, "qty": Decimal(0), "uom": "C62", "unit_price": None, "item_id": "ITEM-1",
                      "supplier_item_id": None, "need_date": date(2026, 3, 15)}]
    with pytest.raises(FormatError) as refused:
        build(E.PurchaseOrder, {"po_number": "45", "supplier_id": "S", "lines": lines})
    assert "lines.0.qty" in refused.value.message


def test_an_order_takes_the_lines_built_from_rows_as_pydantic_takes_entities():
    names = ("line_no", "qty", "uom", "item_id", "need_date")
    lines = build_lines(E.PurchaseOrderLine, names, [[1, Decimal("2.0"), "C62", "ITEM-1", NOT_GIVEN]])
    assert type(lines[0]) is E.PurchaseOrderLine and lines[0].model_fields_set == {"line_no", "qty", "uom", "item_id"}
    data = {"po_number": "45", "supplier_id": "S", "lines": lines}
    quick = quick_build(E.PurchaseOrder, data)
    assert quick is not None and quick.lines[0] is lines[0]
    assert_same_entity(quick, E.PurchaseOrder.model_validate(data))
    assert quick_build(E.PurchaseOrder, {**data, "po_number": " "}) is None  # the header still checked


def test_lines_of_which_only_some_are_entities_are_left_to_pydantic():
    names = ("line_no", "qty", "uom", "item_id")
    (entity,) = build_lines(E.PurchaseOrderLine, names, [[1, Decimal("2.0"), "C62", "ITEM-1"]])
    as_dict = {"line_no": 2, "qty": Decimal(1), "uom": "C62", "item_id": "ITEM-2"}
    for lines in ([entity, as_dict], [entity, entity, as_dict]):
        data = {"po_number": "45", "supplier_id": "S", "lines": lines}
        assert quick_build(E.PurchaseOrder, data) is None
        assert_same_entity(build(E.PurchaseOrder, data), E.PurchaseOrder.model_validate(data))


def test_a_sound_mapped_order_is_built_quickly_as_pydantic_builds_it():
    data = {"po_number": " 4500000001 ", "supplier_id": "NORTHFAST", "status": PoStatus.sent, "currency": "EUR",
            "lines": [{"line_no": 1, "item_id": "ITEM-1", "qty": Decimal("10.0"), "uom": "C62",
                       "unit_price": Decimal("1.25"), "need_date": date(2026, 3, 15)},
                      {"line_no": 2, "item_id": "ITEM-2", "qty": Decimal("10.00"), "uom": "C62", "unit_price": None}]}
    quick = quick_build(E.PurchaseOrder, data)
    assert quick is not None and quick.po_number == "4500000001"
    assert_same_entity(quick, E.PurchaseOrder.model_validate(data))
    assert str(quick.lines[0].qty) == "10.0" and str(quick.lines[1].qty) == "10.00"  # equal decimals stay apart


def test_lines_built_from_rows_each_hold_a_dict_of_their_own():
    """Lines whose fields partly take their defaults start from one dict of those defaults: each
    line gets a copy, so none shares it with another line or with the next rows built."""
    names = ("line_no", "qty", "uom", "item_id")
    rows = [[n, Decimal(n), "C62", f"ITEM-{n}"] for n in (1, 2)]
    first, second = build_lines(E.PurchaseOrderLine, names, rows)
    assert first.__dict__ is not second.__dict__
    first.__dict__["status"] = E.PoLineStatus.closed
    (again,) = build_lines(E.PurchaseOrderLine, names, rows[:1])
    assert second.status == again.status == E.PoLineStatus.open and again.line_no == 1
    assert_same_entity(again, E.PurchaseOrderLine.model_validate(dict(zip(names, rows[0]))))


def test_equal_decimals_that_print_differently_are_not_confused():
    for text in ("5", "5.0", "5.00", "5.0", "5"):
        line = {"line_no": 1, "item_id": "I", "qty": Decimal(text), "uom": "C62"}
        assert str(quick_build(E.PurchaseOrderLine, line).qty) == text


def test_a_decimal_is_known_by_its_id_only_while_remembered(monkeypatch):
    """Decimals made and let go one after another often share an id; a memory that fills and
    starts afresh lets its Decimals go with their answers, so no later Decimal takes an answer
    that was another's: each line holds its own quantity, a refused one is refused each time."""
    monkeypatch.setattr("mfgsync.formats.quick_build._KEPT", 2)
    names = ("line_no", "qty", "uom", "item_id")
    for text in ["1", "1.0", "-1", "1.00", "2", "0", "1.0"] * 20:
        lines = quick_build_rows(E.PurchaseOrderLine, names, [[1, Decimal(text), "C62", "ITEM-1"]])
        if Decimal(text) > 0:
            assert str(lines[0].qty) == text
        else:
            assert lines is None


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


def _sound_interchange() -> str:
    """An 850, an 856 and an 810 of a few lines each, the fields the bench file fills and more."""
    order = {"po_number": "4500000001", "supplier_id": "NORTHFAST", "order_date": "2026-03-01", "currency": "EUR",
             "lines": [{"line_no": i, "item_id": f"ITEM-{i}", "supplier_item_id": f"NF-{i}", "qty": 10 + i,
                        "uom": "C62", "unit_price": f"{i}.25", "need_date": "2026-03-15",
                        "promised_date": "2026-03-20" if i == 2 else None} for i in (1, 2, 3)]}
    asn = {"asn_id": "ASN-1", "supplier_id": "NORTHFAST", "ship_date": "2026-03-02", "carrier": "UPSN",
           "tracking_number": "1Z", "lines": [{"po_number": "4500000001", "po_line_no": i, "item_id": f"ITEM-{i}",
                                               "qty": 10 + i, "uom": "KGM", "lot_id": f"LOT-{i}",
                                               "sscc": "000000001" if i == 2 else None} for i in (1, 2, 3)]}
    invoice = {"invoice_number": "INV-1", "supplier_id": "NORTHFAST", "po_number": "4500000001",
               "invoice_date": "2026-03-05", "currency": "EUR", "charges_amount": "2.50",
               "lines": [{"po_line_no": i, "item_id": f"ITEM-{i}", "supplier_item_id": f"NF-{i}", "qty": 10 + i,
                          "uom": "C62", "unit_price": f"{i}.25"} for i in (1, 2, 3)]}
    return x12.render_many([("850", order), ("856", asn), ("810", invoice)])


SOUND_X12 = _sound_interchange()
_ENVELOPE = ("ISA", "GS", "ST", "SE", "GE", "IEA")
_MAPPED = [(n, e) for n, segment in enumerate(SOUND_X12.split("~\n")) if segment[:3].rstrip("*") not in _ENVELOPE
           for e in range(1, len(segment.split("*")))]
# Values a partner's file holds in place of sound ones: zero, negative, empty, padded, too long or
# too large numbers, unknown units, key separators, dates that are no dates, lower case, text.
_HOSTILE = ["0", "-1", "", " ", "  7 ", "0.0", "1E+20", "1.000000000000001", "99999999999999999", "ABC", "X|Y", "a@b",
            "x" * 70, "NaN", "20261301", "260315", "c62", "ZZ", "LT", "BP", "VP", "HP", "GM", "I", "O", "P", "S",
            "1", "2", "002", "067", "011", "CN", "SU", "A", "C"]


def reading_outcome(text: str, strict: bool):
    """The documents read, field for field, with every fault recorded; or the error raised."""
    try:
        pairs = x12.read_interchanges(text, strict=strict)
    except FormatError as error:
        return ("error", error.code, str(error))
    return [(result.to_json(), [(repr(d.data), d.data.model_dump(exclude_unset=True)) for d in result.documents],
             [(e.code, str(e)) for e in [*interchange.errors, *(e for g in interchange.groups for e in g.errors),
                                          *(e for g in interchange.groups for t in g.sets for e in t.errors)]])
            for interchange, result in pairs]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_MAPPED), st.sampled_from(_HOSTILE)), min_size=1, max_size=3),
       st.booleans())
def test_a_mutated_x12_document_reads_exactly_as_with_pydantic_alone(mutations, strict):
    """Lines built from rows and documents built quickly, or pydantic deciding on everything:
    the same entities, or the same reason code and message, strict and lenient."""
    segments = [segment.split("*") for segment in SOUND_X12.split("~\n")]
    for (number, element), value in mutations:
        segments[number][element] = value
    text = "~\n".join("*".join(segment) for segment in segments)
    quick = reading_outcome(text, strict)
    with pydantic_builds_everything():
        assert reading_outcome(text, strict) == quick


@contextmanager
def pydantic_builds_everything():
    original = canonical.quick_build, canonical.quick_build_rows
    canonical.quick_build, canonical.quick_build_rows = (lambda model, data: None), (lambda model, names, rows: None)
    try:
        yield
    finally:
        canonical.quick_build, canonical.quick_build_rows = original


def test_the_sound_interchange_is_built_quickly_without_pydantic(monkeypatch):
    """The mutations above start from documents that quick build takes whole."""
    def no_pydantic(*args, **kwargs):
        raise AssertionError("pydantic was asked")
    for model in (E.PurchaseOrder, E.ShipNotice, E.Invoice):
        monkeypatch.setattr(model, "model_validate", no_pydantic)
    (interchange,) = x12.read(SOUND_X12)
    assert [len(document.data.lines) for document in interchange.documents] == [3, 3, 3]


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
    monkeypatch.setattr(canonical, "quick_build_rows", lambda model, names, rows: None)
    with pydifact_tokenizer_only():
        before = [reading(text) for text in texts]
    for name, a, b in zip(names, now, before):
        assert a == b, name


def test_rows_read_from_the_memories_of_sound_texts_and_masks_as_when_first_seen():
    """A text or a mask of names not given, met again, builds what it built when first met; a
    refused text is refused every time, never remembered as sound."""
    names = ("po_number", "po_line_no", "item_id", "supplier_item_id", "qty", "uom", "lot_id", "sscc")
    row = ["4500000009", 1, "ITEM-9", None, Decimal("2"), "C62", NOT_GIVEN, "000000009"]
    first, again = (quick_build_rows(E.ShipNoticeLine, names, [list(row)]) for _ in range(2))
    assert first is not None and again is not None
    assert_same_entity(first[0], again[0])
    assert first[0].model_fields_set is not again[0].model_fields_set
    assert first[0].model_fields_set == set(names) - {"lot_id"}
    bad = ["4500000009", 1, "A|B", None, Decimal("2"), "C62", None, None]
    assert quick_build_rows(E.ShipNoticeLine, names, [bad]) is None
    assert quick_build_rows(E.ShipNoticeLine, names, [bad]) is None
