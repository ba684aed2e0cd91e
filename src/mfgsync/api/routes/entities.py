"""Canonical entity reads through the read side: items, BOMs (with revisions and history),
purchase orders, balances, production orders — every type `mfgsync get` knows, as it grows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from mfgsync import queries
from mfgsync.api.auth import person
from mfgsync.api.keys import Principal
from mfgsync.api.problems import RESPONSES, Problem
from mfgsync.api.routes import hub_of

router = APIRouter(prefix="/api/v1", tags=["entities"], responses=RESPONSES)


@router.get("/entities", summary="The entity types that can be read")
def entity_types(principal: Principal = Depends(person)) -> dict[str, list[str]]:
    return {"types": list(queries.ENTITY_TYPES)}


@router.get("/entities/{entity_type}/{key:path}", summary="One entity's current state, or its history")
async def entity(request: Request, entity_type: str, key: str,
                 revision: str | None = Query(None, max_length=64, description="a BOM revision"),
                 plant: str | None = Query(None, max_length=64, description="a BOM's plant"),
                 history: bool = Query(False, description="the messages applied to it, oldest first"),
                 principal: Principal = Depends(person)) -> dict[str, Any]:
    store = hub_of(request).store
    try:
        found = await run_in_threadpool(
            lambda: queries.history(store, entity_type, key, plant) if history
            else queries.current(store, entity_type, key, revision, plant))
    except queries.UnknownType as exc:
        raise Problem(404, exc.code, str(exc)) from None
    if found is None:
        raise Problem(404, "NOT_FOUND", f"no {entity_type} {key}" + (f" revision {revision}" if revision else ""))
    return found
