"""File formats: X12, EDIFACT, B2MML and the PLM BOM CSV, read into and rendered from the canonical model.

Pure: text in, canonical entities out (and back). `parse_any` detects the format from content.
"""

from __future__ import annotations

from typing import Any

from mfgsync.formats.documents import Document
from mfgsync.formats.errors import FormatError
from mfgsync.formats.partners import DEFAULT_PROFILE, PartnerProfile

FORMATS = ("x12", "edifact", "b2mml", "plm-csv")
EDI_FORMATS = ("x12", "edifact")


def decode(data: bytes) -> str:
    """File bytes as text: UTF-8 (with or without BOM), else Latin-1 (EDIFACT UNOC files)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def detect(text: str) -> str:
    head = text[:4096].lstrip("\ufeff \t\r\n\x00")
    if head.startswith("ISA"):
        return "x12"
    if head.startswith(("UNA", "UNB", "UNH")):
        return "edifact"
    if head.startswith("<"):
        return "b2mml"
    first_line = head.split("\n", 1)[0].lower()
    # A CSV header names its columns; JSON that merely mentions them is not one.
    if not first_line.startswith(("{", "[")) and "level" in first_line and "item_id" in first_line:
        return "plm-csv"
    raise FormatError("FORMAT_UNKNOWN", "the content is not X12, EDIFACT, B2MML or a PLM BOM CSV")


def parse_edi(text: str, fmt: str = "auto", profile: PartnerProfile = DEFAULT_PROFILE) -> dict[str, Any]:
    """`{"interchanges": [...]}` of an X12 or EDIFACT file."""
    from mfgsync.formats import edifact, x12

    fmt = detect(text) if fmt == "auto" else fmt
    if fmt not in EDI_FORMATS:
        raise FormatError("FORMAT_UNKNOWN", f"expected X12 or EDIFACT, found {fmt}")
    reader = x12.read if fmt == "x12" else edifact.read
    return {"interchanges": [interchange.to_json() for interchange in reader(text, profile)]}


def parse_any(text: str, fmt: str = "auto", profile: PartnerProfile = DEFAULT_PROFILE) -> dict[str, Any]:
    """Canonical documents of any supported file: the `edi parse` shape for EDI, else `{"documents": [...]}`."""
    from mfgsync.formats import b2mml, plm_csv

    fmt = detect(text) if fmt == "auto" else fmt
    if fmt in EDI_FORMATS:
        return parse_edi(text, fmt, profile)
    if fmt == "b2mml":
        documents = b2mml.read(text, profile)
    elif fmt == "plm-csv":
        boms, routings = plm_csv.read_release(text)
        documents = [*(Document("Bom", "Bom", b) for b in boms), *(Document("Routing", "Routing", r) for r in routings)]
    else:
        raise FormatError("FORMAT_UNKNOWN", f"unknown format {fmt!r}; expected auto or one of {', '.join(FORMATS)}")
    return {"documents": [{"type": d.type, "data": d.data_json()} for d in documents]}


__all__ = ["FORMATS", "FormatError", "decode", "detect", "parse_any", "parse_edi"]
