"""A supplier on a procurement platform: the order goes out as a signed webhook call, and the
platform calls back with the acknowledgement, the ship notice and the invoices. A tampered call,
a call from long ago and a replayed call are refused, audited, and change nothing."""

from __future__ import annotations

import pytest

from tests.conftest import FakeClock
from tests.support.suppliers import (DAY, T0, Platform, acknowledgement, at, invoice, open_hub, order,
                                     plant_messages, receipt, ship_notice)


@pytest.fixture
def platform(monkeypatch):
    monkeypatch.setenv("PROCURE_SECRET", "platform-shared-secret")
    served = Platform()
    yield served
    served.close()


def _read(hub, ask):
    with hub.store.reading() as read:
        return ask(read)


def _line(hub, line_no):
    po = _read(hub, lambda r: r.entity("PO:4500000007"))
    return next(line for line in po["lines"] if line["line_no"] == line_no), po


def _codes(hub):
    return sorted(code for x in hub.exceptions.list(kind="workflow") for code in x["codes"])


def _refusals(hub):
    rows = _read(hub, lambda r: list(r.audit_rows()))
    return [_detail(row[5])["code"] for row in rows if row[3] == "webhook.refused" and row[4] == "procure"]


def _detail(detail):
    import json

    return json.loads(detail) if isinstance(detail, str) else detail


def test_an_order_goes_out_signed_and_the_platform_acknowledges_ships_and_invoices(database_url, tmp_path, platform):
    clock = FakeClock(T0.timestamp())
    hub = open_hub(tmp_path, database_url, clock, platform.url)
    hub.intake.ingest(plant_messages("procure"))
    hub.intake.ingest([_erp(order("4500000007", "procure"), at(0))])
    hub.worker.run_until_idle()
    [sent] = platform.orders()
    assert (sent["type"], sent["control_number"], sent["purchase_order"]["po_number"]) == (
        "purchase_order.order", 1, "4500000007")
    assert _line(hub, 10)[1]["status"] == "sent"

    clock.advance(DAY)
    outcome = Platform.call(hub, [{"id": "evt-1", "type": "po.acknowledged",
                                   "data": acknowledgement("4500000007", "ACK-7")}])
    assert outcome.accepted and outcome.report.accepted == 1
    seal, po = _line(hub, 10)
    assert (po["status"], seal["status"], seal["committed_qty"], seal["promised_date"]) == (
        "acknowledged", "changed", 80, "2026-12-20")
    assert {"PO_PROMISED_LATE", "PO_QTY_REDUCED", "PO_LINE_REJECTED"} <= set(_codes(hub))

    clock.advance(DAY)
    Platform.call(hub, [{"id": "evt-2", "type": "asn.received", "data": ship_notice("ASN-7", "4500000007", "x")}])
    in_transit = {(b["lot_id"], b["qty"]) for b in _read(hub, lambda r: r.balances("SEAL"))
                  if b["status"] == "in_transit"}
    assert in_transit == {("L-1", 50), ("L-2", 30)}
    hub.intake.ingest([receipt("GR-7", "SEAL", 50, "L-1", 2)])
    clock.advance(DAY)
    Platform.call(hub, [{"id": "evt-3", "type": "invoice.received",
                         "data": invoice("INV-7", "4500000007", "x", "1.25")},
                        {"id": "evt-4", "type": "invoice.received",
                         "data": invoice("INV-8", "4500000007", "x", "1.40")}])
    seal, _ = _line(hub, 10)
    assert (seal["received_qty"], seal["invoiced_qty"], seal["status"]) == (50, 50, "invoiced")
    assert _codes(hub).count("INVOICE_MISMATCH") == 1, "the second invoice asks 12% more than ordered"
    hub.close()


def test_a_tampered_a_stale_and_a_replayed_call_are_refused_audited_and_change_nothing(database_url, tmp_path,
                                                                                     platform):
    clock = FakeClock(T0.timestamp())
    hub = open_hub(tmp_path, database_url, clock, platform.url)
    hub.intake.ingest(plant_messages("procure"))
    hub.intake.ingest([_erp(order("4500000007", "procure"), at(0))])
    event = {"id": "evt-1", "type": "po.acknowledged", "data": acknowledgement("4500000007", "ACK-7")}

    tampered = Platform.call(hub, [event], tamper=True)
    stale = Platform.call(hub, [event], timestamp=clock() - 3600)
    wrong_key = Platform.call(hub, [event], secret="not-the-secret")
    assert [o.code for o in (tampered, stale, wrong_key)] == [
        "WEBHOOK_SIGNATURE_INVALID", "WEBHOOK_TIMESTAMP_STALE", "WEBHOOK_SIGNATURE_INVALID"]
    assert _line(hub, 10)[0]["status"] == "open", "nothing of a refused call is applied"

    assert Platform.call(hub, [event]).accepted
    clock.advance(10)
    replayed = Platform.call(hub, [event])
    assert (replayed.accepted, replayed.code) == (False, "WEBHOOK_REPLAYED")
    assert _refusals(hub) == ["WEBHOOK_SIGNATURE_INVALID", "WEBHOOK_TIMESTAMP_STALE", "WEBHOOK_SIGNATURE_INVALID",
                              "WEBHOOK_REPLAYED"]
    hub.close()


def _erp(data, time):
    from tests.support.messages import envelope

    return envelope("po.created", data, source="erp", time=time)
