"""The composition root: the one place that builds the store, connectors and pipeline from settings."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Callable, Mapping

from mfgsync.config import Settings, System, load_settings
from mfgsync.connectors.b2mml import B2mmlConnector
from mfgsync.connectors.base import Connector, PermanentError, TransientError
from mfgsync.connectors.edi_partner import PartnerDropFolder
from mfgsync.connectors.files import DropFolderConnector, RecorderConnector
from mfgsync.connectors.memory import MemoryConnector
from mfgsync.connectors.tryton import TrytonConnector
from mfgsync.connectors.tryton_rpc import TrytonSession
from mfgsync.connectors.webhook import WebhookConnector
from mfgsync.envelope import EventType
from mfgsync.pipeline.delivery import Worker
from mfgsync.pipeline.exception_queue import ExceptionQueue
from mfgsync.pipeline.intake import Intake
from mfgsync.pipeline.replenish_from_plan import PlanningTarget
from mfgsync.store import open_store
from mfgsync.store.port import Store
from mfgsync.workflows.replenishment import PLANNING_TARGET
from mfgsync.workflows.routes import ROUTES, Handler


def build_connector(system: System) -> Connector | None:
    """The connector for a delivering system; None for systems that only send to the hub."""
    match system.kind:
        case "dropfolder": return DropFolderConnector(system.path)
        case "b2mml": return B2mmlConnector(system.path)
        case "recorder": return RecorderConnector(system.path)
        case "webhook": return WebhookConnector(system.url, system.secret(), system.timeout_seconds)
        case "memory": return MemoryConnector()
        case "x12" | "edifact": return PartnerDropFolder(system.dropfolder)
        case "tryton": return TrytonConnector(TrytonSession(system.url, system.database, system.user,
                                                            system.password(), system.timeout_seconds))
    return None


def live_stock(settings: Settings) -> Callable[[str], list[dict]]:
    """Stock pulled live from a configured ERP (`system:NAME` in a reconciliation), per plant with
    an `erp_warehouse`."""
    def pull(name: str) -> list[dict]:
        from mfgsync.connectors.tryton_stock import stock_balances
        from mfgsync.reconcile.snapshots import SnapshotError
        system = settings.systems.get(name)
        if system is None or system.kind != "tryton":
            raise SnapshotError(f"system:{name}: not a configured Tryton system")
        warehouses = {plant_id: plant.erp_warehouse for plant_id, plant in settings.plants.items() if plant.erp_warehouse}
        quarantines = {plant_id: plant.erp_quarantine for plant_id, plant in settings.plants.items()}
        session = TrytonSession(system.url, system.database, system.user, system.password(), system.timeout_seconds)
        try:
            return stock_balances(session, warehouses, quarantines)
        except (TransientError, PermanentError) as exc:
            raise SnapshotError(f"system:{name}: {exc}") from None
        finally:
            session.close()
    return pull


def audit_key() -> bytes | None:
    """The key that makes the audit chain's links keyed MACs, from the environment only."""
    value = os.environ.get("MFGSYNC_AUDIT_KEY")
    return value.encode("utf-8") if value else None


@dataclass
class Hub:
    settings: Settings
    store: Store
    connectors: dict[str, Connector]
    intake: Intake
    worker: Worker
    exceptions: ExceptionQueue
    clock: Callable[[], float]

    def close(self) -> None:
        self.store.close()


def build_hub(settings: Settings | None = None, database_url: str | None = None,
              connectors: Mapping[str, Connector] | None = None,
              clock: Callable[[], float] = time.time, actor: str = "pipeline",
              store: Store | None = None, run_migrations: bool = True,
              routes: dict[EventType, tuple[Handler, ...]] = ROUTES) -> Hub:
    settings = settings or load_settings()
    store = store or open_store(database_url, run_migrations=run_migrations, audit_key=audit_key())
    built = {name: c for name, system in settings.systems.items() if (c := build_connector(system))}
    built.update(connectors or {})
    if settings.replenishment.plan_after_movements_seconds:  # the plans movements schedule
        built.setdefault(PLANNING_TARGET, PlanningTarget(store, settings, clock))
    intake = Intake(store, settings, clock, actor, routes)
    worker = Worker(store, built, settings.retry, clock)
    return Hub(settings, store, built, intake, worker, ExceptionQueue(store, settings, intake, clock), clock)
