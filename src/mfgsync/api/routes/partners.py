"""Trading partners over HTTP: an EDI interchange posted by a partner (or its VAN), and a
procurement platform's signed webhook call — received exactly as a dropped file or a call is
(pipeline/edi_receipt.py, pipeline/supplier_webhooks.py): the interchange judged first and
answered with the hub's 997/CONTRL, its documents after it; a call refused, and audited, unless
it is signed with the partner's secret over this very body within its window."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from mfgsync import formats
from mfgsync.api.auth import sender
from mfgsync.api.keys import Principal
from mfgsync.api.problems import RESPONSES, Problem
from mfgsync.api.routes import hub_of
from mfgsync.api.routes.ingest import Source, _intake_as
from mfgsync.api.schemas import IngestResult
from mfgsync.config import ConfigError, System
from mfgsync.pipeline.edi_receipt import receive_text
from mfgsync.pipeline.supplier_webhooks import receive_call

router = APIRouter(prefix="/api/v1/partners", tags=["suppliers"], responses=RESPONSES)
_INTERCHANGE = {"requestBody": {"required": True, "description": "one X12 or EDIFACT file as the partner sends it",
                                "content": {"application/edi-x12": {"schema": {"type": "string"}},
                                            "application/edifact": {"schema": {"type": "string"}},
                                            "text/plain": {"schema": {"type": "string"}}}}}
_CALL = {"requestBody": {"required": True, "description": "one event {id, type, data} or {events: [...]}, "
                         "signed in X-Mfgsync-Timestamp and X-Mfgsync-Signature",
                         "content": {"application/json": {"schema": {"type": "object"}}}}}


def _partner(request: Request, source: str, kinds: tuple[str, ...]) -> System:
    system = hub_of(request).settings.systems.get(source)
    if system is None or not system.is_partner() or system.kind not in kinds:
        raise Problem(404, "NOT_FOUND", f"{source} is not a trading partner on {' or '.join(kinds)}")
    return system


@router.post("/{source}/interchanges", response_model=IngestResult, openapi_extra=_INTERCHANGE,
             summary="A partner's EDI interchange: acknowledged with the hub's 997/CONTRL, its documents applied")
async def interchange(request: Request, source: str = Source,
                      principal: Principal = Depends(sender)) -> IngestResult:
    partner = _partner(request, source, ("x12", "edifact"))
    hub = hub_of(request)
    text = formats.decode(await request.body())
    report = await run_in_threadpool(lambda: receive_text(_intake_as(hub, principal), hub.store, text, partner,
                                                          f"{source} interchange"))
    return IngestResult(**report.to_json())


@router.post("/{source}/events", response_model=IngestResult, openapi_extra=_CALL,
             summary="A procurement platform's signed call: acknowledgements, ship notices, invoices")
async def events(request: Request, source: str = Source, principal: Principal = Depends(sender)) -> IngestResult:
    partner = _partner(request, source, ("webhook",))
    try:
        partner.secret()
    except ConfigError:
        raise Problem(404, "NOT_FOUND", f"partner {source} has no signing secret in its environment") from None
    hub = hub_of(request)
    body = await request.body()
    outcome = await run_in_threadpool(lambda: receive_call(_intake_as(hub, principal), hub.store, partner,
                                                           dict(request.headers), body))
    if not outcome.accepted:
        status = 422 if outcome.code in ("MALFORMED_JSON", "INVALID_FIELD") else 401
        raise Problem(status, outcome.code, f"call from {source} refused: {outcome.message}")
    return IngestResult(**outcome.report.to_json())
