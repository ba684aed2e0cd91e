"""`mfgsync serve`: the status page and health check, with the delivery worker (and, with
`--demo`, the demo plant's live traffic) running beside them in one process.

The background threads live in the app's lifespan: uvicorn starts them with the server and
stops them in its graceful shutdown, before it hands a Ctrl-C or SIGTERM back to the process.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import sys
import threading
from contextlib import asynccontextmanager
from typing import Callable

import uvicorn
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse

from mfgsync.api import page
from mfgsync.api.status import status
from mfgsync.app import Hub, build_hub
from mfgsync.config import ConfigError, Settings, load_settings
from mfgsync.demo import demo_settings, feed_live_traffic, plant_messages
from mfgsync.demo.traffic import INTERVAL_SECONDS
from mfgsync.pipeline.delivery import Worker

log = logging.getLogger(__name__)

# Every value on the page is escaped; this policy is the second fence: no script runs, nothing loads.
PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
IDLE_SECONDS = 0.5


def create_app(hub: Hub, lifespan: Callable | None = None) -> FastAPI:
    app = FastAPI(title="mfgsync", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/health")
    def health() -> JSONResponse:
        try:
            with hub.store.reading() as read:
                read.ping()
        except Exception as exc:  # whatever the backend raises, the answer is "not available"
            return JSONResponse({"status": "unavailable", "store": hub.store.kind,
                                 "error": type(exc).__name__}, status_code=503)
        return JSONResponse({"status": "ok", "store": hub.store.kind})

    @app.get("/", response_class=HTMLResponse)
    def status_page() -> HTMLResponse:
        return HTMLResponse(page.render(status(hub)), headers={"Content-Security-Policy": PAGE_POLICY})

    @app.get("/status.json")
    def status_json() -> dict:
        return status(hub)

    return app


def deliver_until_stopped(worker: Worker, stop: threading.Event) -> None:
    """Deliver what is due, pausing while nothing is."""
    while not stop.is_set():
        try:
            busy = worker.run_once()
        except Exception:  # a busy or briefly unreachable store must not end delivery for good
            log.exception("delivery worker: a round failed; trying again")
            busy = 0
        if not busy:
            stop.wait(IDLE_SECONDS)


def background_work(hub: Hub, live_traffic: bool) -> Callable:
    """The lifespan running the delivery worker (and the demo's live traffic) beside the server."""
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        stop = threading.Event()
        jobs = [(deliver_until_stopped, (hub.worker, stop))]
        if live_traffic:
            jobs.append((feed_live_traffic, (hub.intake, stop, hub.clock)))
        threads = [threading.Thread(target=job, args=args, name=job.__name__, daemon=True) for job, args in jobs]
        for thread in threads:
            thread.start()
        yield
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    return lifespan


def run(host: str = "127.0.0.1", port: int = 8000, demo: bool = False) -> None:
    if not _loopback(host):
        # The status routes carry no credential check yet (the authenticated API comes with
        # API keys and roles); until then the server never listens beyond this machine.
        raise SystemExit(f"mfgsync serve: refusing to listen on {host}: the status page is unauthenticated "
                         f"and served on loopback only (127.0.0.1, ::1 or localhost)")
    try:
        hub = build_hub(_settings(demo))
    except ConfigError as exc:
        raise SystemExit(f"mfgsync serve: {exc}") from None
    try:
        if demo:
            _load_demo_plant(hub, host, port)
        uvicorn.run(create_app(hub, background_work(hub, live_traffic=demo)), host=host, port=port,
                    access_log=False)
    finally:
        hub.close()


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _settings(demo: bool) -> Settings:
    """A configuration file, when one is named, wins over the demo's own."""
    if demo and not os.environ.get("MFGSYNC_CONFIG"):
        return demo_settings()
    return load_settings()


def _load_demo_plant(hub: Hub, host: str, port: int) -> None:
    report = hub.intake.ingest(plant_messages())
    print(f"Demo pump plant loaded: {report.total} messages, {report.accepted} applied, {report.duplicates} "
          f"duplicates, {report.stale} stale, {report.quarantined} quarantined. Live traffic follows, one "
          f"message every {INTERVAL_SECONDS:g} seconds.\nOpen http://{host}:{port}/ to see what the hub did.",
          file=sys.stderr)
