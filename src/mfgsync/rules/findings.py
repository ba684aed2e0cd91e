"""What a rule reports: a reason code, a sentence naming the offending value, and what to do."""

from __future__ import annotations

from dataclasses import dataclass

REJECT = "reject"  # quarantine the message
ALERT = "alert"  # apply the message, and raise an exception for the code's owner role


@dataclass(frozen=True)
class Finding:
    code: str  # a code from reasons.CATALOGUE
    message: str  # e.g. "component BOLT-9 is obsolete (line 20)"
    field: str | None = None  # a path such as "lines[2].qty_per"
    severity: str = REJECT
