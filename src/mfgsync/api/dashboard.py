"""The dashboard: server-rendered pages (Jinja2, htmx for the live parts) served beside the API.

Signing in posts an API key once; it is kept in an HttpOnly, SameSite=Strict cookie and checked
on every page exactly as a bearer key is (api/auth.py), so a revoked key signs its pages out.
A page asked for without a valid key answers 401 with the sign-in form. Every form that changes
something carries a token bound to the key (CSRF), and the pages' Content-Security-Policy lets
only the hub's own script and style files run.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import Depends, FastAPI, Path as PathParam, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from mfgsync import queries
from mfgsync.api import views
from mfgsync.api.auth import check_key
from mfgsync.api.keys import Principal
from mfgsync.api.problems import Problem
from mfgsync.api.routes.exceptions import older_than, owned
from mfgsync.api.status import status as hub_status
from mfgsync.pipeline.clock import iso
from mfgsync.pipeline.exception_queue import Actor, ExceptionError, NotPermitted
from mfgsync.store.port import AuditEntry, transact

COOKIE = "mfgsync_key"
# The sign-in form is served before any key, so it cannot load the style sheet (a page like any
# other, behind the key): its few rules are inline, allowed by their hash alone.
SIGN_IN_STYLE = ("body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d232b;background:#fafbfc}"
                 ".signin{max-width:32em;margin:3em auto;display:grid;gap:.6em;padding:0 1em}"
                 ".signin form{display:grid;gap:.5em}input,button{font:inherit;padding:.4em .6em}"
                 "header{padding:.6em 1.2em;background:#fff;border-bottom:1px solid #dde2e8;font-weight:700}"
                 ".skip{position:absolute;left:-999px}.muted{color:#667}")
_STYLE_HASH = base64.b64encode(hashlib.sha256(SIGN_IN_STYLE.encode()).digest()).decode()
POLICY = (f"default-src 'none'; script-src 'self'; style-src 'self' 'sha256-{_STYLE_HASH}'; img-src 'self'; "
          "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HERE = Path(str(resources.files("mfgsync.api")))
STATIC = {"htmx.min.js": "text/javascript", "dashboard.css": "text/css", "htmx.LICENSE": "text/plain"}
ExceptionId = PathParam(ge=1, le=2**31 - 1)  # the store keeps 32-bit ids
_templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))


class SignInNeeded(Exception):
    def __init__(self, message: str, status: int = 401):
        self.message, self.status = message, status


def _csrf(request: Request, key: str) -> str:
    return hmac.new(request.app.state.csrf_secret, key.encode(), hashlib.sha256).hexdigest()[:32]


def viewer(request: Request) -> Principal:
    """The signed-in person, from the sign-in cookie."""
    key = request.cookies.get(COOKIE)
    try:
        principal = check_key(request, key)
    except Problem as problem:
        if problem.status == 429:
            raise
        raise SignInNeeded("Your key is no longer valid: sign in again." if key else "Sign in with your API key.")
    if principal.source is not None:
        raise SignInNeeded("A source system's key cannot sign in to the dashboard.", 403)
    request.state.csrf = _csrf(request, key)
    return principal


async def _form(request: Request) -> dict[str, str]:
    fields = parse_qs((await request.body()).decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


def _checked(request: Request, form: dict[str, str]) -> None:
    if not hmac.compare_digest(form.get("csrf", ""), request.state.csrf):
        raise Problem(403, "NOT_PERMITTED", "the form's token does not match your sign-in: reload the page")


def page(request: Request, template: str, principal: Principal | None, http_status: int = 200,
         **values) -> HTMLResponse:
    body = _templates.get_template(template).render(request=request, principal=principal, sign_in_style=SIGN_IN_STYLE,
                                                    csrf=getattr(request.state, "csrf", ""), **values)
    return HTMLResponse(body, status_code=http_status, headers=_headers())


def _headers() -> dict[str, str]:
    return {"Content-Security-Policy": POLICY, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store"}


def install(app: FastAPI) -> None:
    app.state.csrf_secret = secrets.token_bytes(32)
    app.state.samples = views.Samples()

    @app.exception_handler(SignInNeeded)
    async def _sign_in(request: Request, exc: SignInNeeded) -> HTMLResponse:
        response = page(request, "signin.html", None, exc.status, message=exc.message)
        if request.headers.get("hx-request"):
            response.headers["HX-Refresh"] = "true"  # a live fragment whose key expired: show the form
        return response

    for route in _ROUTES:
        path, method, endpoint = route
        app.add_api_route(path, endpoint, methods=[method], include_in_schema=False)


async def sign_in(request: Request) -> Response:
    key = (await _form(request)).get("key", "").strip()
    try:
        principal = check_key(request, key)
    except Problem as problem:
        if problem.status == 429:
            raise
        await _audit_sign_in(request, "anonymous", "dashboard.sign_in_refused", {"reason": "key not valid"})
        return page(request, "signin.html", None, 401, message="That key is not valid (wrong, or revoked).")
    if principal.source is not None:
        await _audit_sign_in(request, f"key:{principal.name}", "dashboard.sign_in_refused",
                             {"reason": "a source system's key", "role": principal.role})
        return page(request, "signin.html", None, 403, message="A source system's key cannot sign in.")
    await _audit_sign_in(request, f"key:{principal.name}", "dashboard.signed_in", {"role": principal.role})
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, key, httponly=True, samesite="strict", secure=request.url.scheme == "https",
                        path="/")
    return response


async def _audit_sign_in(request: Request, actor: str, action: str, detail: dict[str, Any]) -> None:
    """Who signed in or was refused, by key name and the client's address; never the key itself."""
    hub = request.app.state.hub
    entry = AuditEntry(actor, action, "dashboard", {**detail, "client": request.client.host if request.client else None})
    await run_in_threadpool(transact, hub.store, lambda uow: uow.audit([entry], iso(hub.clock())))


