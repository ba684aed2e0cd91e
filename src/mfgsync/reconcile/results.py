"""Reconciliation results kept in the store: each run as an entity (its summary, figures per
plant and its first variances), so history and trend per plant can be read back; and each
unexplained variance as a warehouse exception, raised once while it stays open.

Entities of type `reconciliation`, keyed `RECON:<name>#<at>` (ref: the reconciliation's name).
Exceptions: `RECON_UNEXPLAINED` on the stock position's key (`POS:item|plant|location|lot`).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Callable

from mfgsync.model import keys
from mfgsync.model.base import decimal_to_number
from mfgsync.pipeline.clock import iso
from mfgsync.store.port import AuditEntry, ReadSide, Store, UnitOfWork, transact

RUN = "reconciliation"
UNEXPLAINED = "RECON_UNEXPLAINED"
KEPT_VARIANCES = 1000  # a run keeps its first variances; its counts and quantities cover them all


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_to_number(value)
    raise TypeError(type(value).__name__)


def keep(store: Store, name: str, result: dict[str, Any], clock: Callable[[], float], actor: str) -> dict[str, Any]:
    """Record the run and raise the new unexplained variances; what was kept."""
    at = iso(clock())
    run = {"name": name, "at": at, "kind": result.get("kind", "inventory"), "as_of": result.get("as_of"),
           "summary": result["summary"], "by_plant": _per_plant(result),
           "left": result["left"]["source"], "right": result["right"]["source"],
           "variances": result["variances"][:KEPT_VARIANCES], "variance_count": len(result["variances"])}
    unexplained = {_position(v): v for v in result["variances"] if v["cause"] == "unexplained"}

    def work(uow: UnitOfWork) -> dict[str, Any]:
        key = keys.reconciliation_run(name, at)
        stored = uow.entity_rows([key]).get(key)
        uow.put_entities([{"entity_key": key, "entity_type": RUN, "ref": name, "tokens": None,
                           "data": json.dumps(run, default=_json, sort_keys=True), "updated_at": at,
                           "msg_key": None, "version": stored.version if stored else 0}])
        already = uow.open_exception_keys(unexplained)
        uow.add_exceptions([_exception(key, position, v, at) for position, v in unexplained.items()
                            if position not in already])
        kept = {"run": key, "raised": len(unexplained) - len(already), "already_open": len(already)}
        uow.audit([AuditEntry(actor, "reconciliation.kept", key, {**kept, "summary": result["summary"]},
                              correlation_id=key)], at)
        return kept

    return transact(store, work)


def _position(variance: dict[str, Any]) -> str:
    k = variance["key"]
    if "po_number" in k:
        return f"{keys.purchase_order(k['po_number'])}#{k['line_no']}"
    return keys.stock_position(k["item_id"], k["plant_id"], k["location_id"], k["lot_id"])


def _per_plant(result: dict[str, Any]) -> dict[str, dict]:
    """Variance count and quantity per plant (in base units) of one run."""
    return {plant: {"variances": sum(v for kind, v in row.items() if kind not in ("match", "variance_qty")),
                    "qty": row["variance_qty"]}
            for plant, row in result.get("totals", {}).get("by_plant", {}).items()}


def _exception(run_key: str, position: str, variance: dict[str, Any], at: str) -> dict[str, Any]:
    k = variance["key"]
    message = (f"{variance['kind']} at {' / '.join(str(k[c]) for c in k if k[c] is not None)}: "
               f"left {variance['left_qty']}, right {variance['right_qty']} {variance.get('uom') or ''}").strip()
    reasons = [{"code": UNEXPLAINED, "message": message, "field": None}]
    return {"kind": "workflow", "msg_key": None, "source": "reconcile", "event_type": None, "entity_key": position,
            "codes": UNEXPLAINED, "reasons": json.dumps(reasons), "owner_role": "warehouse",
            "payload": json.dumps(variance, default=_json), "outbox_id": None, "at": at,
            "correlation_id": run_key, "causation_id": None, "mapping_version": None}


def history(read: ReadSide, name: str | None = None) -> list[dict[str, Any]]:
    """Every kept run (of one reconciliation), oldest first."""
    runs = read.entities_of_ref(RUN, name) if name else read.entities_of_type(RUN)
    return sorted(runs, key=lambda r: (r["at"], r["name"]))


def trend(read: ReadSide, name: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Per plant, its variance count and quantity run after run: `{plant: [{at, name, variances, qty}]}`."""
    series: dict[str, list[dict[str, Any]]] = {}
    for run in history(read, name):
        for plant, figures in run["by_plant"].items():
            series.setdefault(plant, []).append({"at": run["at"], "name": run["name"], **figures})
    return series


def latest(read: ReadSide) -> dict[str, dict[str, Any]]:
    """The newest run of each reconciliation, by name."""
    newest: dict[str, dict[str, Any]] = {}
    for run in history(read):
        newest[run["name"]] = run
    return newest
