"""Following a business change: an ECO's propagation per target and plant, and the whole
lineage of a correlation id."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from mfgsync import queries
from mfgsync.api.auth import person
from mfgsync.api.keys import Principal
from mfgsync.api.problems import RESPONSES, Problem
from mfgsync.api.routes import hub_of
from mfgsync.api.schemas import EcoStatus, Lineage

router = APIRouter(prefix="/api/v1", tags=["changes"], responses=RESPONSES)


@router.get("/ecos/{eco_id}/status", response_model=EcoStatus,
            summary="How far an ECO's revisions got into each target and plant")
async def eco_status(request: Request, eco_id: str, principal: Principal = Depends(person)) -> dict:
    found = await run_in_threadpool(queries.eco_status, hub_of(request).store, eco_id)
    if found is None:
        raise Problem(404, "NOT_FOUND", f"nothing carries the correlation id {eco_id!r}")
    return found


@router.get("/lineage/{correlation_id}", response_model=Lineage,
            summary="Everything one business change caused, each node with its parent, in time order")
async def lineage(request: Request, correlation_id: str, principal: Principal = Depends(person)) -> dict:
    tree = await run_in_threadpool(queries.lineage, hub_of(request).store, correlation_id)
    if not tree["nodes"]:
        raise Problem(404, "NOT_FOUND", f"nothing carries the correlation id {correlation_id!r}")
    return tree
