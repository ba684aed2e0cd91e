"""`/metrics` as Prometheus scrapes it: the text parses with Prometheus' own parser, names carry
the `mfgsync_` prefix and `_total`/`_seconds` suffixes, and the counters move with traffic."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from mfgsync.api.keys import ApiKeys
from mfgsync.api.server import create_app
from mfgsync.connectors.memory import MemoryConnector
from mfgsync.metrics import FIGURES_FRESH_SECONDS
from tests.api.conftest import TEST_HASHER
from tests.conftest import FakeClock
from tests.support.messages import envelope, item

CONFIG = """systems:
  erp: {kind: memory}
subscriptions: {inventory.moved: [erp]}
"""


def _receipt(n: int, qty: str = "5") -> dict:
    return envelope("inventory.moved", {"movement_id": f"MV-{n}", "kind": "receipt", "item_id": "SEAL", "qty": qty,
                                        "uom": "C62", "plant_id": "P1", "to_location": "MAIN",
                                        "occurred_at": "2026-11-30T08:00:00Z"}, source="wms")


def _scrape(client: TestClient, key: str) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def test_metrics_parse_and_their_counters_move_with_traffic(make_hub):
    clock = FakeClock()
    hub = make_hub(CONFIG, connectors={"erp": MemoryConnector()}, clock=clock)
    key = ApiKeys(hub.store, clock, TEST_HASHER).create("scraper", "admin", "test")
    client = TestClient(create_app(hub))
    hub.intake.ingest([envelope("item.upserted", item("SEAL")), _receipt(1), _receipt(2, "-1")])
    clock.advance(30)
    hub.worker.run_until_idle()

    before = _scrape(client, key)
    names = {name for name, _ in before}
    assert all(name.startswith("mfgsync_") for name in names)
    assert {n for n in names if n.endswith("_total")} >= {"mfgsync_messages_received_total", "mfgsync_deliveries_total",
                                                          "mfgsync_messages_failed_total"}
    applied = ("mfgsync_messages_received_total", (("outcome", "applied"), ("source", "wms")))
    delivered = ("mfgsync_deliveries_total", (("target", "erp"),))
    failed = ("mfgsync_messages_failed_total", (("source", "wms"),))
    assert (before[applied], before[delivered], before[failed]) == (1, 1, 1), "the negative receipt is quarantined"
    lag = ("mfgsync_inventory_sync_lag_seconds", (("quantile", "0.5"), ("target", "erp")))
    assert lag in before

    hub.intake.ingest([_receipt(3), _receipt(4)])
    hub.worker.run_until_idle()
    after = _scrape(client, key)
    assert (after[applied], after[delivered], after[failed]) == (3, 3, 1)


def test_metrics_need_an_api_key(make_hub):
    hub = make_hub(CONFIG, connectors={"erp": MemoryConnector()})
    assert TestClient(create_app(hub)).get("/metrics").status_code == 401


def test_counters_move_at_every_scrape_while_the_table_wide_figures_are_served_for_a_few_seconds(make_hub):
    clock = FakeClock()
    hub = make_hub(CONFIG, connectors={"erp": MemoryConnector()}, clock=clock)
    key = ApiKeys(hub.store, clock, TEST_HASHER).create("scraper", "admin", "test")
    client = TestClient(create_app(hub))
    hub.intake.ingest([envelope("item.upserted", item("SEAL")), _receipt(1)])
    failed = ("mfgsync_messages_failed_total", (("source", "wms"),))

    def open_exceptions(scrape: dict) -> float:
        return sum(v for (name, _), v in scrape.items() if name == "mfgsync_exceptions_open")

    first = _scrape(client, key)
    assert (first.get(failed, 0), open_exceptions(first)) == (0, 0)

    hub.intake.ingest([_receipt(2, "-1")])  # quarantined: a failed message and an open exception
    clock.advance(FIGURES_FRESH_SECONDS - 1)
    soon = _scrape(client, key)
    assert (soon[failed], open_exceptions(soon)) == (1, 0), "the count is live, the aging still the last one"

    clock.advance(1)
    later = _scrape(client, key)
    assert (later[failed], open_exceptions(later)) == (1, 1)
