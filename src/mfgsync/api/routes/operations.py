"""The hub's own state: health (open), readiness, KPIs and what delivery owes."""

from __future__ import annotations

import os
import socket
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from mfgsync import queries
from mfgsync.api.auth import authenticated, person
from mfgsync.api.keys import Principal
from mfgsync.api.problems import RESPONSES
from mfgsync.api.routes import hub_of
from mfgsync.api.schemas import Health, Readiness
from mfgsync.api.status import status as hub_status
from mfgsync.pipeline.clock import iso

router = APIRouter(tags=["operations"])


def _store_answers(request: Request) -> str | None:
    """None when the store answers; else the kind of error it raised."""
    hub = hub_of(request)
    try:
        with hub.store.reading() as read:
            read.ping()
    except Exception as exc:  # whatever the backend raises, the answer is "not available"
        return type(exc).__name__
    return None


@router.get("/health", response_model=Health, responses={503: {"model": Health}},
            summary="Open to monitoring: does the store answer")
async def health(request: Request) -> JSONResponse:
    error = await run_in_threadpool(_store_answers, request)
    kind = hub_of(request).store.kind
    if error:
        return JSONResponse({"status": "unavailable", "store": kind, "error": error}, status_code=503)
    return JSONResponse({"status": "ok", "store": kind})


# The brokers the hub may be configured with, by their URL's environment variable.
BROKERS = {"nats": ("MFGSYNC_NATS_URL", 4222), "mqtt": ("MFGSYNC_MQTT_URL", 1883)}


def _broker_answers(url: str, default_port: int) -> str | None:
    """None when the broker's port takes a connection within a second; else why not."""
    parsed = urlsplit(url if "://" in url else f"tcp://{url}")
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return None
    except (OSError, ValueError) as exc:
        return type(exc).__name__


@router.get("/ready", response_model=Readiness, responses={**RESPONSES, 503: {"model": Readiness}},
            summary="Ready to work: the store, and each broker the hub is configured with, reachable")
async def ready(request: Request, principal: Principal = Depends(authenticated)) -> JSONResponse:
    error = await run_in_threadpool(_store_answers, request)
    checks = {"store": error or "ok"}
    for name, (variable, port) in BROKERS.items():
        if os.environ.get(variable):
            checks[name] = await run_in_threadpool(_broker_answers, os.environ[variable], port) or "ok"
    ok = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ready" if ok else "unavailable", "store": hub_of(request).store.kind,
                         "checks": checks}, status_code=200 if ok else 503)


@router.get("/api/v1/kpis", tags=["operations"], responses=RESPONSES, summary="The KPIs of `mfgsync kpi`")
async def kpis(request: Request, principal: Principal = Depends(person)) -> dict[str, Any]:
    hub = hub_of(request)
    return await run_in_threadpool(queries.kpis, hub.store, iso(hub.clock()))


@router.get("/api/v1/status", tags=["operations"], responses=RESPONSES, summary="What delivery owes right now")
async def status(request: Request, principal: Principal = Depends(person)) -> dict[str, Any]:
    hub = hub_of(request)
    return await run_in_threadpool(queries.status, hub.store, hub.clock())


@router.get("/api/v1/overview", tags=["operations"], responses=RESPONSES,
            summary="What the hub has done so far: messages per stage, deliveries per target, open exceptions")
async def overview(request: Request, principal: Principal = Depends(person)) -> dict[str, Any]:
    document = await run_in_threadpool(hub_status, hub_of(request))
    if principal.role != "admin":  # a person sees their own role's exceptions
        document["exceptions"] = [x for x in document["exceptions"] if x["owner_role"] == principal.role]
    return document
