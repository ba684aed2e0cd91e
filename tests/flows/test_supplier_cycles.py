"""A whole purchase-order cycle with an EDI supplier, as a buyer lives it: the order goes out,
the supplier's translator acknowledges it, the supplier changes one line, rejects one and
accepts one, ships two lots, the warehouse receives, and two invoices arrive — one within
tolerance, one not. X12 and EDIFACT partners, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mfgsync import kpi
from mfgsync.model import keys
from tests.conftest import FakeClock
from tests.support.suppliers import (DAY, T0, EdiPartner, acknowledgement, invoice, open_hub, order, parsed,
                                     plant_messages, receipt, sent_files, ship_notice, at)

pytestmark = pytest.mark.usefixtures("platform_secret")


PARTNERS = {"x12": ("northfast", "ACMEMFG", "NORTHFAST", "855", "856", "810", "850"),
            "edifact": ("rhein", "4012345000009", "5790000000012", "ORDRSP", "DESADV", "INVOIC", "ORDERS")}


def _read(hub, ask):
    with hub.store.reading() as read:
        return ask(read)


def _entity(hub, key):
    return _read(hub, lambda r: r.entity(key))


def _of_type(hub, entity_type):
    return _read(hub, lambda r: r.entities_of_type(entity_type))


def _open(hub, code=None):
    return [x for x in hub.exceptions.list(kind="workflow") if code is None or code in x["codes"]]


def _line(hub, po, line_no):
    order_now = _entity(hub, keys.purchase_order(po))
    return next(line for line in order_now["lines"] if line["line_no"] == line_no), order_now


def _stock(hub, item, lot, status):
    return sum(Decimal(str(b["qty"])) for b in _read(hub, lambda r: r.balances(item))
               if b["lot_id"] == lot and b["status"] == status)


@pytest.mark.parametrize("fmt", ["x12", "edifact"])
def test_an_order_goes_out_is_acknowledged_changed_shipped_received_and_invoiced(fmt, database_url, tmp_path):
    name, us, them, ack_kind, asn_kind, inv_kind, order_kind = PARTNERS[fmt]
    clock = FakeClock(T0.timestamp())
    hub = open_hub(tmp_path, database_url, clock)
    supplier = EdiPartner(hub, name, fmt, us, them)
    hub.intake.ingest(plant_messages(name))
    hub.intake.ingest([_erp("po.created", order("4500000001", name), at(0))])
    hub.worker.run_until_idle()

    [sent] = sent_files(tmp_path, name)
    out = parsed(sent)
    assert (out["sender"], out["receiver"]) == (us, them)
    assert [(d["type"], d["data"]["po_number"]) for d in out["documents"]] == [(order_kind, "4500000001")]
    assert _entity(hub, keys.purchase_order("4500000001"))["status"] == "sent"

    clock.advance(3600)  # the supplier's translator answers within the hour
    supplier.receive(supplier.functional_ack(sent.read_text()))
    [record] = _of_type(hub, "sent_interchange")[:1]
    assert record["status"] == "accepted" and record["acknowledged_at"] is not None

    clock.advance(DAY)
    supplier.receive(supplier.document(ack_kind, acknowledgement("4500000001", "ACK-1")))
    seal, po = _line(hub, "4500000001", 10)
    gasket, _ = _line(hub, "4500000001", 20)
    bolt, _ = _line(hub, "4500000001", 30)
    assert po["status"] == "acknowledged"
    assert (seal["status"], seal["committed_qty"], seal["promised_date"]) == ("changed", 80, "2026-12-20")
    assert (gasket["status"], gasket["committed_qty"]) == ("rejected", 0)
    assert (bolt["status"], bolt["committed_qty"], bolt["promised_date"]) == ("accepted", 200, "2026-12-12")
    planner = {x["codes"][0]: x["reasons"][0]["message"] for x in _open(hub) if x["owner_role"] == "planner"}
    assert set(planner) == {"PO_PROMISED_LATE", "PO_QTY_REDUCED", "PO_LINE_REJECTED", "ATP_SHORT"}, \
        "and the orders' material can no longer be promised"
    assert "WO-1" in planner["PO_PROMISED_LATE"] and "WO-2" not in planner["PO_PROMISED_LATE"], \
        "only the order starting before the promised date is late for it"
    assert "WO-1, WO-2" in planner["PO_LINE_REJECTED"]
    hub.worker.run_until_idle()
    answers = [parsed(p) for p in sent_files(tmp_path, name)[1:]]
    kinds = {d["type"] for a in answers for d in a["documents"]}
    assert kinds == {"997" if fmt == "x12" else "CONTRL"}, "the hub acknowledges each interchange it receives"

    clock.advance(DAY)
    supplier.receive(supplier.document(asn_kind, ship_notice("ASN-1", "4500000001", name)))
    assert (_stock(hub, "SEAL", "L-1", "in_transit"), _stock(hub, "SEAL", "L-2", "in_transit")) == (50, 30)
    expected = sorted((r["lot_id"] or "-", r["sscc"], r["qty"])
                      for r in _of_type(hub, "expected_receipt") if r["item_id"] == "SEAL")
    if fmt == "x12":
        assert expected == [("L-1", "003456789012345675", 50), ("L-2", "003456789012345682", 30)]
    else:
        assert [(lot, qty) for lot, _, qty in expected] == [("L-1", 50), ("L-2", 30)]
    seal, po = _line(hub, "4500000001", 10)
    assert (seal["shipped_qty"], seal["status"], po["status"]) == (80, "shipped", "shipped")

    clock.advance(DAY)
    hub.intake.ingest([receipt("GR-1", "SEAL", 50, "L-1", 3)])
    assert (_stock(hub, "SEAL", "L-1", "in_transit"), _stock(hub, "SEAL", "L-1", "available")) == (0, 50)
    assert _stock(hub, "SEAL", "L-2", "in_transit") == 30, "the other lot is still on its way"
    seal, po = _line(hub, "4500000001", 10)
    assert (seal["received_qty"], po["status"]) == (50, "partially_received")

    supplier.receive(supplier.document(inv_kind, invoice("INV-1", "4500000001", name, "1.26")))
    seal, _ = _line(hub, "4500000001", 10)
    assert seal["invoiced_qty"] == 50, "1.26 against 1.25 ordered is within the 2% tolerance"
    supplier.receive(supplier.document(inv_kind, invoice("INV-2", "4500000001", name, "1.50")))
    [mismatch] = _open(hub, "INVOICE_MISMATCH")
    assert "ordered at 1.25" in mismatch["reasons"][0]["message"] and "invoiced at 1.5" in \
        mismatch["reasons"][0]["message"]
    seal, _ = _line(hub, "4500000001", 10)
    assert seal["invoiced_qty"] == 50, "the mismatched invoice marks nothing"

    with hub.store.reading() as read:
        figures = kpi.compute(read, at(5))["po_ack_turnaround_seconds"]
    assert figures["by_partner"][name]["count"] == 1
    assert figures["by_partner"][name]["p50"] == pytest.approx(3600 + DAY)
    assert not _open(hub, "EDI_ACK_OVERDUE") and not _open(hub, "PO_ACK_OVERDUE")
    hub.close()


def _erp(event_type, data, time):
    from tests.support.messages import envelope

    return envelope(event_type, data, source="erp", time=time)


@pytest.mark.parametrize("fmt", ["x12", "edifact"])
def test_a_changed_order_goes_out_as_a_change_and_a_cancelled_one_as_a_cancellation(fmt, tmp_path):
    name, us, them, ack_kind, *_ = PARTNERS[fmt]
    clock = FakeClock(T0.timestamp())
    hub = open_hub(tmp_path, f"sqlite:///{tmp_path}/hub.db", clock)
    supplier = EdiPartner(hub, name, fmt, us, them)
    hub.intake.ingest(plant_messages(name))
    hub.intake.ingest([_erp("po.created", order("4500000003", name), at(0))])
    clock.advance(DAY)
    supplier.receive(supplier.document(ack_kind, acknowledgement("4500000003", "ACK-3")))
    changed = order("4500000003", name)
    changed["lines"][2]["qty"] = 250  # the buyer wants more bolts
    clock.advance(DAY)
    hub.intake.ingest([_erp("po.created", order("4500000003", name), at(1.05)),  # the ERP exports it again
                       _erp("po.changed", changed, at(1.1)),
                       _erp("po.changed", changed, at(1.2)),  # the ERP sends it again: nothing new to tell
                       _erp("po.changed", {**changed, "status": "cancelled"}, at(1.3))])
    hub.worker.run_until_idle()
    sent = [p.read_text() for p in sent_files(tmp_path, name) if "acknowledgement" not in p.name]
    assert len(sent) == 3, "the order, its change and its cancellation; the repeats send nothing"
    assert not [x for x in hub.exceptions.list(kind="quarantine")], "a re-export of a sent order is not refused"
    if fmt == "x12":
        assert "ST*850*" in sent[0]
        assert "BCH*04*SA*4500000003" in sent[1] and "POC*30*CA*250*250*EA" in sent[1]
        assert "BCH*01*SA*4500000003" in sent[2] and "POC*10*DI" in sent[2]
    else:
        assert "BGM+220+4500000003+9'" in sent[0]
        assert "BGM+220+4500000003+4'" in sent[1] and "QTY+21:250:PCE'" in sent[1]
        assert "BGM+220+4500000003+1'" in sent[2]
    po = _entity(hub, keys.purchase_order("4500000003"))
    seal = po["lines"][0]
    assert (po["status"], seal["committed_qty"], seal["promised_date"]) == ("cancelled", 80, "2026-12-20"), \
        "the buyer's change keeps what the supplier committed"
    numbers = sorted(int(r["control_number"]) for r in _of_type(hub, "sent_interchange"))
    assert numbers == list(range(1, len(numbers) + 1))
    clock.advance(30 * DAY)
    hub.worker.run_until_idle()
    assert not [x for x in _open(hub) if x["codes"][0] in ("PO_ACK_OVERDUE", "ASN_OVERDUE")], \
        "a cancelled order is not chased for acknowledgements or ship notices"
    hub.close()


def test_planning_sees_what_the_supplier_committed_on_the_date_it_promised(tmp_path):
    from datetime import date

    from mfgsync.planning.calendar import BucketCalendar
    from mfgsync.planning.from_store import build_mrp_input
    from mfgsync.store.planning_source import StorePlanningSource

    clock = FakeClock(T0.timestamp())
    hub = open_hub(tmp_path, f"sqlite:///{tmp_path}/hub.db", clock)
    supplier = EdiPartner(hub, "northfast", "x12", "ACMEMFG", "NORTHFAST")
    hub.intake.ingest(plant_messages("northfast"))
    hub.intake.ingest([_erp("po.created", order("4500000001", "northfast"), at(0))])
    calendar = BucketCalendar(date(2026, 11, 30), bucket_days=7, periods=6)

    def receipts():
        with hub.store.reading() as read:
            source = StorePlanningSource(read, hub.settings)
            document = build_mrp_input(calendar, "P1", items=source.items(), boms=source.boms(),
                                       purchase_orders=source.purchase_orders())
        return sorted((r["item_id"], r["period"], r["qty"]) for r in document["scheduled_receipts"])

    assert receipts() == [("BOLT", 3, 200), ("GASKET", 3, 50), ("SEAL", 3, 100)], "as ordered, on the need date"
    clock.advance(DAY)
    supplier.receive(supplier.document("855", acknowledgement("4500000001", "ACK-1")))
    assert receipts() == [("BOLT", 2, 200), ("SEAL", 3, 80)], \
        "80 seals, no gaskets, the bolts a week earlier, on their promised 12 December"
    hub.close()
