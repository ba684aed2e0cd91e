"""Building canonical entities from mapped fields: validation failures become FormatErrors."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from mfgsync.formats.errors import FormatError
from mfgsync.rules.reasons import CATALOGUE

Model = TypeVar("Model", bound=BaseModel)

_PYDANTIC_CODES = {"missing": "MISSING_ATTRIBUTE", "extra_forbidden": "UNKNOWN_FIELD"}


def build(model: type[Model], data: dict[str, Any]) -> Model:
    """`model` validated from `data`; the first problem becomes a FormatError with a reason code."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        kind = first["type"]
        code = kind if kind in CATALOGUE else _PYDANTIC_CODES.get(kind, "INVALID_FIELD")
        where = ".".join(str(p) for p in first["loc"])
        raise FormatError(code, f"{model.__name__}.{where}: {first['msg']}") from None
