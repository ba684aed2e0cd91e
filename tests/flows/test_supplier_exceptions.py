"""What a partner manager must hear about: acknowledgements and ship notices that do not come
in time (on the hub's controllable clock, fired by the delivery workers), interchanges that reuse
a control number, ship notices for lines the order does not have, and envelopes at fault — each
refused or raised with its reason code, with nothing half-applied."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.conftest import FakeClock
from tests.support.messages import envelope
from tests.support.suppliers import (DAY, T0, EdiPartner, acknowledgement, at, open_hub, order, parsed,
                                     plant_messages, sent_files, ship_notice)

pytestmark = pytest.mark.usefixtures("platform_secret")


HOUR = 3600.0


def _hub(tmp_path, database_url, supplier="northfast"):
    clock = FakeClock(T0.timestamp())
    hub = open_hub(tmp_path, database_url, clock)
    hub.intake.ingest(plant_messages(supplier))
    return hub, clock


def _exceptions(hub, status="open"):
    """The supplier exceptions (the planner's shortfalls the same orders cause are told apart)."""
    return sorted((x["codes"][0], x["entity_key"]) for x in hub.exceptions.list(kind="workflow", status=status)
                  if x["codes"] != ["ATP_SHORT"])


def _read(hub, ask):
    with hub.store.reading() as read:
        return ask(read)


def _send(hub, po_number, supplier="northfast", day=0.0):
    hub.intake.ingest([envelope("po.created", order(po_number, supplier), source="erp", time=at(day))])
    hub.worker.run_until_idle()


def test_a_missing_997_and_a_missing_855_become_overdue_and_late_ones_close_them(database_url, tmp_path):
    hub, clock = _hub(tmp_path, database_url)
    supplier = EdiPartner(hub, "northfast", "x12", "ACMEMFG", "NORTHFAST")
    _send(hub, "4500000001")
    _send(hub, "4500000002")
    first, second = sent_files(tmp_path, "northfast")

    clock.advance(HOUR)
    supplier.receive(supplier.functional_ack(second.read_text()))  # the second is acknowledged in time
    hub.worker.run_until_idle()
    clock.advance(23 * HOUR - 60)
    hub.worker.run_until_idle()
    assert _exceptions(hub) == [], "nothing is overdue before its window ends"

    clock.advance(120)  # 24 hours and a minute after sending
    hub.worker.run_until_idle()
    assert _exceptions(hub) == [("EDI_ACK_OVERDUE", "SENTX:northfast|1")], \
        "only the interchange whose 997 never came, and only once its window has passed"

    clock.advance(24 * HOUR)  # the 855s were due 48 hours after sending
    hub.worker.run_until_idle()
    assert _exceptions(hub) == [("EDI_ACK_OVERDUE", "SENTX:northfast|1"), ("PO_ACK_OVERDUE", "PO:4500000001"),
                                ("PO_ACK_OVERDUE", "PO:4500000002")]

    clock.advance(HOUR)
    supplier.receive(supplier.functional_ack(first.read_text()))  # late
    supplier.receive(supplier.document("855", acknowledgement("4500000001", "ACK-1")))
    hub.worker.run_until_idle()
    open_now = [code for code, _ in _exceptions(hub) if code.endswith("OVERDUE")]
    assert open_now == ["PO_ACK_OVERDUE"], "the late 997 and the late 855 closed theirs; PO 2 is still unanswered"
    resolved = [(code, key) for code, key in _exceptions(hub, "resolved")]
    assert resolved == [("EDI_ACK_OVERDUE", "SENTX:northfast|1"), ("PO_ACK_OVERDUE", "PO:4500000001")]
    statuses = {r["control_number"]: r["status"] for r in _read(hub, lambda r: r.entities_of_type("sent_interchange"))
                if r["purpose"] == "order"}
    assert statuses == {"1": "accepted", "2": "accepted"}
    hub.close()


def test_a_line_whose_ship_notice_does_not_come_before_its_promised_date_is_overdue(database_url, tmp_path):
    hub, clock = _hub(tmp_path, database_url)
    supplier = EdiPartner(hub, "northfast", "x12", "ACMEMFG", "NORTHFAST")
    _send(hub, "4500000001")
    clock.advance(HOUR)
    supplier.receive(supplier.functional_ack(sent_files(tmp_path, "northfast")[0].read_text()))
    supplier.receive(supplier.document("855", acknowledgement("4500000001", "ACK-1")))
    clock.now = datetime(2026, 12, 11, 23, 0, tzinfo=timezone.utc).timestamp()
    hub.worker.run_until_idle()
    assert [c for c, _ in _exceptions(hub) if c == "ASN_OVERDUE"] == []
    clock.now = datetime(2026, 12, 12, 0, 1, tzinfo=timezone.utc).timestamp()
    hub.worker.run_until_idle()
    assert [k for c, k in _exceptions(hub) if c == "ASN_OVERDUE"] == ["PO:4500000001#30"], \
        "the bolts promised for 12 December have no ship notice; the seals are promised later, the gaskets rejected"
    supplier.receive(supplier.document("856", ship_notice("ASN-1", "4500000001", "northfast")))
    assert [k for c, k in _exceptions(hub) if c == "ASN_OVERDUE"] == [], "a late ship notice closes it"
    clock.now = datetime(2026, 12, 21, tzinfo=timezone.utc).timestamp()
    hub.worker.run_until_idle()
    assert [k for c, k in _exceptions(hub) if c == "ASN_OVERDUE"] == [], "the seals shipped before their date"
    hub.close()


def test_an_interchange_control_number_used_again_for_other_content_is_refused_whole(database_url, tmp_path):
    hub, clock = _hub(tmp_path, database_url)
    supplier = EdiPartner(hub, "northfast", "x12", "ACMEMFG", "NORTHFAST")
    _send(hub, "4500000001")
    clock.advance(DAY)
    acknowledged = supplier.document("855", acknowledgement("4500000001", "ACK-1"), control_number=777)
    first = supplier.receive(acknowledged)
    again = supplier.receive(acknowledged)
    assert (first.accepted, again.accepted, again.duplicates) == (2, 0, 2), "the same file twice is a duplicate"
    reused = supplier.receive(supplier.document("856", ship_notice("ASN-1", "4500000001", "northfast"),
                                                control_number=777))
    assert (reused.accepted, reused.quarantined) == (0, 2)
    assert dict(reused.by_reason) == {"EDI_DUPLICATE_INTERCHANGE": 1, "EDI_INTERCHANGE_REFUSED": 1}
    assert _read(hub, lambda r: r.entity("ASN:ASN-1")) is None
    assert [b for b in _read(hub, lambda r: r.balances("SEAL")) if b["status"] == "in_transit"] == []
    hub.worker.run_until_idle()
    replies = [parsed(p) for p in sent_files(tmp_path, "northfast")[1:]]
    assert len(replies) == 1, "the refused interchange gets no 997, the duplicate none either"
    hub.close()


def test_a_ship_notice_naming_a_line_the_order_does_not_have_is_refused_and_nothing_of_it_applied(database_url,
                                                                                                 tmp_path):
    hub, clock = _hub(tmp_path, database_url)
    supplier = EdiPartner(hub, "northfast", "x12", "ACMEMFG", "NORTHFAST")
    _send(hub, "4500000001")
    clock.advance(DAY)
    notice = ship_notice("ASN-9", "4500000001", "northfast")
    notice["lines"][2]["po_line_no"] = 99
    report = supplier.receive(supplier.document("856", notice))
    assert (report.quarantined, dict(report.by_reason)) == (1, {"PO_LINE_UNKNOWN": 1})
    assert [b for b in _read(hub, lambda r: r.balances("SEAL")) if b["status"] == "in_transit"] == [], \
        "the lines it has right are not applied either"
    po = _read(hub, lambda r: r.entity("PO:4500000001"))
    assert [line["shipped_qty"] for line in po["lines"]] == [0, 0, 0]
    hub.close()


def _iea_mismatch(text: str) -> str:
    head, _, _ = text.rpartition("IEA*1*")
    return head + "IEA*1*000000999~\n"


@pytest.mark.parametrize("partner, policy", [("northfast", "strict"), ("southbolt", "lenient")])
def test_an_iea_number_unlike_its_isa_is_read_with_a_warning_when_lenient_and_rejected_when_strict(
        partner, policy, tmp_path):
    hub, clock = _hub(tmp_path, f"sqlite:///{tmp_path}/hub.db", partner)
    supplier = EdiPartner(hub, partner, "x12", "ACMEMFG", partner.upper())
    _send(hub, "4500000001", partner)
    clock.advance(DAY)
    report = supplier.receive(_iea_mismatch(supplier.document("855", acknowledgement("4500000001", "ACK-1"))))
    hub.worker.run_until_idle()
    [received] = _read(hub, lambda r: r.entities_of_type("received_interchange"))
    [reply] = [p.read_text() for p in sent_files(tmp_path, partner)[1:]]
    po = _read(hub, lambda r: r.entity("PO:4500000001"))
    if policy == "lenient":
        assert received["status"] == "accepted_with_warnings" and "X12_CONTROL_NUMBER_MISMATCH" in received["warnings"][0]
        assert report.accepted == 2 and po["status"] == "acknowledged"
        assert "TA1*000000901*000101*0000*E*001~" in reply and "AK9*A*1*1*1~" in reply, \
            "acknowledged, with the envelope's fault reported"
    else:
        assert received["status"] == "rejected" and report.accepted == 1
        assert po["status"] == "sent", "nothing of a rejected interchange is read"
        assert "TA1*000000901*000101*0000*R*001~" in reply and "ST*997" not in reply
        assert ("EDI_ENVELOPE_REJECTED", "RCVX:northfast|000000901") in _exceptions(hub)
    hub.close()


def test_a_997_rejecting_the_order_is_an_exception_naming_the_rejected_set_and_its_order(tmp_path):
    hub, clock = _hub(tmp_path, f"sqlite:///{tmp_path}/hub.db")
    supplier = EdiPartner(hub, "northfast", "x12", "ACMEMFG", "NORTHFAST")
    _send(hub, "4500000001")
    clock.advance(HOUR)
    rejection = {"functional_id": "PO", "group_control_number": "1", "status": "R", "sets_included": "1",
                 "sets_received": "1", "sets_accepted": "0",
                 "sets": [{"set_id": "850", "control_number": "0001", "status": "R", "errors": ["5"]}]}
    from mfgsync.formats import x12

    supplier.receive(x12.render("997", rejection, x12.EnvelopeSettings(sender="NORTHFAST", receiver="ACMEMFG",
                                                                       control_number=950)))
    [record] = [r for r in _read(hub, lambda r: r.entities_of_type("sent_interchange")) if r["purpose"] == "order"]
    assert (record["status"], record["sets"][0]["status"]) == ("rejected", "R")
    [(code, key)] = [(c, k) for c, k in _exceptions(hub) if c == "EDI_INTERCHANGE_REJECTED"]
    [message] = [x["reasons"][0]["message"] for x in hub.exceptions.list(kind="workflow") if code in x["codes"]]
    assert key == "SENTX:northfast|1" and "850 0001 (PO 4500000001)" in message
    clock.advance(DAY)
    hub.worker.run_until_idle()
    assert "EDI_ACK_OVERDUE" not in [c for c, _ in _exceptions(hub)], "a rejection is an answer, not a silence"
    hub.close()


def test_files_a_partner_drops_are_taken_once_read_and_archived(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from mfgsync.connectors.edi_partner import archive, pick_up
    from mfgsync.pipeline.edi_receipt import receive_file

    hub, clock = _hub(tmp_path, f"sqlite:///{tmp_path}/hub.db")
    supplier = EdiPartner(hub, "northfast", "x12", "ACMEMFG", "NORTHFAST")
    _send(hub, "4500000001")
    clock.advance(DAY)
    inbound = tmp_path / "northfast" / "in"
    inbound.mkdir(parents=True)
    (inbound / "ack-1.edi").write_text(supplier.document("855", acknowledgement("4500000001", "ACK-1")))
    (inbound / ".ack-2.edi.part").write_text("ISA*half written")  # still being written: left alone
    with ThreadPoolExecutor(2) as pool:
        taken = [p for found in pool.map(lambda _: list(pick_up(tmp_path / "northfast")), range(2)) for p in found]
    assert [p.name for p in taken] == ["ack-1.edi"], "two takers at once: one gets the file"
    report = receive_file(hub.intake, hub.store, taken[0], hub.settings.systems["northfast"])
    archived = archive(taken[0], tmp_path / "northfast")
    assert report.accepted == 2 and archived.parent.name == "archive" and not taken[0].exists()
    assert sorted(p.name for p in inbound.iterdir()) == [".ack-2.edi.part"]
    assert _read(hub, lambda r: r.entity("PO:4500000001"))["status"] == "acknowledged"
    hub.close()


def test_a_line_naming_only_the_suppliers_part_number_is_read_as_the_hubs_item_its_sourcing_rule_names(
        tmp_path):
    hub, clock = _hub(tmp_path, f"sqlite:///{tmp_path}/hub.db")
    hub.intake.ingest([envelope("sourcing.updated", {"item_id": "SEAL", "supplier_id": "northfast",
                                                     "supplier_item_id": "NF-SEAL-9", "lead_time_days": 10},
                                source="erp", time=at(-1))])
    supplier = EdiPartner(hub, "northfast", "x12", "ACMEMFG", "NORTHFAST")
    _send(hub, "4500000001")
    clock.advance(DAY)
    notice = {"asn_id": "ASN-NF", "supplier_id": "northfast", "lines": [
        {"po_number": "4500000001", "po_line_no": 10, "supplier_item_id": "NF-SEAL-9", "qty": 20, "uom": "C62",
         "lot_id": "L-9"}]}
    report = supplier.receive(supplier.document("856", notice))
    assert (report.accepted, report.quarantined) == (2, 0)
    [expected] = _read(hub, lambda r: r.entities_of_type("expected_receipt"))
    assert (expected["item_id"], expected["qty"]) == ("SEAL", 20)
    hub.close()


def test_a_part_number_the_supplier_moved_to_another_item_reads_as_that_item_and_an_old_one_still_finds_its_own(
        tmp_path):
    """Northfast renumbered its seal NF-1 to NF-2 from December and gave NF-1 to a gasket."""
    from mfgsync import queries

    hub, _ = _hub(tmp_path, f"sqlite:///{tmp_path}/hub.db")
    hub.intake.ingest([
        _sourcing({"supplier_item_id": "NF-1", "lead_time_days": 10}, -3),
        _sourcing({"supplier_item_id": "NF-2", "lead_time_days": 10, "valid_from": "2026-12-01"}, -2),
        envelope("sourcing.updated", {"item_id": "GASKET", "supplier_id": "northfast", "supplier_item_id": "NF-1",
                                      "valid_from": "2026-12-01"}, source="erp", time=at(-1))])
    assert len(_rules(hub)) == 3, "the seal's first rule is kept as history"
    assert _read(hub, lambda r: queries.supplier_items(r, "northfast")) == {"NF-1": "GASKET", "NF-2": "SEAL"}
    hub.close()


def test_a_ship_notice_above_the_open_quantity_and_a_receipt_no_notice_covers_are_raised(tmp_path):
    from tests.support.suppliers import receipt

    hub, clock = _hub(tmp_path, f"sqlite:///{tmp_path}/hub.db")
    supplier = EdiPartner(hub, "northfast", "x12", "ACMEMFG", "NORTHFAST")
    _send(hub, "4500000001")
    clock.advance(HOUR)
    supplier.receive(supplier.document("855", acknowledgement("4500000001", "ACK-1")))  # 80 seals committed
    clock.advance(DAY)
    notice = ship_notice("ASN-1", "4500000001", "northfast")
    notice["lines"][1]["qty"] = 40  # 50 + 40 seals shipped against 80 committed
    supplier.receive(supplier.document("856", notice))
    [above] = [x for x in hub.exceptions.list(kind="workflow") if x["codes"] == ["ASN_QTY_ABOVE_OPEN"]]
    assert "line 10, which has 30 C62 open" in above["reasons"][0]["message"]
    in_transit = sorted((b["lot_id"], b["qty"]) for b in _read(hub, lambda r: r.balances("SEAL"))
                        if b["status"] == "in_transit")
    assert in_transit == [("L-1", 50), ("L-2", 40)], "what is on its way is booked all the same"

    hub.intake.ingest([receipt("GR-1", "SEAL", 60, "L-1", 1.04)])
    [uncovered] = [x for x in hub.exceptions.list(kind="workflow") if x["codes"] == ["RECEIPT_WITHOUT_ASN"]]
    assert (uncovered["owner_role"], uncovered["entity_key"]) == ("warehouse", "MOV:GR-1")
    assert "10 C62 is covered by no ship notice" in uncovered["reasons"][0]["message"]
    in_transit = sorted((b["lot_id"], b["qty"]) for b in _read(hub, lambda r: r.balances("SEAL"))
                        if b["status"] == "in_transit")
    assert in_transit == [("L-1", 0), ("L-2", 40)]
    hub.close()


def _catalogue(hub, feed):
    """A northfast feed taken as `mfgsync suppliers catalogue` takes it, now: each row placed
    after the messages applied to its rule so far."""
    from mfgsync.adapters.supplier_catalogue import catalogue_envelopes, read_rows

    applied = _read(hub, lambda r: r.messages(["sourcing.updated"], ["applied"]))
    now = datetime.fromtimestamp(hub.clock(), timezone.utc)
    return hub.intake.ingest(catalogue_envelopes(read_rows(feed), "northfast", "erp", {"NF-SEAL-9": "SEAL"}, now,
                                                 applied))


def test_a_supplier_catalogue_updates_sourcing_and_a_longer_lead_time_puts_open_requisitions_at_risk(tmp_path):
    hub, clock = _hub(tmp_path, f"sqlite:///{tmp_path}/hub.db")
    hub.intake.ingest([envelope("sourcing.updated", {"item_id": "SEAL", "supplier_id": "northfast",
                                                     "supplier_item_id": "NF-SEAL-9", "lead_time_days": 10},
                                source="erp", time=at(-1))])
    with hub.store.writing() as uow:  # an open requisition raised for the seals, due in 20 days
        uow.put_entities([{"entity_key": "REQ:R-1", "entity_type": "purchase_requisition", "ref": "SEAL",
                           "tokens": None, "updated_at": at(0), "msg_key": None, "version": 0,
                           "data": '{"requisition_id": "R-1", "item_id": "SEAL", "plant_id": "P1", "qty": 100, '
                                   '"uom": "C62", "need_date": "2026-12-10", "supplier_id": "northfast", '
                                   '"trigger": "reorder point 20, on hand 12"}'}])
    feed = ("supplier_item_id,lead_time_days,moq,order_multiple,unit_price,currency,valid_from,price_breaks\n"
            "NF-SEAL-9,30,200,50,0.21,EUR,2026-11-21,500:0.18;1000:0.16\n")
    report = _catalogue(hub, feed)
    assert report.accepted == 1
    rule = _read(hub, lambda r: r.entity("SRC:SEAL|northfast"))
    assert (rule["lead_time_days"], rule["moq"], rule["order_multiple"], rule["valid_from"]) == (
        30, 200, 50, "2026-11-21")
    assert [(b["min_qty"], b["unit_price"]) for b in rule["price_breaks"]] == [(500, 0.18), (1000, 0.16)]
    [risk] = [x for x in hub.exceptions.list(kind="workflow") if x["codes"] == ["SOURCING_LEAD_TIME_AT_RISK"]]
    assert risk["owner_role"] == "planner" and "R-1 (needed 2026-12-10" in risk["reasons"][0]["message"]
    assert len(_read(hub, lambda r: r.history("SRC:SEAL|northfast"))) == 2, "the earlier rule is kept in its history"
    again = _catalogue(hub, feed)
    assert (again.accepted, again.duplicates) == (0, 1), "the same feed again changes nothing"
    hub.close()


def _rules(hub):
    from mfgsync.model import entities as m

    return [m.SourcingRule.model_validate(r) for r in _read(hub, lambda r: r.entities_of_type("sourcing"))]


def _in_force(hub):
    from mfgsync.model import entities as m

    return m.SourcingRule.model_validate(_read(hub, lambda r: r.entity("SRC:SEAL|northfast")))


def _sourcing(values, day):
    return envelope("sourcing.updated", {"item_id": "SEAL", "supplier_id": "northfast", **values}, source="erp",
                    time=at(day))


def test_a_catalogue_change_closes_the_rule_in_force_and_a_future_dated_one_takes_effect_on_its_day(
        database_url, tmp_path):
    from datetime import date

    from mfgsync.workflows.replenishment import best_rule

    hub, clock = _hub(tmp_path, database_url)
    hub.intake.ingest([_sourcing({"supplier_item_id": "NF-SEAL-9", "lead_time_days": 10, "moq": 100}, -1)])
    feed = "supplier_item_id,lead_time_days,moq,valid_from\nNF-SEAL-9,10,200,2026-12-01\n"
    assert _catalogue(hub, feed).accepted == 1
    rules = _rules(hub)
    assert sorted((r.moq, r.valid_from, r.valid_to) for r in rules) == [
        (100, None, date(2026, 11, 30)), (200, date(2026, 12, 1), None)], "the earlier rule is kept, closed"
    assert best_rule(rules, date(2026, 11, 20)).moq == 100, "replenishment orders on the old terms until then"
    assert best_rule(rules, date(2026, 12, 1)).moq == 200

    hub.intake.ingest([_sourcing({"supplier_item_id": "NF-SEAL-9", "lead_time_days": 10, "moq": 200,
                                  "valid_from": "2026-12-01"}, 0.5)])
    assert sorted((r.moq, r.valid_from, r.valid_to) for r in _rules(hub)) == sorted(
        (r.moq, r.valid_from, r.valid_to) for r in rules), "the same values again change nothing"

    later = "supplier_item_id,lead_time_days,moq,valid_from\nNF-SEAL-9,10,300,2026-12-15\n"
    _catalogue(hub, later)
    rules = _rules(hub)
    assert sorted((r.moq, r.valid_from, r.valid_to) for r in rules) == [
        (100, None, date(2026, 11, 30)), (200, date(2026, 12, 1), date(2026, 12, 14)),
        (300, date(2026, 12, 15), None)]
    assert [best_rule(rules, date(2026, 12, d)).moq for d in (1, 14, 15)] == [200, 200, 300]
    assert not [x for x in hub.exceptions.list(kind="workflow") if x["codes"] == ["SOURCING_LEAD_TIME_AT_RISK"]]
    hub.close()


def test_a_feed_re_sent_after_a_later_one_brings_its_terms_back_and_a_plain_re_send_changes_nothing(
        database_url, tmp_path):
    from datetime import date

    from mfgsync.workflows.replenishment import best_rule

    hub, clock = _hub(tmp_path, database_url)
    hub.intake.ingest([_sourcing({"supplier_item_id": "NF-SEAL-9", "lead_time_days": 10, "moq": 100}, -1)])
    feed_a = "supplier_item_id,lead_time_days,moq,valid_from\nNF-SEAL-9,10,200,2026-12-01\n"
    feed_b = "supplier_item_id,lead_time_days,moq,valid_from\nNF-SEAL-9,10,300,2026-12-10\n"
    assert _catalogue(hub, feed_a).accepted == 1
    clock.advance(DAY)
    assert _catalogue(hub, feed_b).accepted == 1
    assert best_rule(_rules(hub), date(2026, 12, 12)).moq == 300, "the later feed's terms hold from its day"

    clock.advance(DAY)
    back = _catalogue(hub, feed_a)  # the supplier withdraws the later terms by sending the earlier file again
    assert (back.accepted, back.duplicates) == (1, 0), "the earlier feed after a later one is a new version"
    rules = _rules(hub)
    in_force = _in_force(hub)
    assert (in_force.moq, in_force.valid_from, in_force.valid_to) == (200, date(2026, 12, 1), None)
    assert (300, date(2026, 12, 10), date(2026, 11, 30)) in [(r.moq, r.valid_from, r.valid_to) for r in rules], \
        "the withdrawn terms are kept, closed the day before the earlier ones take effect again"
    assert [best_rule(rules, date(2026, 12, d)).moq for d in (1, 12, 31)] == [200, 200, 200]
    assert best_rule(rules, date(2026, 11, 25)).moq == 100

    clock.advance(DAY)
    again = _catalogue(hub, feed_a)
    assert (again.accepted, again.duplicates) == (0, 1), "the same file once more is a duplicate"
    assert sorted(_rules(hub), key=str) == sorted(rules, key=str), "and changes nothing"
    assert len(_read(hub, lambda r: r.history("SRC:SEAL|northfast"))) == 4, "four versions, the re-send not one"
    hub.close()


def test_a_feed_of_two_periods_for_one_item_sent_again_changes_nothing(database_url, tmp_path):
    from datetime import date

    hub, clock = _hub(tmp_path, database_url)
    hub.intake.ingest([_sourcing({"supplier_item_id": "NF-SEAL-9", "lead_time_days": 10, "moq": 100}, -1)])
    feed = ("supplier_item_id,lead_time_days,moq,valid_from\n"
            "NF-SEAL-9,10,200,2026-12-01\nNF-SEAL-9,10,300,2026-12-15\n")
    assert _catalogue(hub, feed).accepted == 2
    rules = _rules(hub)
    assert (_in_force(hub).moq, _in_force(hub).valid_from) == (300, date(2026, 12, 15))
    clock.advance(DAY)
    again = _catalogue(hub, feed)
    assert (again.accepted, again.duplicates) == (0, 2), "both rows are the last ones applied to the rule"
    assert sorted(_rules(hub), key=str) == sorted(rules, key=str)
    hub.close()


def test_a_longer_lead_time_names_the_requisitions_and_planned_orders_it_makes_late_with_the_days(
        database_url, tmp_path):
    hub, clock = _hub(tmp_path, database_url)
    hub.intake.ingest([_sourcing({"lead_time_days": 10}, -1)])
    with hub.store.writing() as uow:  # one requisition replenishment raised, one a plan proposed
        uow.put_entities([
            {"entity_key": "PREQ:R-1", "entity_type": "purchase_requisition", "ref": "SEAL", "tokens": None,
             "updated_at": at(0), "msg_key": None, "version": 0,
             "data": '{"requisition_id": "R-1", "item_id": "SEAL", "plant_id": "P1", "qty": 100, "uom": "C62", '
                     '"need_date": "2026-12-12", "supplier_id": "northfast", "trigger": "reorder point"}'},
            {"entity_key": "MRP:SEAL|P1|2026-12-05", "entity_type": "requisition", "ref": "SEAL", "tokens": None,
             "updated_at": at(0), "msg_key": None, "version": 0,
             "data": '{"key": "MRP:SEAL|P1|2026-12-05", "item_id": "SEAL", "plant_id": "P1", "qty": "40", '
                     '"release_date": "2026-11-25", "due_date": "2026-12-05", "status": "proposed"}'}])
    hub.intake.ingest([_sourcing({"lead_time_days": 30}, 0)])  # from 2026-11-20: available 2026-12-20
    [risk] = [x for x in hub.exceptions.list(kind="workflow") if x["codes"] == ["SOURCING_LEAD_TIME_AT_RISK"]]
    message = risk["reasons"][0]["message"]
    assert risk["owner_role"] == "planner" and "available 2026-12-20" in message
    assert "requisition MRP:SEAL|P1|2026-12-05 (needed 2026-12-05, 15 days late)" in message
    assert "requisition R-1 (needed 2026-12-12, 8 days late)" in message
    assert "production order WO-1 (needed 2026-12-10, 10 days late)" in message
    assert "WO-2" not in message, "an order starting after the new lead time is not at risk"
    assert message.count("R-1") == 1
    hub.close()
