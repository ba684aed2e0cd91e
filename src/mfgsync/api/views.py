"""What the dashboard draws, shaped from the hub's figures: KPI series over time, exception
aging bands, a lineage as a timeline, and the ECO propagation matrix. Charts are SVG drawn
on the server: no chart library, nothing to build."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from mfgsync import queries
from mfgsync.kpi import seconds_between
from mfgsync.store.port import Store

# (title, how to read it from the KPI document); a KPI the hub does not compute yet shows as none.
SERIES = (
    ("BOM propagation p50 (s)", lambda k: (k.get("bom_propagation_seconds") or {}).get("p50")),
    ("Dead-letter depth", lambda k: k.get("dead_letter_depth")),
    ("Open exceptions", lambda k: sum((k.get("exceptions_open") or {}).values())),
    ("Inventory sync lag p50 (s)", lambda k: (k.get("inventory_sync_lag_seconds") or {}).get("p50")),
    ("PO ack turnaround p50 (s)", lambda k: (k.get("po_ack_turnaround_seconds") or {}).get("p50")),
)
WIDTH, HEIGHT = 300, 80
RECONCILIATION = "reconciliation"  # the entity type reconcile/results.py keeps each run as
KEPT, EVERY_SECONDS = 180, 2.0


class Samples:
    """The last KPI readings, one at most every EVERY_SECONDS, for the live charts."""

    def __init__(self):
        self._rows: deque[tuple[float, list[float | None]]] = deque(maxlen=KEPT)
        self._lock = threading.Lock()

    def add(self, now: float, kpis: dict[str, Any]) -> None:
        with self._lock:
            if self._rows and now - self._rows[-1][0] < EVERY_SECONDS:
                return
            self._rows.append((now, [_number(read(kpis)) for _, read in SERIES]))

    def charts(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = list(self._rows)
        return [_chart(title, [(t, values[n]) for t, values in rows if values[n] is not None])
                for n, (title, _) in enumerate(SERIES)]


def _number(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _chart(title: str, points: list[tuple[float, float]]) -> dict[str, Any]:
    """A polyline scaled into the chart's box (time across, value up, zero at the bottom)."""
    if not points:
        return {"title": title, "latest": None, "points": "", "top": 0}
    start, end = points[0][0], max(points[-1][0], points[0][0] + 1)
    top = max(max(v for _, v in points), 1.0)
    drawn = " ".join(f"{(t - start) / (end - start) * WIDTH:.1f},{HEIGHT - v / top * (HEIGHT - 4):.1f}"
                     for t, v in points)
    if len(points) == 1:
        drawn = f"0,{drawn.split(',')[1]} {WIDTH},{drawn.split(',')[1]}"
    return {"title": title, "latest": points[-1][1], "points": drawn, "top": top}


def aging(kpis: dict[str, Any]) -> dict[str, Any]:
    """The KPI's open exceptions per owner role and age band, with bar lengths for the chart."""
    figures = kpis.get("exception_aging") or {"bands": [], "by_role": {}}
    bands = figures["bands"]
    most = max((n for row in figures["by_role"].values() for n in row.values()), default=0) or 1
    return {"bands": bands, "most": most,
            "roles": [{"role": role, "counts": [row[b] for b in bands],
                       "bars": [round(row[b] / most * 120) for b in bands]}
                      for role, row in figures["by_role"].items()]}


def timeline(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Lineage nodes in time order, each with its depth under its cause and the seconds since the first."""
    depth: dict[str, int] = {}
    start = nodes[0]["at"] if nodes else None
    steps = []
    for node in nodes:
        depth[node["id"]] = depth.get(node["parent"], -1) + 1 if node["parent"] else 0
        elapsed = seconds_between(start, node["at"]) if start and node["at"] else None
        steps.append({**node, "depth": min(depth[node["id"]], 8), "elapsed": elapsed,
                      "label": node["id"].replace("\x1f", "/")})
    return steps


def eco_matrix(store: Store, limit: int = 20) -> dict[str, Any]:
    """The latest ECOs against every target and plant their revisions go to: each cell pending,
    delivered, confirmed or failed."""
    with store.reading() as read:
        ecos = read.entities_of_type("eco")
    ecos = sorted(ecos, key=lambda e: (str(e.get("effective_from")), e["eco_id"]), reverse=True)[:limit]
    rows, columns = [], set()
    for eco in ecos:
        found = queries.eco_status(store, eco["eco_id"]) or {"targets": [], "latency_seconds": None}
        cells = {_column(t): t["status"] for t in found["targets"]}
        columns |= set(cells)
        rows.append({"eco": eco, "cells": cells, "latency": found["latency_seconds"]})
    return {"rows": rows, "columns": sorted(columns)}


def _column(target: dict[str, Any]) -> str:
    return target["target"] + (f" @ {target['plant_id']}" if target["plant_id"] else "")


def reconciliation_runs(store: Store, limit: int = 50, name: str | None = None) -> list[dict[str, Any]]:
    """The kept reconciliation runs (of one name, or all), newest first, without their variances."""
    with store.reading() as read:
        runs = read.entities_of_ref(RECONCILIATION, name) if name else read.entities_of_type(RECONCILIATION)
    newest = sorted(runs, key=lambda run: str(run.get("at")), reverse=True)[:limit]
    return [{k: v for k, v in run.items() if k != "variances"} for run in newest]
