"""Rules for what trading partners send about their interchanges."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mfgsync.model import keys
from mfgsync.model.partner_records import ReceivedInterchange
from mfgsync.rules.findings import Finding
from mfgsync.rules.policy import Policy


def interchange_number_unused(interchange: ReceivedInterchange, state: Any, policy: Policy) -> Iterator[Finding]:
    """A partner's interchange control number names one interchange: the same number again with
    other content is refused (the same content again is a duplicate, counted and ignored)."""
    earlier = state.record(keys.received_interchange(interchange.partner, interchange.control_number),
                           "received_interchange")
    if earlier is not None and earlier.digest != interchange.digest:
        yield Finding("EDI_DUPLICATE_INTERCHANGE",
                      f"{interchange.partner} used interchange control number {interchange.control_number} "
                      "before for another interchange", "control_number")
