"""Prometheus metrics: the hub's KPIs in the Prometheus text format, read from the store at each
scrape (nothing is counted in process memory, so every process — `serve`, workers, another
host — reports the same figures of the same store).

Names follow Prometheus conventions: the `mfgsync_` prefix, `_total` for counters, `_seconds`
for durations; labels `source`, `target`, `plant` (and `role`, `outcome`, `status`, `quantile`
where they say what a series is).
"""

from __future__ import annotations

from typing import Any, Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from mfgsync import queries
from mfgsync.store.port import Store

CONTENT_TYPE = CONTENT_TYPE_LATEST


def _number(value: Any) -> float:
    return 0.0 if value is None else float(value)


QUANTILES = {"p50": "0.5", "p95": "0.95"}


def _quantiles(name: str, doc: str, labels: list[str], breakdown: dict[str, dict]) -> Metric:
    """p50 and p95 of a duration per breakdown, as gauges with a `quantile` label. A breakdown
    named `target@plant` fills both labels (a target without plants leaves plant empty)."""
    family = GaugeMetricFamily(name, doc, labels=[*labels, "quantile"])
    for value, figures in breakdown.items():
        parts = (value.split("@", 1) + [""])[:len(labels)]
        for q, quantile in QUANTILES.items():
            if figures[q] is not None:
                family.add_metric([*parts, quantile], figures[q])
    return family


class _HubCollector:
    """One scrape: the KPIs computed once, turned into metric families."""

    def __init__(self, store: Store, now_iso: str):
        self.store, self.now_iso = store, now_iso

    def collect(self) -> Iterator[Metric]:
        with self.store.reading() as read:
            by_source = read.inbox_by_source()
        k = queries.kpis(self.store, self.now_iso)
        received = CounterMetricFamily("mfgsync_messages_received", "Distinct messages received, by outcome",
                                       labels=["source", "outcome"])
        for source, outcomes in by_source.items():
            for outcome, n in outcomes.items():
                received.add_metric([source, outcome], n)
        yield received
        # Delivered rows only grow; pending ones come and go, so they are a gauge of their own.
        delivered = CounterMetricFamily("mfgsync_deliveries", "Deliveries made, per target", labels=["target"])
        pending = GaugeMetricFamily("mfgsync_deliveries_pending", "Deliveries waiting, per target", labels=["target"])
        for target, statuses in k["deliveries"].items():
            delivered.add_metric([target], statuses.get("delivered", 0))
            pending.add_metric([target], statuses.get("pending", 0))
        yield delivered
        yield pending
        dead = GaugeMetricFamily("mfgsync_dead_letter_depth", "Dead letters waiting, per target", labels=["target"])
        for target, n in k["dead_letter_depth_by_target"].items():
            dead.add_metric([target], n)
        yield dead
        yield from self._failures(k["message_failure_rate"])
        yield from self._exceptions(k["exception_aging"])
        yield from self._durations(k)
        yield from self._reconciliation(k["reconciliation_variance"])
        impacted = GaugeMetricFamily("mfgsync_orders_impacted", "Open production orders held up by an open exception",
                                     labels=["plant"])
        for plant, n in k["orders_impacted"]["by_plant"].items():
            impacted.add_metric([plant], n)
        yield impacted

    def _failures(self, rate: dict) -> Iterator[Metric]:
        failed = CounterMetricFamily("mfgsync_messages_failed", "Messages quarantined or dead-lettered",
                                     labels=["source"])
        ratio = GaugeMetricFamily("mfgsync_message_failure_ratio", "Failed over received messages", labels=["source"])
        for source, figures in rate["by_source"].items():
            failed.add_metric([source], figures["quarantined"] + figures["dead_lettered"])
            ratio.add_metric([source], figures["rate"])
        yield failed
        yield ratio

    def _exceptions(self, aging: dict) -> Iterator[Metric]:
        family = GaugeMetricFamily("mfgsync_exceptions_open", "Open exceptions by owner role and age band",
                                   labels=["role", "age"])
        for role, bands in aging["by_role"].items():
            for band, n in bands.items():
                family.add_metric([role, band], n)
        yield family

    def _durations(self, k: dict) -> Iterator[Metric]:
        yield _quantiles("mfgsync_bom_propagation_seconds", "BOM release received to confirmed, per target and plant",
                         ["target", "plant"], k["bom_propagation_seconds"]["by_target"])
        lag = k["inventory_sync_lag_seconds"]
        yield _quantiles("mfgsync_inventory_sync_lag_seconds", "Movement occurred to delivered, per target",
                         ["target"], lag["by_target"])
        yield _quantiles("mfgsync_inventory_sync_lag_by_plant_seconds", "Movement occurred to delivered, per plant",
                         ["plant"], lag["by_plant"])
        yield _quantiles("mfgsync_po_ack_turnaround_seconds", "PO sent to acknowledged, per supplier",
                         ["source"], k["po_ack_turnaround_seconds"]["by_partner"])

    def _reconciliation(self, variance: dict) -> Iterator[Metric]:
        count = GaugeMetricFamily("mfgsync_reconciliation_variances", "Variances of the newest runs, per plant",
                                  labels=["plant"])
        qty = GaugeMetricFamily("mfgsync_reconciliation_variance_qty", "Variance quantity (base units), per plant",
                                labels=["plant"])
        for plant, figures in variance["by_plant"].items():
            count.add_metric([plant], figures["count"])
            qty.add_metric([plant], _number(figures["qty"]))
        yield count
        yield qty


def prometheus_text(store: Store, now_iso: str) -> bytes:
    """The hub's metrics in the Prometheus text exposition format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_HubCollector(store, now_iso))
    return generate_latest(registry)