async def sign_out(request: Request, principal: Principal = Depends(viewer)) -> Response:
    _checked(request, await _form(request))
    await _audit_sign_in(request, f"key:{principal.name}", "dashboard.signed_out", {"role": principal.role})
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


async def overview(request: Request, principal: Principal = Depends(viewer)) -> HTMLResponse:
    return page(request, "overview.html", principal, **await _figures(request))


async def kpi_fragment(request: Request, principal: Principal = Depends(viewer)) -> HTMLResponse:
    return page(request, "_kpis.html", principal, **await _figures(request))


async def _figures(request: Request) -> dict[str, Any]:
    hub = request.app.state.hub
    document = await run_in_threadpool(hub_status, hub)
    samples: views.Samples = request.app.state.samples
    samples.add(hub.clock(), document["kpis"])
    return {"status": document, "charts": samples.charts(), "aging": views.aging(document["kpis"])}


# The queue's age filter: first seen at least this long ago (the API takes any number of seconds).
AGE_FILTERS = {"1h": ("older than an hour", 3600), "1d": ("older than a day", 86_400),
               "7d": ("older than a week", 7 * 86_400)}


async def exception_queue(request: Request, principal: Principal = Depends(viewer)) -> HTMLResponse:
    hub = request.app.state.hub
    role = None if principal.role == "admin" else principal.role
    code = request.query_params.get("code", "").strip()[:64] or None
    age = request.query_params.get("age", "")
    age = age if age in AGE_FILTERS else ""
    rows = await run_in_threadpool(lambda: hub.exceptions.list("open", role=role, code=code, limit=200))
    if age:
        rows = older_than(rows, AGE_FILTERS[age][1], hub.clock())
    return page(request, "exceptions.html", principal, rows=rows, done=request.query_params.get("done"),
                code=code or "", age=age, ages=AGE_FILTERS)



