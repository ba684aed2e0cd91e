"""Ingestion over HTTP: one message, a batch, or a signed webhook, per source — the same
pipeline as `mfgsync ingest`, each message audited under the key that sent it.

The path names the source and overrides the envelope's `source`, so a source system's key can
only ever send as itself. Bodies are passed on as sent: a malformed message is quarantined
with its reason codes like any other, never refused unread.
"""

from __future__ import annotations

from typing import Iterable

from fastapi import APIRouter, Depends, Path, Request
from starlette.concurrency import run_in_threadpool

from mfgsync.adapters.files import messages_in_text
from mfgsync.api import webhooks
from mfgsync.api.auth import admin, sender
from mfgsync.api.keys import Principal
from mfgsync.api.problems import RESPONSES, Problem
from mfgsync.api.routes import hub_of
from mfgsync.api.schemas import IngestResult
from mfgsync.app import Hub
from mfgsync.config import ConfigError
from mfgsync.envelope import SOURCE_PATTERN
from mfgsync.pipeline.clock import iso
from mfgsync.pipeline.intake import Intake
from mfgsync.store.port import AuditEntry, transact

router = APIRouter(prefix="/api/v1", tags=["ingestion"], responses=RESPONSES)
Source = Path(pattern=rf"^{SOURCE_PATTERN}$", description="the sending system, as configured")
_ONE = {"requestBody": {"required": True, "description": "one CloudEvents envelope (or any text: "
                        "what is not a valid message is quarantined with its reason)",
                        "content": {"application/json": {"schema": {"type": "object"}}}}}
_MANY = {"requestBody": {"required": True, "description": "a JSON array of envelopes, or JSON lines",
                         "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                                     "application/x-ndjson": {"schema": {"type": "string"}}}}}


def _intake_as(hub: Hub, principal: Principal) -> Intake:
    """The hub's pipeline, its audit entries naming the key that sent the messages."""
    return Intake(hub.store, hub.settings, hub.clock, f"key:{principal.name}", hub.intake.routes)


async def _ingest(request: Request, principal: Principal, source: str | None, messages: Iterable) -> IngestResult:
    hub = hub_of(request)
    report = await run_in_threadpool(lambda: _intake_as(hub, principal).ingest(list(messages), source=source))
    return IngestResult(**report.to_json())


@router.post("/ingest/{source}", response_model=IngestResult, openapi_extra=_ONE,
             summary="Ingest one message from a source")
async def ingest_one(request: Request, source: str = Source,
                     principal: Principal = Depends(sender)) -> IngestResult:
    return await _ingest(request, principal, source, [await request.body()])


@router.post("/ingest/{source}/batch", response_model=IngestResult, openapi_extra=_MANY,
             summary="Ingest a batch of messages from a source, in one pass of the pipeline")
async def ingest_batch(request: Request, source: str = Source,
                       principal: Principal = Depends(sender)) -> IngestResult:
    text = (await request.body()).decode("utf-8", errors="replace")
    return await _ingest(request, principal, source, messages_in_text(text))


@router.post("/batch", response_model=IngestResult, openapi_extra=_MANY,
             summary="A batch from any sources, each message keeping its own source (admin keys: an "
             "integration platform's, as `mfgsync ingest` without --source)")
async def ingest_mixed(request: Request, principal: Principal = Depends(admin)) -> IngestResult:
    text = (await request.body()).decode("utf-8", errors="replace")
    return await _ingest(request, principal, None, messages_in_text(text))


@router.post("/webhooks/{source}", response_model=IngestResult, openapi_extra=_ONE,
             summary="A source's signed webhook: one message, checked by HMAC-SHA256 and timestamp")
async def webhook(request: Request, source: str = Source,
                  principal: Principal = Depends(sender)) -> IngestResult:
    return await _ingest(request, principal, source, [await signed_body(request, source, principal)])


async def signed_body(request: Request, source: str, principal: Principal) -> bytes:
    """The body of a source's webhook call, once its signature checks out; refused and audited
    otherwise (a source without a configured secret has no webhook)."""
    hub = hub_of(request)
    body = await request.body()
    system = hub.settings.systems.get(source)
    try:
        secret = system.secret() if system else None
    except ConfigError:
        secret = None
    if not secret:
        raise Problem(404, "NOT_FOUND", f"source {source} has no webhook: configure its secret_env")
    problem = webhooks.check_for(source)(secret, request.headers, body, hub.clock())
    if problem:
        await run_in_threadpool(_audit_refusal, hub, principal, source, problem)
        raise Problem(401, "SIGNATURE_INVALID", f"webhook from {source} refused: {problem}")
    return body


def _audit_refusal(hub: Hub, principal: Principal, source: str, problem: str) -> None:
    entry = AuditEntry(f"key:{principal.name}", "webhook.refused", f"webhook:{source}",
                       {"role": principal.role, "reason": problem})
    transact(hub.store, lambda uow: uow.audit([entry], iso(hub.clock())))
