"""Canonical entities built from mapped fields without pydantic's per-field Python validators,
where every value is already one the model accepts unchanged; None where any value is not.

The readers hand over typed values (bounded Decimals, Rec 20 unit codes, dates, ints, stripped
ids), and a file repeats the same values line after line, so most of pydantic's work on them is
the model's own Python validators re-checking what was checked a line before. Here each field's
check is derived from the model's own annotation: a field of a recognised kind (Key, Uom,
Quantity, Ordinal, ...) is checked by the same functions the model's validators call, and a value
that passed once is remembered; a field of any other kind is validated by pydantic alone (a
TypeAdapter of its annotation under the model's configuration). A model with model or field
validators, a default factory, a value of an unexpected type or any failed check gives None: the
caller then validates the whole document with pydantic, so the result, or the error with its
reason code, is exactly pydantic's.

A file holds thousands of lines of one model, so what can be worked out per model is worked out
once: each model gets a builder, written out as straight-line code over its fields with the
memory of each check looked up inline (_field_builder), and a list finds its line model's
builder once, not per line. A mapper may also hand over its lines as rows, the values of fixed
names in order rather than a dict each (quick_build_rows): one loop written out per model and
names builds them all, and the document takes them as pydantic takes instances of the model.
"""

from __future__ import annotations

import copy
import types
import typing
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, Callable

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import PydanticUndefined

from mfgsync.model import entities
from mfgsync.model.identifiers import identifier_problem, text_problem
from mfgsync.model.numbers import NumberOutOfRange, bounded
from mfgsync.model.units import REC20

_KEPT = 4096  # values each check remembers as sound


class _Refused(Exception):
    """A value the model would not take as it is: pydantic must decide."""


Check = Callable[[Any], Any]  # the value as the model would hold it; raises _Refused


def _refuse() -> Any:
    raise _Refused


def _remembering(check: Check, optional: bool) -> Check:
    """`check` of a text field, answering texts it found sound before from memory (None is sound
    for an optional field). The memory is a plain dict: a subscript of it costs less than one of
    a dict subclass (whose subscript goes through a Python-level __getitem__ lookup), so the
    builders look a text up in it inline and call the check only where it is not there (and a
    refused text raises every time, never remembered)."""
    sound: dict[str, Any] = {}

    def remembered(value: Any) -> Any:
        if type(value) is not str:
            return None if value is None and optional else _refuse()
        try:
            return sound[value]
        except KeyError:
            answer = check(value)
            _keep(sound, value, answer)
            return answer
    remembered.texts, remembered.optional = sound, optional  # type: ignore[attr-defined]  # see _checked
    return remembered


def _remembering_decimals(check: Check, optional: bool) -> Check:
    """`check` for Decimals, remembered by identity: 1.0 and 1.00 are equal but print differently.
    Each Decimal remembered is kept alive beside its answer, so while it is remembered no other
    object has its id: the id alone finds the answer."""
    sound: dict[int, Any] = {}  # id of a Decimal -> its answer (never None)
    kept: list[Any] = []  # the Decimals whose ids `sound` holds

    def remembered(value: Any) -> Any:
        answer = sound.get(id(value))
        if answer is not None:
            return answer
        if value is None and optional:
            return None
        answer = check(value)
        if len(sound) >= _KEPT:  # as _keep: a full memory starts afresh, its Decimals let go with it
            sound.clear()
            kept.clear()
        sound[id(value)] = answer
        kept.append(value)
        return answer
    remembered.decimals, remembered.optional = sound, optional  # type: ignore[attr-defined]  # see _checked
    return remembered


def _keep(sound: dict, key: Any, answer: Any) -> None:
    """Remember an answer; a full memory starts afresh, so it holds what the current file repeats
    rather than what the first file held."""
    if len(sound) >= _KEPT:
        sound.clear()
    sound[key] = answer


def _key(value: str) -> str:
    stripped = value.strip()
    return _refuse() if identifier_problem(stripped) else stripped


def _uom(value: str) -> str:
    return value if value in REC20 else _refuse()


