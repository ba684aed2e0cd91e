"""MES events as JSON over HTTP: a production report posted by the MES lands in the ledger and
moves its order into process, exactly as from a file."""

from __future__ import annotations

import json

from tests.support.shop_floor import items, made, movement, order, report, used
from tests.support.state import balance, entity


def test_a_production_report_posted_over_http_books_its_consumption_and_completion(api):
    api.hub.intake.ingest([*items(("PMP-100", "C62"), ("BOLT", "C62")), movement("R-1", "receipt", "BOLT", 50),
                           order("WO-1", "PMP-100", 5)])
    body = json.dumps(report("RPT-1", "WO-1", [used("U-1", "BOLT", 16), made("M-1", "PMP-100", 2, "P-1")]))
    response = api.client.post("/api/v1/ingest/mes", headers=api.as_("source:mes"), content=body)
    assert response.status_code == 200 and response.json()["accepted"] == 1, response.text
    again = api.client.post("/api/v1/ingest/mes", headers=api.as_("source:mes"), content=body)
    assert again.json()["duplicates"] == 1
    assert balance(api.hub, "BOLT", "P1", "MAIN") == 34
    assert balance(api.hub, "PMP-100", "P1", "MAIN", "P-1") == 2
    assert entity(api.hub, "PROD:WO-1")["status"] == "in_process"


def test_a_report_against_an_unknown_order_posted_over_http_is_quarantined_not_refused(api):
    body = json.dumps(report("RPT-9", "WO-404", [used("U-9", "BOLT", 1)]))
    response = api.client.post("/api/v1/ingest/mes", headers=api.as_("source:mes"), content=body)
    assert response.status_code == 200
    assert response.json()["by_reason"] == {"PRODUCTION_ORDER_UNKNOWN": 1}
