"""A WMS's own records over its signed webhook: transactions and snapshots as the WMS sends
them, translated (adapters/wms.py) and ingested like any message from that source. The
signature is the source's webhook check (api/webhooks.py), refused before anything is read."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from mfgsync.adapters import wms
from mfgsync.api.auth import sender
from mfgsync.api.keys import Principal
from mfgsync.api.problems import RESPONSES
from mfgsync.api.routes import hub_of
from mfgsync.api.routes.ingest import Source, _intake_as, signed_body
from mfgsync.api.schemas import IngestResult

router = APIRouter(prefix="/api/v1", tags=["ingestion"], responses=RESPONSES)
_RECORDS = {"requestBody": {"required": True, "description": "one WMS record or a JSON array of them "
                            "(transactions and snapshots, see the README's warehouse section)",
                            "content": {"application/json": {"schema": {}}}}}


@router.post("/wms/{source}", response_model=IngestResult, openapi_extra=_RECORDS,
             summary="A WMS's signed webhook of its own transaction and snapshot records")
async def wms_records(request: Request, source: str = Source,
                      principal: Principal = Depends(sender)) -> IngestResult:
    hub = hub_of(request)
    messages = wms.envelopes(await signed_body(request, source, principal), source)
    report = await run_in_threadpool(lambda: _intake_as(hub, principal).ingest(messages, source=source))
    return IngestResult(**report.to_json())
