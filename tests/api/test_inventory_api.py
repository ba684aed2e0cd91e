"""Stock questions over the API: the reconciliation runs the hub kept, a lot's genealogy, and ATP."""

from __future__ import annotations

from mfgsync.reconcile import results

from tests.support.messages import envelope, item


def test_kept_reconciliation_runs_are_listed_newest_first_without_their_variances(api):
    run = {"summary": {"match": 3, "qty_mismatch": 1}, "left": {"source": "hub"}, "right": {"source": "wms.csv"},
           "variances": [{"key": {"item_id": "SEAL", "plant_id": "P1", "location_id": "A1", "lot_id": None},
                          "kind": "qty_mismatch", "left_qty": 5, "right_qty": 4, "uom": "C62", "cause": "explained"}]}
    results.keep(api.hub.store, "nightly", run, api.clock, "test")
    api.clock.advance(60)
    results.keep(api.hub.store, "nightly", {**run, "summary": {"match": 4}}, api.clock, "test")
    runs = api.client.get("/api/v1/reconciliations?name=nightly", headers=api.as_("warehouse")).json()["runs"]
    assert [r["summary"] for r in runs] == [{"match": 4}, {"match": 3, "qty_mismatch": 1}]
    assert "variances" not in runs[0] and runs[0]["variance_count"] == 1
    assert api.client.get("/api/v1/reconciliations", headers=api.as_("source:plm")).status_code == 403


def test_a_lot_is_traced_into_what_was_made_from_it(api):
    api.hub.intake.ingest([
        envelope("item.upserted", item("STEEL")), envelope("item.upserted", item("IMPELLER")),
        envelope("inventory.moved", {"movement_id": "GR-1", "kind": "receipt", "item_id": "STEEL", "qty": 10,
                                     "uom": "C62", "plant_id": "P1", "to_location": "A1", "lot_id": "HEAT-7"},
                 source="wms"),
        envelope("production.released", {"order_id": "WO-1", "item_id": "IMPELLER", "qty": 2, "plant_id": "P1",
                                         "status": "released"}, source="erp"),
        envelope("production.reported", {"report_id": "R-1", "order_id": "WO-1", "plant_id": "P1", "movements": [
            {"movement_id": "R-1-1", "kind": "consumption", "item_id": "STEEL", "qty": 4, "uom": "C62",
             "plant_id": "P1", "from_location": "A1", "lot_id": "HEAT-7"},
            {"movement_id": "R-1-2", "kind": "completion", "item_id": "IMPELLER", "qty": 2, "uom": "C62",
             "plant_id": "P1", "to_location": "A1", "lot_id": "IMP-LOT-1"}]}, source="mes")])
    forward = api.client.get("/api/v1/lots/HEAT-7/trace", headers=api.as_("warehouse")).json()
    assert [(lot["lot_id"], lot["item_id"], lot["depth"]) for lot in forward["lots"]] == [("IMP-LOT-1", "IMPELLER", 1)]
    backward = api.client.get("/api/v1/lots/IMP-LOT-1/trace?backward=true", headers=api.as_("warehouse")).json()
    assert backward["lots"][0]["lot_id"] == "HEAT-7"
    assert api.client.get("/api/v1/lots/NOPE/trace", headers=api.as_("warehouse")).status_code == 404


def test_available_to_promise_over_the_api_never_counts_held_stock(api):
    api.hub.intake.ingest([
        envelope("item.upserted", item("SEAL")),
        *(envelope("inventory.moved", {"movement_id": f"GR-{lot}", "kind": "receipt", "item_id": "SEAL", "qty": qty,
                                       "uom": "C62", "plant_id": "P1", "to_location": "A1", "lot_id": lot},
                   source="wms") for lot, qty in (("L1", 10), ("L2", 30))),
        envelope("quality.hold", {"hold_id": "H-1", "item_id": "SEAL", "lot_id": "L2", "status": "held",
                                  "reason": "leak test"}, source="wms")])
    document = api.client.get("/api/v1/atp/SEAL?plant=P1", headers=api.as_("planner")).json()
    assert (document["item_id"], document["plant_id"]) == ("SEAL", "P1")
    assert document["periods"][0]["on_hand"] == 10, "the 30 on hold are not available"
    assert api.client.get("/api/v1/atp/NOPE?plant=P1", headers=api.as_("planner")).status_code == 404
    assert api.client.get("/api/v1/atp/SEAL?plant=P1", headers=api.as_("source:plm")).status_code == 403