def _quantity(minimum: int | None, strict: bool) -> Check:
    def check(value: Any) -> Decimal:
        if type(value) is not Decimal:
            raise _Refused
        try:
            number = bounded(value)
        except NumberOutOfRange:
            raise _Refused from None
        if minimum is not None and (number <= minimum if strict else number < minimum):
            raise _Refused
        return number
    return check


def _ordinal(value: Any) -> int:
    return value if type(value) is int and 0 <= value <= _ORDINAL_MAX else _refuse()


_ORDINAL_MAX = 999_999_999  # entities.Ordinal
_ordinal.holds, _ordinal.within = int, (0, _ORDINAL_MAX)  # type: ignore[attr-defined]  # see _checked


def _currency(value: str) -> str:
    code = value.strip()
    return code if len(code) == 3 and code.isascii() and code.isalpha() and code.isupper() else _refuse()


def _text(value: str) -> str:
    text = value.strip()
    return text if len(text) <= 2000 and text_problem(text) is None else _refuse()


def _day(value: Any) -> date:
    return value if type(value) is date else _refuse()


def _optional_day(value: Any) -> date | None:  # one call, not two: dates are on every line
    return value if value is None or type(value) is date else _refuse()


_day.holds = _optional_day.holds = date  # type: ignore[attr-defined]  # see _checked


# The model's own aliases, each with the check that accepts exactly the values it keeps unchanged
# (or, for Key, Currency and Text, stripped as the model strips them).
_KINDS: list[tuple[Any, Callable[[bool], Check]]] = [
    (entities.Key, lambda optional: _remembering(_key, optional)),
    (entities.Uom, lambda optional: _remembering(_uom, optional)),
    (entities.Positive, lambda optional: _remembering_decimals(_quantity(0, strict=True), optional)),
    (entities.NonNegative, lambda optional: _remembering_decimals(_quantity(0, strict=False), optional)),
    (entities.Quantity, lambda optional: _remembering_decimals(_quantity(None, strict=False), optional)),
    (entities.Ordinal, lambda optional: _optional(_ordinal) if optional else _ordinal),
    (entities.Currency, lambda optional: _remembering(_currency, optional)),
    (entities.Text, lambda optional: _remembering(_text, optional)),
    (date, lambda optional: _optional_day if optional else _day),
]


def _optional(check: Check) -> Check:
    def optional(value: Any) -> Any:
        return None if value is None else check(value)
    optional.inner = check  # type: ignore[attr-defined]  # see _checked
    return optional


def _enum(kind: type[Enum]) -> Check:
    def member(value: Any) -> Enum:
        return value if type(value) is kind else _refuse()
    member.holds = kind  # type: ignore[attr-defined]  # see _checked
    return member


def _list_of(model: type[BaseModel], max_length: int | None) -> Check:
    """A list of `model` entities: the item model's builder is looked up once per list, not per
    item (it is not made here, where the item model's own fields may still be being planned).
    A list of entities built already (quick_build_rows) is taken as pydantic takes it: each an
    instance of the model, kept as it is unless the model revalidates instances."""
    kept_as_they_are = model.model_config.get("revalidate_instances", "never") == "never"

    def check(value: Any) -> list:
        if type(value) is not list or (max_length is not None and len(value) > max_length):
            raise _Refused
        if value and type(value[0]) is model:
            if kept_as_they_are and set(map(type, value)) == {model}:  # every item one (in C, not a loop)
                return list(value)
            raise _Refused
        build_item = _BUILDERS.get(model) or _builder(model)
        return [build_item(item) for item in value]
    return check


def _adapter(hint: Any, model: type[BaseModel]) -> Check:
    adapter = TypeAdapter(hint, config=model.model_config)

    def check(value: Any) -> Any:
        try:
            return adapter.validate_python(value)
        except ValidationError:
            raise _Refused from None
    return check


def _is_text(hint: Any) -> bool:
    """Whether `hint` is a string with constraints of its own (Annotated[str, ...]): validating a
    text against it gives a text, and always the same for the same text."""
    return typing.get_origin(hint) is typing.Annotated and typing.get_args(hint)[0] is str


