"""`bom_propagation_seconds`: from a release received to every target confirmed. The ERP (a
recording stand-in for Tryton) confirms a revision when its default switch, scheduled for the
effective date, is delivered; an envelope target (MES) when the envelope is. Each target and
plant has its own figures inside."""

from __future__ import annotations

from datetime import datetime, timezone

from mfgsync import queries
from mfgsync.connectors.memory import MemoryConnector
from tests.conftest import FakeClock
from tests.support import erp_stand_in
from tests.support.messages import bom, envelope, item

CONFIG = erp_stand_in.config("""  P1: {receives: ["*"]}
  P2: {receives: ["PMP-*"]}
""")
DAY = 86_400


def _at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


def _hub(make_hub, monkeypatch, clock, erp: MemoryConnector | None = None):
    erp_stand_in.allow_stand_in(monkeypatch)
    return make_hub(CONFIG, connectors={"erp": erp or MemoryConnector(), "mes": MemoryConnector()}, clock=clock)


def _release(item_id: str, effective: str, eco: str):
    return envelope("bom.released", bom(item_id, "B", {"SEAL": 1}, status="released", effective_from=effective),
                    correlationid=eco)


def _propagation(hub, clock) -> dict:
    now = datetime.fromtimestamp(clock.now, timezone.utc).isoformat()
    return queries.kpis(hub.store, now)["bom_propagation_seconds"]


def _delivered_after(hub, clock, seconds: float) -> None:
    clock.advance(seconds)
    hub.worker.run_until_idle()


def test_a_release_counts_once_the_erp_default_has_switched_in_every_plant(make_hub, monkeypatch):
    clock = FakeClock(_at("2026-12-01T00:00:00"))
    hub = _hub(make_hub, monkeypatch, clock)
    hub.intake.ingest([envelope("item.upserted", item(i)) for i in ("PMP-100", "SEAL")] +
                      [_release("PMP-100", "2026-12-03", "ECO-1")])
    _delivered_after(hub, clock, 30)
    before = _propagation(hub, clock)
    assert (before["count"], before["p50"]) == (0, None), "in the ERP, but not yet its default"
    assert before["by_target"] == {"mes": {"p50": 30, "p95": 30, "max": 30, "count": 1}}, "the envelope counts at once"

    clock.now = _at("2026-12-03T00:00:10")  # the effective date: the default switches in P1 and P2
    hub.worker.run_until_idle()
    after = _propagation(hub, clock)
    two_days = 2 * DAY + 10
    assert (after["count"], after["p50"], after["p95"], after["max"]) == (1, two_days, two_days, two_days)
    assert after["by_target"] == {"erp@P1": {"p50": two_days, "p95": two_days, "max": two_days, "count": 1},
                                  "erp@P2": {"p50": two_days, "p95": two_days, "max": two_days, "count": 1},
                                  "mes": {"p50": 30, "p95": 30, "max": 30, "count": 1}}


def test_p50_and_p95_over_releases_and_each_plant_on_its_own(make_hub, monkeypatch):
    clock = FakeClock(_at("2026-12-01T00:00:00"))
    hub = _hub(make_hub, monkeypatch, clock)
    hub.intake.ingest([envelope("item.upserted", item(i)) for i in ("PMP-100", "VLV-200", "SEAL")] +
                      [_release("PMP-100", "2026-12-02", "ECO-1")])  # P1 and P2 receive pumps
    clock.advance(3600)
    hub.intake.ingest([_release("VLV-200", "2026-12-02", "ECO-2")])  # valves go to P1 only
    clock.now = _at("2026-12-02T00:00:00")
    hub.worker.run_until_idle()  # every upsert, envelope and default switch at once

    figures = _propagation(hub, clock)
    pump, valve = DAY, DAY - 3600
    assert (figures["count"], figures["max"]) == (2, pump)
    assert figures["p50"] == (pump + valve) / 2 and figures["p95"] == valve + 0.95 * (pump - valve)
    assert figures["by_target"]["erp@P1"]["count"] == 2 and figures["by_target"]["erp@P2"] == {
        "p50": pump, "p95": pump, "max": pump, "count": 1}


