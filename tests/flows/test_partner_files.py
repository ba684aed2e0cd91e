"""Partner files through the whole pipeline: X12 orders applied, unreadable files quarantined whole."""

from __future__ import annotations

from pathlib import Path

from mfgsync.adapters.files import read_messages
from tests.support.state import entity
from tests.support.messages import envelope, item

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"
PO_850 = FIXTURES / "x12" / "po_850_pipe_caret_two_sets.edi"


def _reference_data(hub) -> None:
    hub.intake.ingest([envelope("supplier.upserted", {"supplier_id": "NORTHFAST", "name": "Northfast"}, source="erp"),
                       envelope("item.upserted", item("NUT-M8", "Nut M8")),
                       envelope("item.upserted", item("BOLT-M8X40", "Bolt M8x40")),
                       envelope("item.upserted", item("GREASE-1", "Grease", base_uom="KGM"))])


def test_two_purchase_orders_in_one_x12_group_are_applied_once_each(make_hub):
    hub = make_hub()
    _reference_data(hub)
    report = hub.intake.ingest(read_messages(PO_850, source="erp"))
    assert report.accepted == 2, report.to_json()
    again = hub.intake.ingest(read_messages(PO_850, source="erp"))
    assert again.duplicates == 2 and again.accepted == 0, "the same interchange re-sent is a duplicate"
    po = entity(hub, "PO:4500012345")
    assert po["supplier_id"] == "NORTHFAST" and po["lines"][0]["supplier_item_id"] == "NF-88"


def test_an_order_from_a_system_that_does_not_own_purchasing_is_an_exception(make_hub):
    hub = make_hub()
    _reference_data(hub)
    report = hub.intake.ingest(read_messages(PO_850))  # a supplier channel by default
    assert report.by_reason["NOT_SYSTEM_OF_RECORD"] == 2


def test_a_truncated_x12_file_is_quarantined_whole_with_the_formats_reason(make_hub, tmp_path):
    hub = make_hub()
    truncated = tmp_path / "cut.edi"
    truncated.write_text(PO_850.read_text()[:400])
    report = hub.intake.ingest(read_messages(truncated, source="erp"))
    assert report.quarantined == 1
    [exception] = hub.exceptions.list()
    full = hub.exceptions.get(exception["id"])
    assert full["payload"] == truncated.read_text(), "nothing of the file is lost"
    assert all(code.startswith(("X12", "EDI")) for code in full["codes"]), full["codes"]
    assert "cut.edi" in full["reasons"][0]["message"]


def test_a_jsonl_file_with_a_garbage_first_line_still_applies_its_good_lines(make_hub, tmp_path):
    hub = make_hub()
    feed = tmp_path / "feed.jsonl"
    import json
    feed.write_text("garbage\n" + json.dumps(envelope("item.upserted", item("A"))) + "\n")
    report = hub.intake.ingest(read_messages(feed))
    assert (report.accepted, report.quarantined) == (1, 1)


def test_the_orders_of_one_interchange_share_its_lineage_and_the_mapping_that_read_them(make_hub):
    from mfgsync import queries
    hub = make_hub()
    _reference_data(hub)
    hub.intake.ingest(read_messages(PO_850, source="erp"))
    nodes = queries.lineage(hub.store, "x12:ACMEMFG:000000102")["nodes"]
    assert [(n["kind"], n["entity_key"]) for n in nodes] == [("message", "PO:4500012345"), ("message", "PO:4500012346")]
    with hub.store.reading() as read:
        assert {e["mappingversion"] for e in read.history("PO:4500012345")} == {"x12/1"}