def _check_for(hint: Any, model: type[BaseModel]) -> Check:
    args = typing.get_args(hint)
    optional = typing.get_origin(hint) in (typing.Union, types.UnionType) and len(args) == 2 and args[1] is type(None)
    for kind, make in _KINDS:
        if hint == kind or optional and args[0] == kind:
            return make(optional)
    if _is_text(args[0] if optional else hint):  # a text pydantic alone judges: its answer for a text is remembered
        return _remembering(_adapter(args[0] if optional else hint, model), optional)
    if optional:
        return _optional(_check_for(args[0], model))
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _enum(hint)
    if typing.get_origin(hint) is typing.Annotated and typing.get_origin(args[0]) is list:
        (item,) = typing.get_args(args[0])
        limits = [meta for info in args[1:] for meta in getattr(info, "metadata", [info])]
        if isinstance(item, type) and issubclass(item, BaseModel) and all(hasattr(m, "max_length") for m in limits):
            return _list_of(item, min((m.max_length for m in limits), default=None))
    return _adapter(hint, model)


Builder = Callable[[Any], BaseModel]  # the entity holding the given fields; raises _Refused

_BUILDERS: dict[type, Builder] = {}


def _refused(data: Any) -> BaseModel:
    raise _Refused


def _builder(model: type[BaseModel]) -> Builder:
    """The model's builder, made once: one that always refuses for a model pydantic must always
    build (see _simple), or one with a field no check can be made for."""
    if model not in _BUILDERS:
        try:
            _BUILDERS[model] = _field_builder(model) if _simple(model) else _refused
        except Exception:  # a field pydantic alone can judge (a TypeAdapter cannot take the model's config)
            _BUILDERS[model] = _refused
    return _BUILDERS[model]


def _simple(model: type[BaseModel]) -> bool:
    """Whether pydantic builds `model` field by field: no validators or post-init step of its own,
    no extra fields allowed, no private attributes, aliases or default factories."""
    decorators = model.__pydantic_decorators__
    return (not decorators.model_validators and not decorators.field_validators
            and not decorators.root_validators and not decorators.validators
            and model.__pydantic_post_init__ is None and not model.__pydantic_root_model__
            and model.model_config.get("extra") == "forbid" and not model.__private_attributes__
            and all(info.default_factory is None and not info.alias and not info.validation_alias
                    for info in model.model_fields.values()))


# The slots of every pydantic model, set through their descriptors: the model's own __setattr__
# would validate, and object.__setattr__ looks each name up again on every call.
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def _field_builder(model: type[BaseModel]) -> Builder:
    """A builder for a model pydantic would build field by field, written out once as Python
    source: each field in order, its check inline where the check remembers sound values (a call
    only for a value it has not seen), its default where it is not given, so a line costs no loop
    and no lookup per field, and once every name given is found the remaining fields take their
    defaults without looking. The source names nothing but the model's field names (as string
    literals) and the checks and defaults worked out here."""
    hints = typing.get_type_hints(model, include_extras=True)
    scope: dict[str, Any] = {"_Refused": _Refused, "model": model, "new": model.__new__, "copy": copy.copy,
                             "_set_dict": _set_dict, "_set_fields_set": _set_fields_set,
                             "_set_extra": _set_extra, "_set_private": _set_private}
    body, results, required = [], [], 0
    for index, (name, info) in enumerate(model.model_fields.items()):
        check, result = _check_for(hints[name], model), f"r{index}"
        scope[f"check{index}"] = check
        results.append(f"{name!r}: {result}")
        if info.default is PydanticUndefined:
            required += 1
            body += [f"value = data[{name!r}]", *_checked(check, index, result, scope)]
            continue
        scope[f"default{index}"] = info.default
        fresh = isinstance(info.default, (list, dict, set))
        body += [f"if unfound and {name!r} in data:", "    unfound -= 1", f"    value = data[{name!r}]",
                 *("    " + line for line in _checked(check, index, result, scope)),
                 "else:", f"    {result} = copy(default{index})" if fresh else f"    {result} = default{index}"]
    source = "\n    ".join([
        "def build(data):",
        "if type(data) is not dict:",
        "    raise _Refused",
        f"unfound = len(data) - {required}",  # names given beside the required ones, not yet found
        "try:", *("    " + line for line in body),
        "except KeyError:",  # a required field not given
        "    raise _Refused from None",
        "if unfound:",  # a name that is no field: extra fields are forbidden
        "    raise _Refused",
        *_new_entity("{" + ", ".join(results) + "}", "set(data)"),
        "return entity"])
    exec(compile(source, f"<builder of {model.__qualname__}>", "exec"), scope)
    return scope["build"]


