"""Stock questions over HTTP: reconciliation results the hub kept, lot genealogy, and
available-to-promise."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from mfgsync import queries
from mfgsync.api import views
from mfgsync.api.auth import person
from mfgsync.api.keys import Principal
from mfgsync.api.problems import RESPONSES, Problem
from mfgsync.api.routes import hub_of
from mfgsync.model import entities as m
from mfgsync.workflows import genealogy

router = APIRouter(prefix="/api/v1", tags=["inventory"], responses=RESPONSES)


@router.get("/reconciliations", summary="Reconciliation runs kept, newest first: summary and figures per plant")
async def reconciliations(request: Request, name: str | None = Query(None, max_length=200),
                          limit: int = Query(50, ge=1, le=500),
                          principal: Principal = Depends(person)) -> dict[str, Any]:
    return {"runs": await run_in_threadpool(views.reconciliation_runs, hub_of(request).store, limit, name)}


@router.get("/lots/{lot_id}/trace", summary="Lot genealogy: the lots a lot went into, or (backward) came from")
async def trace(request: Request, lot_id: str, backward: bool = False,
                principal: Principal = Depends(person)) -> dict[str, Any]:
    link_type = genealogy.MADE_FROM if backward else genealogy.USED_IN

    def traced() -> dict:
        with hub_of(request).store.reading() as read:
            return genealogy.trace(lot_id, backward, lambda lot: [
                m.LotLink.model_validate(row) for row in read.entities_of_ref(link_type, lot)])
    document = await run_in_threadpool(traced)
    if not document["lots"]:
        raise Problem(404, "NOT_FOUND", f"no lot links {'into' if backward else 'from'} lot {lot_id!r}")
    return document


@router.get("/atp/{item_id}", summary="Available-to-promise of an item in a plant, by date (held stock never counts)")
async def atp(request: Request, item_id: str = Path(max_length=200), plant: str = Query(max_length=200),
              principal: Principal = Depends(person)) -> dict[str, Any]:
    hub = hub_of(request)
    today = datetime.fromtimestamp(hub.clock(), timezone.utc).date()
    document = await run_in_threadpool(queries.atp, hub.store, hub.settings, item_id, plant, today)
    if document is None:
        raise Problem(404, "NOT_FOUND", f"item {item_id!r} is not known to the hub")
    return document
