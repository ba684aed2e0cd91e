"""Reschedule messages for scheduled receipts: expedite, defer, cancel.

MRP nets scheduled receipts where they are due (the order is firm; moving it is the planner's
call), so the messages come from a separate question: without any scheduled receipt, when would
the balance first fall below safety stock? Receipts are assigned, earliest due first, to the
buckets where each is first needed. One needed before it is due must be expedited, one needed
later can be deferred, and one never needed in the horizon can be cancelled.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

from mfgsync.planning.model import MrpException, as_decimal


class OpenReceipt(NamedTuple):
    index: int  # position in the input's scheduled_receipts
    period: int
    qty: object  # int or Fraction


def reschedule_messages(item_id: str, start, safety_stock, gross: Sequence,
                        receipts: Sequence[OpenReceipt]) -> list[MrpException]:
    """Messages for one item's receipts, given its starting balance and gross by bucket."""
    pending = sorted(receipts, key=lambda r: (r.period, r.index))
    needed: dict[int, int] = {}
    balance, next_receipt = start, 0
    for period, requirement in enumerate(gross, start=1):
        balance -= requirement
        while next_receipt < len(pending) and balance < safety_stock:
            needed[next_receipt] = period
            balance += pending[next_receipt].qty
            next_receipt += 1
    return [reschedule_message(item_id, receipt, needed.get(n)) for n, receipt in enumerate(pending)
            if needed.get(n) != receipt.period]


def reschedule_message(item_id: str, receipt: OpenReceipt, needed: int | None) -> MrpException:
    """The message for a receipt first needed in bucket `needed` (None: not in the horizon)."""
    what = f"scheduled receipt of {as_decimal(receipt.qty)} due in period {receipt.period}"
    if needed is None:
        return MrpException(item_id, "cancel", receipt.period,
                            f"{what} is not needed within the horizon", receipt.index)
    kind = "expedite" if needed < receipt.period else "defer"
    return MrpException(item_id, kind, receipt.period, f"{what} is needed in period {needed}",
                        receipt.index, needed)