def _new_entity(fields: str, fields_set: str) -> list[str]:
    """Source making `entity` holding the dict `fields` (the checked values in field order, as
    pydantic holds them) and the set `fields_set`."""
    return ["entity = new(model)", f"_set_dict(entity, {fields})",
            f"_set_fields_set(entity, {fields_set})", "_set_extra(entity, None)", "_set_private(entity, None)"]


class _NotGiven:
    def __repr__(self) -> str:
        return "<not given>"


NOT_GIVEN: Any = _NotGiven()  # in a row (quick_build_rows): the field was not given, its default applies

RowsBuilder = Callable[[list], list]  # the entities of the given rows; raises _Refused


class _GivenNames:
    """Per mask of the names a row left NOT_GIVEN (bit i for names[i]), the set of the names it
    gave, for each entity to take a copy of. Made from a dict, as a mapped dict's set of keys
    is, so a copy's table is the size of that one (a copy of the set of every name would keep a
    table for them all). `known` is a plain dict of the masks met, looked up inline by the
    builders (a subscript of a dict subclass costs a Python-level __getitem__ lookup); a mask
    not met is worked out by calling this."""

    __slots__ = ("names", "known")

    def __init__(self, names: tuple[str, ...]):
        self.names, self.known = names, {}

    def __call__(self, absent: int) -> set[str]:
        given = self.known[absent] = set(dict.fromkeys(n for i, n in enumerate(self.names) if not absent >> i & 1))
        return given


_ROWS_BUILDERS: dict[tuple[type, tuple[str, ...]], RowsBuilder] = {}


def _rows_builder(model: type[BaseModel], names: tuple[str, ...]) -> RowsBuilder:
    """The builder of `model` entities from rows of values for `names`, made once per model and
    names: like _field_builder's, written out as one loop over the rows, each value taken from
    its place in the row instead of looked up by name. A model pydantic must always build, or
    names that are not all fields, or a required field not among them, always refuse."""
    key = (model, names)
    if key not in _ROWS_BUILDERS:
        fields = model.model_fields
        sound = (_simple(model) and set(names) <= set(fields) and len(set(names)) == len(names)
                 and all(name in names for name, info in fields.items() if info.default is PydanticUndefined))
        try:
            _ROWS_BUILDERS[key] = _field_rows_builder(model, names) if sound else _refused
        except Exception:  # as in _builder: a field pydantic alone can judge
            _ROWS_BUILDERS[key] = _refused
    return _ROWS_BUILDERS[key]


def _field_rows_builder(model: type[BaseModel], names: tuple[str, ...]) -> RowsBuilder:
    """Written out as _field_builder's is. Where some fields take their defaults in every row
    (no row names them), each entity's dict is a copy of one made once with those defaults, the
    row's values then stored in place: copying a dict costs less than making one of every field."""
    hints = typing.get_type_hints(model, include_extras=True)
    given_for = _GivenNames(names)
    scope: dict[str, Any] = {"_Refused": _Refused, "_not_given": NOT_GIVEN, "model": model, "new": model.__new__,
                             "copy": copy.copy, "given_for": given_for, "given": given_for.known, "_set_dict": _set_dict,
                             "_set_fields_set": _set_fields_set, "_set_extra": _set_extra, "_set_private": _set_private}
    place = {name: f"v{position}" for position, name in enumerate(names)}
    body, results, constant = ["absent = 0"], [], set()
    for index, (name, info) in enumerate(model.model_fields.items()):
        result = f"r{index}"
        fresh = isinstance(info.default, (list, dict, set))
        default = f"copy(default{index})" if fresh else f"default{index}"
        scope[f"default{index}"] = info.default
        if name not in place and not fresh:
            constant.add(name)
            results.append((name, default))
            continue
        results.append((name, result))
        if name not in place:
            body.append(f"{result} = {default}")
            continue
        check = _check_for(hints[name], model)
        scope[f"check{index}"] = check
        absent = ["    raise _Refused"] if info.default is PydanticUndefined else [
            f"    {result} = {default}", f"    absent |= {1 << names.index(name)}"]
        body += [f"if {place[name]} is _not_given:", *absent,
                 "else:", *("    " + line for line in _checked(check, index, result, scope, place[name]))]
    if constant:  # the defaults in a dict of every field, in field order, copied for each row
        template = ", ".join(f"{name!r}: {value if name in constant else None}" for name, value in results)
        exec(f"template = {{{template}}}", scope)
        body += ["fields = template.copy()", *(f"fields[{name!r}] = {value}" for name, value in results
                                                 if name not in constant)]
        fields = "fields"
    else:
        fields = "{" + ", ".join(f"{name!r}: {value}" for name, value in results) + "}"
    source = "\n    ".join([
        "def build_rows(rows):",
        "built = []",
        "for " + "".join(f"{place[name]}, " for name in names) + "in rows:",
        *("    " + line for line in body),
        "    try:", "        given_names = given[absent]", "    except KeyError:",
        "        given_names = given_for(absent)",
        *("    " + line for line in _new_entity(fields, "given_names.copy()")),
        "    built.append(entity)",
        "return built"])
    exec(compile(source, f"<rows builder of {model.__qualname__}>", "exec"), scope)
    return scope["build_rows"]


