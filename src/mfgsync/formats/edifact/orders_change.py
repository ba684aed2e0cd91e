"""ORDERS as a change or a cancellation of an order sent before (BGM message function 1225).

The original goes out with function 9; a change is the whole order as it now stands with
function 4 (lines deleted on the order carry LIN action 2), and a cancellation function 1.
"""

from __future__ import annotations

from mfgsync.formats.edifact import orders
from mfgsync.formats.edifact.common import Context
from mfgsync.formats.edifact.syntax import Segment
from mfgsync.model.entities import PoLineStatus, PurchaseOrder

FUNCTION_CODES = {"order": "9", "change": "4", "cancel": "1"}
_DELETED = "2"


def write(po: PurchaseOrder, ctx: Context, purpose: str = "change") -> list[Segment]:
    out = orders.write(po, ctx)
    out[0] = ["BGM", "220", po.po_number, FUNCTION_CODES[purpose]]
    cancelled = {str(line.line_no) for line in po.lines if line.status == PoLineStatus.cancelled}
    for index, segment in enumerate(out):
        if segment[0] == "LIN" and (purpose == "cancel" or segment[1] in cancelled):
            out[index] = ["LIN", segment[1], _DELETED, *segment[3:]]
    return out
