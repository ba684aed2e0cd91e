"""The exception queue over HTTP: list and filter, read one, resolve, edit-and-replay, approve —
with the queue's own rules (pipeline/exception_queue.py): an exception is acted on by its owner
role or an admin, a corrected envelope keeps the original's source, id and type, and a replay
of a type listed in `approval_required` waits for a second person."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from mfgsync.api.auth import person
from mfgsync.api.keys import Principal
from mfgsync.api.problems import RESPONSES, Problem
from mfgsync.api.routes import hub_of
from mfgsync.api.schemas import ExceptionOutcome, ExceptionPage
from mfgsync.pipeline.exception_queue import ROLES, Actor, ExceptionError, NotPermitted

router = APIRouter(prefix="/api/v1/exceptions", tags=["exceptions"], responses={**RESPONSES, 409: RESPONSES[422]})
Status = Literal["open", "pending_approval", "resolved", "replayed", "superseded", "all"]
Kind = Literal["quarantine", "dead_letter", "alert", "workflow"]
Role = Literal[ROLES]  # type: ignore[valid-type]
ExceptionId = Path(ge=1, le=2**31 - 1, description="the exception's id")  # the store keeps 32-bit ids


class Resolution(BaseModel):
    note: str = Field("", max_length=500)


class Replay(BaseModel):
    data: dict[str, Any] | None = Field(None, description="corrected data, or a whole corrected envelope")


def _role_of(principal: Principal, asked: str | None) -> str | None:
    """A person lists their own role's exceptions; an admin any role's (or all)."""
    if principal.role == "admin":
        return asked
    if asked not in (None, principal.role):
        raise Problem(403, "NOT_PERMITTED",
                      f"key {principal.name} ({principal.role}) may not list {asked}'s exceptions")
    return principal.role


@router.get("", response_model=ExceptionPage, summary="Exceptions, filtered by role, age, reason and status")
async def list_exceptions(request: Request, status: Status = "open", kind: Kind | None = None,
                          role: Role | None = None, code: str | None = Query(None, max_length=64),
                          older_than_seconds: float | None = Query(None, ge=0, le=1e9,
                                                                   description="first seen at least this long ago"),
                          after: int = Query(0, ge=0, le=2**31 - 1), limit: int = Query(100, ge=1, le=1000),
                          principal: Principal = Depends(person)) -> dict:
    hub = hub_of(request)
    page = await run_in_threadpool(hub.exceptions.page, status, kind, _role_of(principal, role), code, after, limit)
    rows = page.rows if older_than_seconds is None else older_than(page.rows, older_than_seconds, hub.clock())
    return {"exceptions": [{k: v for k, v in r.items() if k not in ("payload", "original_payload")} for r in rows],
            "more": page.more, "next_after": page.next_after}


def older_than(rows: list[dict], seconds: float, now: float) -> list[dict]:
    """The exceptions first seen at least `seconds` before `now` (within one page: ids grow with
    first_seen)."""
    cutoff = datetime.fromtimestamp(now, timezone.utc) - timedelta(seconds=seconds)
    return [r for r in rows if datetime.fromisoformat(r["first_seen"].replace("Z", "+00:00")) <= cutoff]


def owned(request: Request, exception_id: int, principal: Principal) -> dict:
    """The exception, when the principal's role may act on it (its owner role, or admin)."""
    try:
        row = hub_of(request).exceptions.get(exception_id)
    except ExceptionError:
        raise Problem(404, "NOT_FOUND", f"no exception {exception_id}") from None
    if not Actor(principal.name, principal.role).may_act_on(row["owner_role"]):
        raise Problem(403, "NOT_PERMITTED", f"exception {exception_id} belongs to {row['owner_role']}; "
                      f"key {principal.name} acts as {principal.role}")
    return row


@router.get("/{exception_id}", summary="One exception with its raw payload (its owner role or admin)")
async def show(request: Request, exception_id: int = ExceptionId,
               principal: Principal = Depends(person)) -> dict[str, Any]:
    return await run_in_threadpool(owned, request, exception_id, principal)


async def _act(request: Request, exception_id: int, principal: Principal, action) -> dict:
    await run_in_threadpool(owned, request, exception_id, principal)
    try:
        outcome = await run_in_threadpool(action, hub_of(request).exceptions, Actor(principal.name, principal.role))
    except NotPermitted as exc:
        raise Problem(403, exc.code, str(exc)) from None
    except ExceptionError as exc:
        raise Problem(409, exc.code, str(exc)) from None
    return {"id": outcome.id, "status": outcome.status, "detail": outcome.detail}


@router.post("/{exception_id}/resolve", response_model=ExceptionOutcome, summary="Close without replaying")
async def resolve(request: Request, exception_id: int = ExceptionId,
                  body: Resolution = Body(default_factory=Resolution),
                  principal: Principal = Depends(person)) -> dict:
    return await _act(request, exception_id, principal,
                      lambda queue, actor: queue.resolve(exception_id, actor, body.note))


@router.post("/{exception_id}/replay", response_model=ExceptionOutcome,
             summary="Run it through the pipeline again, with corrected data if given (or requeue a dead letter)")
async def replay(request: Request, exception_id: int = ExceptionId, body: Replay = Body(default_factory=Replay),
                 principal: Principal = Depends(person)) -> dict:
    return await _act(request, exception_id, principal,
                      lambda queue, actor: queue.replay(exception_id, actor, body.data))


@router.post("/{exception_id}/approve", response_model=ExceptionOutcome,
             summary="Approve a replay that waits for a second person, and carry it out")
async def approve(request: Request, exception_id: int = ExceptionId, principal: Principal = Depends(person)) -> dict:
    return await _act(request, exception_id, principal, lambda queue, actor: queue.approve(exception_id, actor))