def _checked(check: Check, index: int, result: str, scope: dict[str, Any], value: str = "value") -> list[str]:
    """Source setting `result` to the variable `value` as the field's check holds it: the check's
    memory of sound values looked up inline where it has one, a value the check holds as it is
    (and None for an optional field) taken inline, the check itself called otherwise. A check says
    what it allows inline by its attributes: `texts` or `decimals` (its memory), `holds` (a type
    whose values it holds as they are, `within` bounds if any), `inner` (the check of an optional
    field's value) and `optional`."""
    call = f"check{index}({value})"
    if hasattr(check, "texts"):  # a subscript for a text; any other value is the check's to judge
        scope[f"sound{index}"] = check.texts
        other = f"None if {value} is None else {call}" if check.optional else call
        return ["try:", f"    {result} = sound{index}[{value}] if type({value}) is str else {other}",
                "except KeyError:",  # a text not seen: the check reads it
                f"    {result} = {call}"]
    if hasattr(check, "decimals"):
        scope[f"sound{index}"] = check.decimals
        new = f"{result} is None and {value} is not None" if check.optional else f"{result} is None"
        return [f"{result} = sound{index}.get(id({value}))", f"if {new}:", f"    {result} = {call}"]
    if hasattr(check, "inner"):
        scope[f"inner{index}"] = check.inner
        held = _held(check.inner, f"inner{index}", scope, value)
        inner = f"{value} if {held} else inner{index}({value})" if held else f"inner{index}({value})"
        return [f"{result} = None if {value} is None else {inner}"]
    held = _held(check, f"check{index}", scope, value)
    return [f"{result} = {value} if {held} else {call}" if held else f"{result} = {call}"]


def _held(check: Check, name: str, scope: dict[str, Any], value: str) -> str | None:
    """The condition on `value` under which `check` holds it as it is, or None."""
    if not hasattr(check, "holds"):
        return None
    scope[f"{name}_holds"] = check.holds
    low, high = getattr(check, "within", (None, None))
    return f"type({value}) is {name}_holds" + (f" and {low!r} <= {value} <= {high!r}" if low is not None else "")


def quick_build(model: type[BaseModel], data: dict[str, Any]) -> BaseModel | None:
    """`model` holding `data`, as model_validate would build it, or None when pydantic must decide."""
    try:
        return (_BUILDERS.get(model) or _builder(model))(data)
    except _Refused:
        return None


def quick_build_rows(model: type[BaseModel], names: tuple[str, ...], rows: list[list]) -> list[BaseModel] | None:
    """One `model` entity per row, a row holding the values of `names` in order (NOT_GIVEN for a
    field not given), each as model_validate would build it from the dict of the names given;
    None when pydantic must decide on any of them."""
    try:
        return (_ROWS_BUILDERS.get((model, names)) or _rows_builder(model, names))(rows)
    except _Refused:
        return None
