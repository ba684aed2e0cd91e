"""The purchase-order status graph of the design, as a literal transition set."""

import pytest

from mfgsync.model.states import PO_TRANSITIONS, PoStatus, po_transition_allowed

P = PoStatus


@pytest.mark.parametrize("current, new", [
    (P.draft, P.pending_approval), (P.pending_approval, P.approved), (P.approved, P.sent),
    (P.sent, P.acknowledged), (P.acknowledged, P.partially_shipped), (P.partially_shipped, P.shipped),
    (P.shipped, P.partially_received), (P.partially_received, P.received), (P.received, P.closed),
    (P.sent, P.cancelled), (P.partially_received, P.cancelled),
])
def test_an_order_moves_along_the_graph(current, new):
    assert po_transition_allowed(current, new)


@pytest.mark.parametrize("current, new", [
    (P.draft, P.sent), (P.received, P.cancelled), (P.closed, P.draft), (P.cancelled, P.approved),
    (P.shipped, P.acknowledged),
])
def test_an_order_cannot_skip_or_go_back(current, new):
    assert not po_transition_allowed(current, new)


def test_an_order_can_be_cancelled_from_any_state_before_received_and_none_after():
    cancellable = {src for src, dst in PO_TRANSITIONS if dst == P.cancelled}
    assert cancellable == set(P) - {P.received, P.closed, P.cancelled}
