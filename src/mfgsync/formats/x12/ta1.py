"""TA1 interchange acknowledgement: the answer to an interchange's envelope (ISA/IEA).

A 997 answers groups and sets; when the envelope itself is broken there are none to answer, and
the standard calls for a TA1 instead, rejecting the interchange with a note code (data element
I18). A sender can also ask for a TA1 on every interchange (ISA14 = 1).
"""

from __future__ import annotations

from mfgsync.formats.x12.envelope import Interchange
from mfgsync.formats.x12.syntax import Segment

NO_ERROR = "000"
INVALID_CONTROL_STRUCTURE = "022"
# Reason code -> TA105 (I18) interchange note code.
NOTE_CODES = {"X12_CONTROL_NUMBER_MISMATCH": "001", "X12_BAD_COUNT": "021", "X12_GROUP_COUNT_MISMATCH": "021",
              "EDI_SEGMENT_OUT_OF_ORDER": INVALID_CONTROL_STRUCTURE, "EDI_TRUNCATED": "023"}


def segment(interchange: Interchange) -> Segment:
    """TA1 accepting the interchange, or rejecting it with the note code of its first fault."""
    if not interchange.errors:
        status, note = "A", NO_ERROR
    else:
        status, note = "R", NOTE_CODES.get(interchange.errors[0].code, INVALID_CONTROL_STRUCTURE)
    return ["TA1", interchange.control_number, interchange.date, interchange.time, status, note]
