"""Purchase-order reconciliation: what the ERP says of each PO line against what the supplier
acknowledged and shipped and the warehouse received — each disagreement named, with the
acknowledgement, ASN and receipt that show it. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfgsync.reconcile.inventory import Side
from mfgsync.reconcile.purchase_orders import reconcile
from tests.support.messages import envelope, item

PO = "4500000001"


def _line(line_no: int, item_id: str, qty: int, promised: str = "2026-12-10") -> dict:
    return {"line_no": line_no, "item_id": item_id, "qty": qty, "uom": "C62", "promised_date": promised}


def _cycle(hub) -> None:
    hub.intake.ingest(
        [envelope("item.upserted", item(i)) for i in ("VLV-200", "SEAL", "BOLT", "NUT", "PIN")] +
        [envelope("supplier.upserted", {"supplier_id": "NORTHFAST", "name": "Northfast"}, source="erp"),
         envelope("po.created", {"po_number": PO, "supplier_id": "NORTHFAST", "status": "sent", "lines": [
             _line(10, "VLV-200", 40), _line(20, "SEAL", 100), _line(30, "BOLT", 50), _line(40, "NUT", 10),
             _line(50, "PIN", 5)]}, source="erp")])
    hub.intake.ingest([
        envelope("po.acknowledged", {"po_number": PO, "ack_id": "ACK-1", "ack_type": "accepted_with_changes", "lines": [
            {"line_no": 10, "status": "accepted", "qty": 40, "uom": "C62", "promised_date": "2026-12-15"},
            {"line_no": 20, "status": "changed", "qty": 80, "uom": "C62", "promised_date": "2026-12-10"},
            {"line_no": 30, "status": "rejected", "qty": 0, "uom": "C62"},
            {"line_no": 40, "status": "accepted", "qty": 10, "uom": "C62", "promised_date": "2026-12-10"}]},
                 source="supplier"),
        envelope("asn.received", {"asn_id": "ASN-7", "supplier_id": "NORTHFAST", "lines": [
            {"po_number": PO, "po_line_no": 40, "item_id": "NUT", "qty": 10, "uom": "C62", "lot_id": "L-N"}]},
                 source="supplier")])
    hub.intake.ingest([envelope("inventory.moved", {
        "movement_id": "RCV-1", "kind": "receipt", "item_id": "NUT", "qty": 10, "uom": "C62", "plant_id": "P1",
        "to_location": "DOCK", "lot_id": "L-N"}, source="wms")])


def test_each_line_the_supplier_side_disagrees_on_is_named_with_its_evidence(make_hub):
    hub = make_hub()
    _cycle(hub)
    result = reconcile(hub.store, Side("hub"))
    found = {v["key"]["line_no"]: (v["kind"], v["cause"], v["evidence"]) for v in result["variances"]}
    assert found == {
        10: ("date_mismatch", "date_slipped", ["ack:4500000001/ACK-1"]),
        20: ("qty_mismatch", "acknowledged_qty_differs", ["ack:4500000001/ACK-1"]),
        30: ("status_mismatch", "rejected_open_in_erp", ["ack:4500000001/ACK-1"]),
        40: ("status_mismatch", "received_open_in_erp", ["ack:4500000001/ACK-1", "asn:ASN-7", "movement:RCV-1"]),
        50: ("only_left", "not_acknowledged", []),
    }
    assert result["summary"] == {"match": 0, "only_left": 1, "only_right": 0, "qty_mismatch": 1,
                                 "status_mismatch": 2, "date_mismatch": 1}
    seal = next(v for v in result["variances"] if v["key"]["line_no"] == 20)
    assert (seal["key"], seal["left_qty"], seal["right_qty"]) == ({"po_number": PO, "line_no": 20}, 100, 80)


def test_a_line_acknowledged_but_missing_from_the_erps_export_is_only_on_the_right(make_hub, tmp_path):
    hub = make_hub()
    _cycle(hub)
    export = tmp_path / "erp-po-lines.csv"
    export.write_text("po_number,line_no,item_id,qty,uom,status,promised_date\n"
                      f"{PO},20,SEAL,80,C62,changed,2026-12-10\n{PO},30,BOLT,50,C62,cancelled,\n"
                      f"{PO},40,NUT,10,C62,received,2026-12-10\n{PO},50,PIN,5,C62,open,2026-12-10\n"
                      f"{PO},60,,x,C62,open,\n")
    result = reconcile(hub.store, Side(str(export)))
    found = {v["key"]["line_no"]: (v["kind"], v["cause"]) for v in result["variances"]}
    assert found == {10: ("only_right", "acknowledged_not_in_erp"), 50: ("only_left", "not_acknowledged")}
    assert result["summary"]["match"] == 3 and [p["row"] for p in result["left"]["problems"]] == [5]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.text(max_size=30) | st.sampled_from([PO, "10", "-1", "1e99", "C62", ""]),
                              min_size=7, max_size=7), max_size=6))
def test_a_hostile_erp_export_is_reported_row_by_row(make_hub, tmp_path, rows):
    export = tmp_path / "export.csv"
    export.write_text("po_number,line_no,item_id,qty,uom,status,promised_date\n" +
                      "\n".join(",".join(json.dumps(c) for c in row) for row in rows) + "\n",
                      encoding="utf-8", errors="surrogatepass")
    try:
        result = reconcile(make_hub().store, Side(str(export)))
    except ValueError as exc:  # a file that cannot be read at all: a clear error
        assert str(exc)
        return
    assert all(p["row"] >= 1 and p["message"] for p in result["left"]["problems"])
    assert result["left"]["keys"] + len(result["left"]["problems"]) <= max(len(rows), 1)
