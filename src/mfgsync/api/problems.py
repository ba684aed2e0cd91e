"""Errors as RFC 9457 problem documents carrying the hub's reason codes.

Every refusal the API makes — a missing key, a wrong role, a bad request, an unknown entity, an
unexpected failure — answers `application/problem+json` with `type`, `title`, `status`,
`detail` and the reason `code` (rules/reasons.py). An unexpected failure says nothing about its
cause beyond its code: details stay in the server's log.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"


class ProblemDocument(BaseModel):
    """RFC 9457 members, plus the hub's reason code."""
    type: str
    title: str
    status: int
    detail: str
    code: str


class Problem(Exception):
    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status, self.code, self.detail, self.headers = status, code, detail, headers or {}


def document(status: int, code: str, detail: str) -> dict[str, Any]:
    return {"type": f"urn:mfgsync:reason:{code}", "title": HTTPStatus(status).phrase, "status": status,
            "detail": detail, "code": code}


def response(status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(document(status, code, detail), status_code=status, media_type=MEDIA_TYPE, headers=headers)


# Status codes Starlette raises itself (unknown route, wrong method), as reason codes.
_HTTP_CODES = {404: "ROUTE_UNKNOWN", 405: "ROUTE_UNKNOWN", 401: "UNAUTHENTICATED", 403: "NOT_PERMITTED",
               413: "PAYLOAD_TOO_LARGE"}

# What every route may answer besides its own document, for the OpenAPI document.
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ProblemDocument, "description": HTTPStatus(status).phrase,
             "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDocument"}}}}
    for status in (400, 401, 403, 404, 413, 422, 429)}


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return response(exc.status, exc.code, exc.detail, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return response(422, "INVALID_FIELD", f"{where}: {first.get('msg', 'invalid request')}"[:500])

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return response(exc.status_code, _HTTP_CODES.get(exc.status_code, "INVALID_FIELD"), str(exc.detail)[:500],
                        getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("request %s %s failed", request.method, request.url.path)
        return response(500, "INTERNAL_ERROR", "the hub failed to answer this request; it is logged")