def test_a_failed_delivery_leaves_the_release_unconfirmed(make_hub, monkeypatch):
    clock = FakeClock(_at("2026-12-01T00:00:00"))
    hub = _hub(make_hub, monkeypatch, clock, erp=MemoryConnector(always_fail=True, permanent=True))
    hub.intake.ingest([envelope("item.upserted", item(i)) for i in ("PMP-100", "SEAL")] +
                      [_release("PMP-100", "2026-12-01", "ECO-1")])
    _delivered_after(hub, clock, 5)
    figures = _propagation(hub, clock)
    assert figures["count"] == 0 and set(figures["by_target"]) == {"mes"}


# --- the other KPIs of DESIGN.md section 7, on a scripted day with known timestamps ---

STOCK_CONFIG = """systems:
  erp: {kind: memory}
subscriptions: {inventory.moved: [erp]}
"""
T0 = "2026-12-01T00:00:00"


def _moved(movement_id: str, item_id: str, occurred: str, qty: str = "5") -> dict:
    return envelope("inventory.moved", {"movement_id": movement_id, "kind": "receipt", "item_id": item_id, "qty": qty,
                                        "uom": "C62", "plant_id": "P1", "to_location": "MAIN",
                                        "occurred_at": occurred + "Z"}, source="wms", time=occurred + "Z")


def _stock_day(make_hub):
    """Three receipts occurred 10, 5 and 2 minutes before T0, received at T0 with a fourth that is
    quarantined; at T0 + 60 s the ERP takes two and refuses the first for good."""
    clock = FakeClock(_at(T0))
    hub = make_hub(STOCK_CONFIG, connectors={"erp": MemoryConnector(fail_times=1, permanent=True)}, clock=clock)
    hub.intake.ingest([envelope("item.upserted", item(i)) for i in ("A", "B", "C", "D", "PMP-100", "VLV-200")] +
                      [envelope("bom.released", bom("PMP-100", "A", {"A": 2}, status="released",
                                                    effective_from="2026-11-01")),
                       envelope("bom.released", bom("VLV-200", "A", {"C": 1}, status="released",
                                                    effective_from="2026-11-01")),
                       *(envelope("production.released", {"order_id": order, "item_id": parent, "qty": 10,
                                                          "plant_id": "P1", "status": "released"}, source="erp")
                         for order, parent in (("MO-1", "PMP-100"), ("MO-2", "VLV-200")))])
    hub.intake.ingest([_moved("MV-A", "A", "2026-11-30T23:50:00"), _moved("MV-B", "B", "2026-11-30T23:55:00"),
                       _moved("MV-C", "C", "2026-11-30T23:58:00"), _moved("MV-D", "D", "2026-11-30T23:59:00", "-1")])
    clock.advance(60)
    hub.worker.run_until_idle()
    return hub, clock


def _figures(hub, at_seconds_after_t0: float) -> dict:
    return queries.kpis(hub.store, datetime.fromtimestamp(_at(T0) + at_seconds_after_t0, timezone.utc).isoformat())


def test_inventory_sync_lag_runs_from_the_movement_to_its_delivery(make_hub):
    hub, _ = _stock_day(make_hub)
    lag = _figures(hub, 120)["inventory_sync_lag_seconds"]
    b, c = 300 + 60, 120 + 60  # MV-A was dead-lettered: it never arrived
    assert (lag["count"], lag["p50"], lag["p95"], lag["max"]) == (2, (b + c) / 2, c + 0.95 * (b - c), b)
    assert (lag["applied"]["p50"], lag["applied"]["max"]) == ((300 + 120) / 2, 300), "occurred → received by the hub"
    assert set(lag["by_target"]) == {"erp"} and set(lag["by_plant"]) == {"P1"} and set(lag["by_source"]) == {"wms"}