async def exception_detail(request: Request, exception_id: int = ExceptionId,
                           principal: Principal = Depends(viewer)) -> HTMLResponse:
    row = await run_in_threadpool(owned, request, exception_id, principal)
    payload = row["payload"] or ""
    try:
        payload = json.dumps(json.loads(payload), indent=2, ensure_ascii=False)
    except ValueError:
        pass  # not JSON: shown as it came
    return page(request, "exception.html", principal, x=row, payload=payload, error=request.query_params.get("error"))


async def exception_action(request: Request, action: str, exception_id: int = ExceptionId,
                           principal: Principal = Depends(viewer)) -> Response:
    form = await _form(request)
    _checked(request, form)
    row = await run_in_threadpool(owned, request, exception_id, principal)
    queue, actor = request.app.state.hub.exceptions, Actor(principal.name, principal.role)
    try:
        if action == "resolve":
            outcome = await run_in_threadpool(queue.resolve, exception_id, actor, form.get("note", "")[:500])
        elif action == "replay":
            outcome = await run_in_threadpool(queue.replay, exception_id, actor,
                                              _correction(form.get("payload"), row["payload"]))
        elif action == "approve":
            outcome = await run_in_threadpool(queue.approve, exception_id, actor)
        else:
            raise Problem(404, "ROUTE_UNKNOWN", f"no action {action!r}")
    except (NotPermitted, ExceptionError) as exc:
        return RedirectResponse(f"/exceptions/{exception_id}?error={quote(str(exc)[:300])}", status_code=303)
    if outcome.status == "open":  # the replay failed its rules again: stay on it, saying why
        return RedirectResponse(f"/exceptions/{exception_id}?error={quote(outcome.detail[:300])}", status_code=303)
    done = f"Exception {outcome.id}: {outcome.status} ({outcome.detail})"
    return RedirectResponse(f"/exceptions?done={quote(done)}", status_code=303)


def _correction(text: str | None, original: str | None) -> dict | None:
    """The edited payload: the whole envelope or its data, as the queue takes it; none, or the
    original left as it was, replays the original (after reference data was fixed, say)."""
    if not text or not text.strip():
        return None
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise ExceptionError(f"the edited payload is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise ExceptionError("the edited payload must be a JSON object")
    try:
        unchanged = document == json.loads(original or "")
    except ValueError:
        unchanged = False
    return None if unchanged else document


async def lineage_page(request: Request, principal: Principal = Depends(viewer)) -> HTMLResponse:
    correlation = request.query_params.get("id", "").strip()[:200]
    nodes = []
    if correlation:
        nodes = (await run_in_threadpool(queries.lineage, request.app.state.hub.store, correlation))["nodes"]
    return page(request, "lineage.html", principal, correlation=correlation, steps=views.timeline(nodes))


async def eco_matrix(request: Request, principal: Principal = Depends(viewer)) -> HTMLResponse:
    matrix = await run_in_threadpool(views.eco_matrix, request.app.state.hub.store)
    return page(request, "ecos.html", principal, **matrix)


async def reconciliation_runs(request: Request, principal: Principal = Depends(viewer)) -> HTMLResponse:
    runs = await run_in_threadpool(views.reconciliation_runs, request.app.state.hub.store)
    return page(request, "reconciliations.html", principal, runs=runs)


async def static_file(name: str, principal: Principal = Depends(viewer)) -> Response:
    if name not in STATIC:
        raise Problem(404, "NOT_FOUND", f"no static file {name!r}")
    return FileResponse(HERE / "static" / name, media_type=STATIC[name],
                        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"})


_ROUTES = [
    ("/signin", "POST", sign_in), ("/signout", "POST", sign_out), ("/", "GET", overview),
    ("/dashboard/kpis", "GET", kpi_fragment), ("/exceptions", "GET", exception_queue),
    ("/exceptions/{exception_id}", "GET", exception_detail),
    ("/exceptions/{exception_id}/{action}", "POST", exception_action),
    ("/lineage", "GET", lineage_page), ("/ecos", "GET", eco_matrix), ("/reconciliations", "GET", reconciliation_runs),
    ("/static/{name}", "GET", static_file),
]
