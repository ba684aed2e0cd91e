"""The one error every format raises: a stable reason code and where in the input it arose."""

from __future__ import annotations


class FormatError(ValueError):
    """A document that cannot be read or written; `code` is a reason code of the catalogue."""

    def __init__(self, code: str, message: str, *, file: str | None = None,
                 segment: int | None = None, tag: str | None = None,
                 element: int | None = None, line: int | None = None,
                 column: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.file = file
        self.segment = segment  # 1-based position of the segment in its interchange
        self.tag = tag
        self.element = element  # 1-based element position within the segment
        self.line = line  # 1-based line (CSV rows, XML lines)
        self.column = column

    def located(self, file: str) -> "FormatError":
        self.file = file
        return self

    def where(self) -> str:
        parts = [self.file or ""]
        if self.segment is not None:
            parts.append(f"segment {self.segment}" + (f" ({self.tag})" if self.tag else ""))
        elif self.tag:
            parts.append(self.tag)
        if self.element is not None:
            parts.append(f"element {self.element}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(p for p in parts if p)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


# Input larger than this is refused before any parsing (the benchmark's 50 MB fits easily).
MAX_INPUT_CHARS = 256 * 1024 * 1024


def check_size(text: str) -> None:
    if len(text) > MAX_INPUT_CHARS:
        raise FormatError("EDI_INPUT_TOO_LARGE", f"input of {len(text)} characters exceeds the limit")