def test_failure_rate_aging_and_impacted_orders_follow_the_open_exceptions(make_hub):
    hub, _ = _stock_day(make_hub)
    early, late = _figures(hub, 1800), _figures(hub, 2 * 3600)

    rate = early["message_failure_rate"]
    received = 6 + 2 + 2 + 4  # items, BOM releases, production orders, movements
    assert (rate["received"], rate["quarantined"], rate["dead_lettered"]) == (received, 1, 1)
    assert rate["rate"] == 2 / received and rate["by_source"]["wms"]["rate"] == 2 / 4
    assert rate["by_source"]["plm"]["rate"] == 0
    # Besides the dead letter and the quarantine, the planner hears that the orders' 20 A and
    # 10 C cannot be promised from 5 of each.
    assert early["exception_aging"]["total"] == {"<1h": 4, "1-24h": 0, "1-7d": 0, ">7d": 0}
    assert late["exception_aging"]["by_role"] == {"admin": {"<1h": 0, "1-24h": 1, "1-7d": 0, ">7d": 0},
                                                  "planner": {"<1h": 0, "1-24h": 2, "1-7d": 0, ">7d": 0},
                                                  "warehouse": {"<1h": 0, "1-24h": 1, "1-7d": 0, ">7d": 0}}
    assert early["orders_impacted"] == {"count": 1, "orders": ["MO-1"], "by_plant": {"P1": 1}}, \
        "MO-1 needs A, whose receipt is dead-lettered; MO-2 needs C, which arrived"
    assert early["po_ack_turnaround_seconds"]["count"] == 0, "no supplier order has been sent yet"


def test_reconciliation_variance_is_the_newest_runs_count_and_quantity_per_plant(make_hub, tmp_path):
    from mfgsync.reconcile import results
    from mfgsync.reconcile.inventory import Side, reconcile
    hub, clock = _stock_day(make_hub)
    wms = tmp_path / "wms.csv"
    wms.write_text("item_id,plant_id,location_id,lot_id,status,qty,uom\n"
                   "A,P1,MAIN,,available,5,C62\nB,P1,MAIN,,available,5,C62\nC,P1,MAIN,,available,8,C62\n")
    results.keep(hub.store, "hub-vs-wms", reconcile(hub.store, hub.settings, Side("hub"), Side(str(wms))),
                 clock, "tester")
    wms.write_text(wms.read_text().replace("C,P1,MAIN,,available,8", "C,P1,MAIN,,available,6"))
    clock.advance(3600)
    results.keep(hub.store, "hub-vs-wms", reconcile(hub.store, hub.settings, Side("hub"), Side(str(wms))),
                 clock, "tester")

    variance = _figures(hub, 7200)["reconciliation_variance"]
    assert (variance["count"], variance["qty"], variance["by_plant"]) == (1, 1, {"P1": {"count": 1, "qty": 1}})
    assert [(point["variances"], point["qty"]) for point in variance["trend_by_plant"]["P1"]] == [(1, 3), (1, 1)], \
        "the trend keeps every run"


def test_po_acknowledgement_turnaround_runs_from_sent_to_acknowledged_per_partner(make_hub):
    import json as _json
    hub = make_hub()
    orders = [("4500000001", "NORTHFAST", "2026-12-01T10:00:00Z", "2026-12-01T10:30:00Z"),
              ("4500000002", "NORTHFAST", "2026-12-01T11:00:00Z", "2026-12-01T13:00:00Z"),
              ("4500000003", "RHEIN", "2026-12-01T09:00:00Z", None)]  # sent, not acknowledged yet
    with hub.store.writing() as uow:  # the supplier orders the supplier flow keeps, as it keeps them
        uow.put_entities([{"entity_key": f"SUPORD:{po}", "entity_type": "supplier_order", "ref": partner,
                           "tokens": None, "updated_at": sent, "msg_key": None, "version": 0,
                           "data": _json.dumps({"po_number": po, "partner": partner, "sent_at": sent,
                                                "sent_digest": "d", "acknowledged_at": acked})}
                          for po, partner, sent, acked in orders])
    turnaround = queries.kpis(hub.store, "2026-12-01T14:00:00+00:00")["po_ack_turnaround_seconds"]
    fast, slow = 1800, 7200
    assert (turnaround["count"], turnaround["p50"], turnaround["p95"]) == (2, (fast + slow) / 2, fast + 0.95 * (slow - fast))
    assert set(turnaround["by_partner"]) == {"NORTHFAST"}
