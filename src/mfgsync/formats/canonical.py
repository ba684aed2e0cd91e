"""Building canonical entities from mapped fields: validation failures become FormatErrors."""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from pydantic import BaseModel, ValidationError

from mfgsync.formats.errors import FormatError
from mfgsync.formats.quick_build import NOT_GIVEN, quick_build, quick_build_rows
from mfgsync.rules.reasons import CATALOGUE

Model = TypeVar("Model", bound=BaseModel)

_PYDANTIC_CODES = {"missing": "MISSING_ATTRIBUTE", "extra_forbidden": "UNKNOWN_FIELD"}


def build(model: type[Model], data: dict[str, Any]) -> Model:
    """`model` validated from `data`; the first problem becomes a FormatError with a reason code.

    Mapped documents whose values the model takes as they are skip pydantic's per-field Python
    validators (quick_build.py); any other is validated by pydantic, so the result or the error
    is pydantic's either way.
    """
    built = quick_build(model, data)
    if built is not None:
        return built
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        kind = first["type"]
        code = kind if kind in CATALOGUE else _PYDANTIC_CODES.get(kind, "INVALID_FIELD")
        where = ".".join(str(p) for p in first["loc"])
        raise FormatError(code, f"{model.__name__}.{where}: {first['msg']}") from None


def build_lines(model: type[Model], names: tuple[str, ...], rows: list[list]) -> list:
    """The lines of a document, one per row of values for `names` (NOT_GIVEN for a field not
    given): `model` entities where quick build takes every row, else each row as the dict of its
    given names, for pydantic to decide on with the document (build), as if mapped into dicts.

    A mapper that fills rows in place of dicts spares a dict per line and building each line
    from it; the document takes built lines as pydantic takes instances of their model.
    """
    built = quick_build_rows(model, names, rows)
    if built is not None:
        return built
    return [{name: value for name, value in zip(names, row) if value is not NOT_GIVEN} for row in rows]


Writers = dict[str, tuple[type[BaseModel] | None, Callable[[Any, Any], list]]]


def render_body(writers: Writers, kind: str, document: Any, ctx: Any) -> list:
    """The segments of one document of `kind` (an X12 set id or EDIFACT message type).

    The document is its canonical entity, or a dict validated into one first; kinds with no
    entity (functional acknowledgements) are rendered from their dict as it is.
    """
    if kind not in writers:
        raise FormatError("EDI_UNSUPPORTED_MESSAGE", f"cannot render {kind!r}")
    model, write = writers[kind]
    if model is not None and not isinstance(document, model):
        if not isinstance(document, dict):
            raise FormatError("INVALID_FIELD", f"a {kind} is rendered from a {model.__name__} object")
        document = build(model, document)
    return write(document, ctx)
