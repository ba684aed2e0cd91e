"""The one character policy for identifiers: what an id may hold so every key built from it is sound.

The hub builds keys by joining identifiers (`BAL:item|plant|location|lot|status`,
`BOM:item@plant`, `ACK:po#ack`, `source<US>id`), and both stores keep them in bounded columns.
So an identifier is printable text (no control character, NUL or lone surrogate, which one store
keeps as-is and the other refuses), holds none of the key separators, and is short enough that
the longest key built from it fits its column. The same check runs before either store sees it.
"""

from __future__ import annotations

KEY_SEPARATORS = "|@#\x1f"  # joiners of entity, effect and message keys
MAX_IDENTIFIER_CHARS = 64  # BAL: + 4 ids + 4 separators + status = 284 <= the 300 of a key column
MAX_MESSAGE_ID_CHARS = 200  # an envelope id: source (64) + US + id fits a 300-character key


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text on both stores, or None (tab and line breaks are text)."""
    for position, char in enumerate(value):
        if not char.isprintable() and char not in "\t\r\n":
            return f"character {char!r} at position {position + 1} is not printable text"
    return None


# Separator sets the hub checks against, made once (the envelope's attributes refuse US alone).
_SEPARATOR_SETS = {KEY_SEPARATORS: frozenset(KEY_SEPARATORS), "\x1f": frozenset("\x1f")}


def identifier_problem(value: str, max_chars: int = MAX_IDENTIFIER_CHARS, separators: str = KEY_SEPARATORS) -> str | None:
    """Why `value` (already stripped) cannot be an identifier, or None when it can."""
    forbidden = _SEPARATOR_SETS.get(separators) or frozenset(separators)
    if value and len(value) <= max_chars and value.isprintable() and forbidden.isdisjoint(value):
        return None  # the common case, judged by string methods alone
    if not value:
        return "is empty"
    if len(value) > max_chars:
        return f"has {len(value)} characters; at most {max_chars} are allowed"
    for position, char in enumerate(value):
        if not char.isprintable():
            return f"character {char!r} at position {position + 1} is not printable"
        if char in separators:
            return f"character {char!r} at position {position + 1} is a key separator ({' '.join(separators[:-1])})"
    return None


def shown(value: object, limit: int = 80) -> str:
    """`value` quoted for a message: repr escapes every non-printable character (NUL, lone
    surrogates), so the text is safe to store and print; its length is bounded."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"
