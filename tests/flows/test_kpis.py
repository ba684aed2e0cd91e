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
