"""A WMS's own records over its signed webhook: transactions and snapshots as the WMS sends
them, translated (adapters/wms.py) and ingested like any message from that source. The
signature is the source's webhook check (api/webhooks.py), refused before anything is read."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from mfgsync.adapters import wms
from mfgsync.api import webhooks
from mfgsync.api.auth import sender
from mfgsync.api.keys import Principal
from mfgsync.api.problems import RESPONSES, Problem
from mfgsync.api.routes import hub_of
from mfgsync.api.routes.ingest import Source, _audit_refusal, _intake_as
from mfgsync.api.schemas import IngestResult
from mfgsync.config import ConfigError

router = APIRouter(prefix="/api/v1", tags=["ingestion"], responses=RESPONSES)
_RECORDS = {"requestBody": {"required": True, "description": "one WMS record or a JSON array of them "
                            "(transactions and snapshots, see the README's warehouse section)",
                            "content": {"application/json": {"schema": {}}}}}


@router.post("/wms/{source}", response_model=IngestResult, openapi_extra=_RECORDS,
             summary="A WMS's signed webhook of its own transaction and snapshot records")
async def wms_records(request: Request, source: str = Source,
                      principal: Principal = Depends(sender)) -> IngestResult:
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
    messages = wms.envelopes(body, source)
    report = await run_in_threadpool(lambda: _intake_as(hub, principal).ingest(messages, source=source))
    return IngestResult(**report.to_json())
