"""Prometheus metrics: the hub's KPIs in the Prometheus text format, read from the store
(nothing is counted in process memory, so every process — `serve`, workers, another host —
reports the same figures of the same store).

The counters and queue depths are read at every scrape: they are grouped counts. The figures
that read whole tables (durations, exception aging, reconciliation variance, orders impacted) are
computed at most once per `FIGURES_FRESH_SECONDS` of the hub's clock and served from then on:
Prometheus scrapes every few seconds, often from more than one server, and those reads grow with
the store.

Names follow Prometheus conventions: the `mfgsync_` prefix, `_total` for counters, `_seconds`
for durations; labels `source`, `target`, `plant` (and `role`, `outcome`, `status`, `quantile`
where they say what a series is).
"""

from __future__ import annotations

import math
import threading
from typing import Any, Callable, Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from mfgsync import kpi
from mfgsync.pipeline.clock import iso
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


FIGURES_FRESH_SECONDS = 15.0


def _counts(store: Store) -> dict[str, Any]:
    """What every scrape reads afresh: grouped counts of the inbox, the outbox and dead letters."""
    with store.reading() as read:
        deliveries = read.outbox_counts()
        return {"received": read.inbox_by_source(), "deliveries": deliveries,
                "dead_letter_depth_by_target": {target: t.get("dead", 0) for target, t in deliveries.items()},
                "message_failure_rate": kpi.message_failure_rate(read)}


def _figures(store: Store, now_iso: str) -> dict[str, Any]:
    """What a scrape may serve from a recent computation: the figures that read whole tables."""
    with store.reading() as read:
        return {"bom_propagation_seconds": kpi.bom_propagation(read),
                "inventory_sync_lag_seconds": kpi.inventory_sync_lag(read),
                "po_ack_turnaround_seconds": kpi.po_ack_turnaround(read),
                "exception_aging": kpi.exception_aging(read, now_iso),
                "reconciliation_variance": kpi.reconciliation_variance(read),
                "orders_impacted": kpi.orders_impacted(read)}


class Metrics:
    """The `/metrics` text of one store: counts at every scrape, the heavier figures at most
    once per `fresh_seconds` of `clock` (shared by the server's request threads)."""

    def __init__(self, store: Store, clock: Callable[[], float], fresh_seconds: float = FIGURES_FRESH_SECONDS):
        self.store, self.clock, self.fresh_seconds = store, clock, fresh_seconds
        self._figures: dict[str, Any] = {}
        self._computed_at = -math.inf
        self._lock = threading.Lock()

    def figures(self) -> dict[str, Any]:
        with self._lock:
            now = self.clock()
            if now - self._computed_at >= self.fresh_seconds:
                self._figures, self._computed_at = _figures(self.store, iso(now)), now
            return self._figures

    def text(self) -> bytes:
        """The hub's metrics in the Prometheus text exposition format."""
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_HubCollector({**_counts(self.store), **self.figures()}))
        return generate_latest(registry)


class _HubCollector:
    """One scrape's figures turned into metric families."""

    def __init__(self, k: dict[str, Any]):
        self.k = k

    def collect(self) -> Iterator[Metric]:
        k, by_source = self.k, self.k["received"]
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
