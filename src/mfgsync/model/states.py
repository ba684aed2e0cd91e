"""State machines as literal transition sets, with verb-named transitions."""

from __future__ import annotations

from enum import StrEnum


class PoStatus(StrEnum):
    draft = "draft"
    pending_approval = "pending_approval"
    approved = "approved"
    sent = "sent"
    acknowledged = "acknowledged"
    partially_shipped = "partially_shipped"
    shipped = "shipped"
    partially_received = "partially_received"
    received = "received"
    closed = "closed"
    cancelled = "cancelled"


_P = PoStatus
_FORWARD = [
    (_P.draft, _P.pending_approval),
    (_P.pending_approval, _P.approved),
    (_P.pending_approval, _P.draft),  # sent back for rework
    (_P.approved, _P.sent),
    (_P.sent, _P.acknowledged),
    (_P.acknowledged, _P.partially_shipped),
    (_P.acknowledged, _P.shipped),
    (_P.partially_shipped, _P.shipped),
    (_P.acknowledged, _P.partially_received),
    (_P.partially_shipped, _P.partially_received),
    (_P.shipped, _P.partially_received),
    (_P.acknowledged, _P.received),
    (_P.partially_shipped, _P.received),
    (_P.shipped, _P.received),
    (_P.partially_received, _P.received),
    (_P.received, _P.closed),
]
_BEFORE_RECEIVED = [
    _P.draft, _P.pending_approval, _P.approved, _P.sent, _P.acknowledged,
    _P.partially_shipped, _P.shipped, _P.partially_received,
]

PO_TRANSITIONS: frozenset[tuple[PoStatus, PoStatus]] = frozenset(
    _FORWARD + [(state, _P.cancelled) for state in _BEFORE_RECEIVED]
)


def po_transition_allowed(current: PoStatus | str | None, new: PoStatus | str) -> bool:
    """Whether a purchase order may go from `current` to `new`.

    A new order (no current state) may start in any state a buyer system creates orders in;
    staying in the same state is an update of other fields, not a transition.
    """
    new = PoStatus(new)
    if current is None:
        return True
    current = PoStatus(current)
    return current == new or (current, new) in PO_TRANSITIONS


class ProductionStatus(StrEnum):
    planned = "planned"
    released = "released"
    in_process = "in_process"
    completed = "completed"
    closed = "closed"


_R = ProductionStatus
PRODUCTION_TRANSITIONS: frozenset[tuple[ProductionStatus, ProductionStatus]] = frozenset({
    (_R.planned, _R.released),
    (_R.released, _R.in_process),
    (_R.released, _R.planned),
    (_R.in_process, _R.completed),
    (_R.completed, _R.closed),
})


def production_transition_allowed(current: ProductionStatus | str | None, new: ProductionStatus | str) -> bool:
    new = ProductionStatus(new)
    if current is None:
        return True
    current = ProductionStatus(current)
    return current == new or (current, new) in PRODUCTION_TRANSITIONS


# A production order takes reports from release until it is closed.
PRODUCTION_REPORTABLE = frozenset({_R.released, _R.in_process, _R.completed})


def start_production(current: ProductionStatus | str) -> ProductionStatus:
    """The order's status once the shop floor reports on it: a released order is in process."""
    current = ProductionStatus(current)
    if current not in PRODUCTION_REPORTABLE:
        raise ValueError(f"a {current} production order takes no reports")
    return _R.in_process if current == _R.released else current
