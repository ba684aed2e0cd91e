"""Scheduled reconciliations, run inside `mfgsync serve`: each entry of the configuration's
`reconciliation.schedule` runs when its last kept run is `every_seconds` old (or it never ran),
and its result is kept like any other run (results.py) — so history, trend per plant and the
warehouse exceptions come from scheduled runs too. When a reconciliation last ran is read from
the store, so a restart neither skips nor repeats a run that is not due.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING

from mfgsync.config import ScheduledReconciliation
from mfgsync.reconcile import results
from mfgsync.reconcile.inventory import Side, reconcile
from mfgsync.reconcile.snapshots import SnapshotError

if TYPE_CHECKING:
    from mfgsync.app import Hub

log = logging.getLogger(__name__)
ACTOR = "reconciliation-schedule"
POLL_SECONDS = 30.0
SLACK_SECONDS = 0.001


def _last_run(hub: Hub) -> dict[str, float]:
    with hub.store.reading() as read:
        return {name: datetime.fromisoformat(run["at"].replace("Z", "+00:00")).timestamp()
                for name, run in results.latest(read).items()}


def due(hub: Hub) -> list[ScheduledReconciliation]:
    last, now = _last_run(hub), hub.clock()
    # A run's time is kept to the microsecond: read back, it may sit a hair after the clock's own.
    return [job for job in hub.settings.reconciliation.schedule
            if job.name not in last or now - last[job.name] >= job.every_seconds - SLACK_SECONDS]


def run_due(hub: Hub) -> list[dict]:
    """Run every scheduled reconciliation that is due; what each kept. One that cannot read a
    side is logged and tried again at the next poll."""
    from mfgsync.app import live_stock
    kept = []
    for job in due(hub):
        try:
            result = reconcile(hub.store, hub.settings, Side(job.left, job.left_system),
                               Side(job.right, job.right_system), live=live_stock(hub.settings))
        except SnapshotError as exc:
            log.warning("reconciliation %s: %s", job.name, exc)
            continue
        kept.append(results.keep(hub.store, job.name, result, hub.clock, ACTOR))
    return kept


def run_until_stopped(hub: Hub, stop: threading.Event, poll_seconds: float = POLL_SECONDS) -> None:
    while not stop.is_set():
        try:
            run_due(hub)
        except Exception:  # a busy or briefly unreachable store must not end the schedule for good
            log.exception("reconciliation schedule: a round failed; trying again")
        stop.wait(poll_seconds)
