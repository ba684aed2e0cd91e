"""`mfgsync serve`: the REST API, the dashboard and the health check in one process, with the
delivery worker (and, with `--demo`, the demo plant's live traffic) running beside them.

The background threads live in the app's lifespan: uvicorn starts them with the server and
stops them in its graceful shutdown, before it hands a Ctrl-C or SIGTERM back to the process.
Every route but `/health` needs an API key (api/auth.py), so the server may listen beyond
loopback.
"""

from __future__ import annotations

import gc
import logging
import os
import secrets
import sys
import threading
from contextlib import asynccontextmanager
from typing import Callable

import uvicorn
from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse, Response

from mfgsync.api import dashboard, problems
from mfgsync.api.auth import BodyLimit, RateLimiter, authenticated
from mfgsync.api.keys import ApiKeys
from mfgsync.api.routes import changes, entities, exceptions, ingest, inventory, operations, partners, wms
from mfgsync.app import Hub, build_hub
from mfgsync.config import ConfigError, Settings, load_settings
from mfgsync.demo import demo_settings, feed_live_traffic, plant_messages
from mfgsync.demo import platform as demo_platform
from mfgsync.demo.traffic import INTERVAL_SECONDS
from mfgsync.metrics import CONTENT_TYPE as METRICS_TYPE, Metrics
from mfgsync.pipeline.delivery import Worker
from mfgsync.reconcile.schedule import run_until_stopped as reconcile_on_schedule

log = logging.getLogger(__name__)

IDLE_SECONDS = 0.5
RATE_PER_SECOND, BURST = 200.0, 400.0  # per key
MAX_BODY_BYTES = 16 * 1024 * 1024  # a batch; each message in it is held to max_message_bytes too
DEMO_KEY_NAME = "demo"


def create_app(hub: Hub, lifespan: Callable | None = None, *, keys: ApiKeys | None = None,
               rate_per_second: float = RATE_PER_SECOND, burst: float = BURST,
               max_body_bytes: int = MAX_BODY_BYTES) -> FastAPI:
    app = FastAPI(title="mfgsync", version="1", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None,
                  description="The manufacturing integration hub's API. Every route but /health needs an API key "
                  "(`Authorization: Bearer KEY`, from `mfgsync keys create`).")
    app.state.hub = hub
    app.state.keys = keys or ApiKeys(hub.store, hub.clock)
    app.state.limiter = RateLimiter(rate_per_second, burst, hub.clock)  # the hub's clock: a test's controls it
    problems.install(app)
    for area in (operations, ingest, wms, partners, entities, exceptions, changes, inventory):
        app.include_router(area.router)
    dashboard.install(app)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(principal=Depends(authenticated)) -> JSONResponse:
        return JSONResponse(app.openapi())

    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    # Prometheus metrics (mfgsync/metrics.py). Like every route but /health it needs an API key
    # (any role; a scraper sends it as `authorization: {credentials: KEY}`), since its labels name
    # plants, sources and targets and the server may listen beyond loopback.
    scraped = Metrics(hub.store, hub.clock)

    @app.get("/metrics", include_in_schema=False)
    def metrics(principal=Depends(authenticated)) -> Response:
        return Response(scraped.text(), media_type=METRICS_TYPE)

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


def background_work(hub: Hub, live_traffic: bool, platform: Callable[[dict], None] | None = None) -> Callable:
    """The lifespan running the delivery worker (the demo's live traffic, its platform's messages
    through `platform`, and the scheduled reconciliations) beside the server."""
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        stop = threading.Event()
        jobs = [(deliver_until_stopped, (hub.worker, stop))]
        if live_traffic:
            jobs.append((feed_live_traffic, (hub.intake, stop, hub.clock, INTERVAL_SECONDS, 1000, platform)))
        if hub.settings.reconciliation.schedule:
            jobs.append((reconcile_on_schedule, (hub, stop)))
        threads = [threading.Thread(target=job, args=args, name=job.__name__, daemon=True) for job, args in jobs]
        for thread in threads:
            thread.start()
        # What is alive once the server starts (modules, schemas, routes, the hub) lives as long
        # as it does: kept out of the cyclic collector's scans, so a full collection during a
        # request walks only what requests made, not the whole process.
        gc.freeze()
        yield
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    return lifespan


def run(host: str = "127.0.0.1", port: int = 8000, demo: bool = False) -> None:
    try:
        hub = build_hub(_settings(demo))
    except ConfigError as exc:
        raise SystemExit(f"mfgsync serve: {exc}") from None
    try:
        platform = _load_demo_plant(hub, host, port) if demo else None
        uvicorn.run(create_app(hub, background_work(hub, live_traffic=demo, platform=platform)), host=host,
                    port=port, access_log=False)
    finally:
        hub.close()


def _settings(demo: bool) -> Settings:
    """A configuration file, when one is named, wins over the demo's own."""
    if demo and not os.environ.get("MFGSYNC_CONFIG"):
        return demo_settings()
    return load_settings()


def _load_demo_plant(hub: Hub, host: str, port: int) -> Callable[[dict], None]:
    """The first day loaded, a sign-in key printed; the platform's webhook for the live traffic."""
    report = hub.intake.ingest(plant_messages())
    keys = ApiKeys(hub.store, hub.clock)
    key = fresh_key(keys, DEMO_KEY_NAME, "admin")
    print(f"Demo pump plant loaded: {report.total} messages, {report.accepted} applied, {report.duplicates} "
          f"duplicates, {report.stale} stale, {report.quarantined} quarantined. Live traffic follows, one "
          f"message every {INTERVAL_SECONDS:g} seconds.\nOpen http://{host}:{port}/ and sign in with the demo's "
          f"admin key (made for this run; the previous run's is revoked):\n\n    {key}\n", file=sys.stderr)
    # The platform and the hub share the webhook secret: one made for the run unless one is set.
    secret = os.environ.setdefault(demo_platform.SECRET_ENV, secrets.token_urlsafe(32))
    reachable = "127.0.0.1" if host in ("0.0.0.0", "::", "localhost") else host
    platform_key = fresh_key(keys, demo_platform.KEY_NAME, f"source:{demo_platform.SOURCE}")
    webhook = demo_platform.PlatformWebhook(f"http://{reachable}:{port}", platform_key, secret)
    return webhook.send


def fresh_key(keys: ApiKeys, name: str, role: str) -> str:
    """A new key for this demo run, replacing the last run's of that name."""
    if any(k["name"] == name and k["status"] == "active" for k in keys.list()):
        keys.revoke(name, "demo")
    return keys.create(name, role, "demo")
