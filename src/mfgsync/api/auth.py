"""Who may call what: the bearer key, its role, its rate, and the size of what it sends.

Every route but `/health` depends on `authenticated` (a bearer key; the dashboard's pages take
the same key from their sign-in cookie, see dashboard.py). A person's role reads and acts on
what that role owns (admin: everything); a source system's key (`source:NAME`) may only send
to its own ingestion and webhook routes. The key's text is never logged or echoed.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mfgsync.api.keys import ApiKeys, Principal
from mfgsync.api.problems import Problem, response

BEARER = HTTPBearer(auto_error=False, description="an API key from `mfgsync keys create`")


class RateLimiter:
    """A token bucket per key: `rate` requests a second on average, bursts of up to `burst`."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key name -> (tokens, when counted)
        self._lock = threading.Lock()

    def wait_for(self, name: str) -> float:
        """0 when the request may go ahead (its token taken); else the seconds until it may."""
        with self._lock:
            now = self.clock()
            tokens, then = self._buckets.get(name, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            if tokens >= 1:
                self._buckets[name] = (tokens - 1, now)
                return 0.0
            self._buckets[name] = (tokens, now)
            return (1 - tokens) / self.rate


def check_key(request: Request, text: str | None) -> Principal:
    """The principal of a valid key within its rate; a problem (401 or 429) otherwise."""
    if not text:
        raise Problem(401, "UNAUTHENTICATED", "this route needs an API key: `Authorization: Bearer KEY`",
                      {"WWW-Authenticate": "Bearer"})
    keys: ApiKeys = request.app.state.keys
    principal = keys.authenticate(text)
    if principal is None:
        raise Problem(401, "UNAUTHENTICATED", "the API key is not valid (wrong, or revoked)",
                      {"WWW-Authenticate": 'Bearer error="invalid_token"'})
    wait = request.app.state.limiter.wait_for(principal.name)
    if wait:
        raise Problem(429, "RATE_LIMITED", f"key {principal.name} is over its rate of "
                      f"{request.app.state.limiter.rate:g} requests a second", {"Retry-After": str(math.ceil(wait))})
    request.state.principal = principal
    return principal


def authenticated(request: Request,
                  credentials: HTTPAuthorizationCredentials | None = Depends(BEARER)) -> Principal:
    return check_key(request, credentials.credentials if credentials else None)


def person(principal: Principal = Depends(authenticated)) -> Principal:
    """Any person's key (a source system's key reads nothing)."""
    if principal.source is not None:
        raise Problem(403, "NOT_PERMITTED", f"key {principal.name} belongs to source system {principal.source}: "
                      "it may only send to its own ingestion and webhook routes")
    return principal


def sender(source: str, principal: Principal = Depends(authenticated)) -> Principal:
    """The source's own key, or an admin's, for that source's ingestion and webhook routes."""
    if principal.role != "admin" and principal.source != source:
        raise Problem(403, "NOT_PERMITTED", f"key {principal.name} ({principal.role}) may not send as {source}")
    return principal


def admin(principal: Principal = Depends(authenticated)) -> Principal:
    if principal.role != "admin":
        raise Problem(403, "NOT_PERMITTED", f"key {principal.name} ({principal.role}): this route is for admin")
    return principal


class BodyLimit:
    """Refuses a request body over `max_bytes` (413) — by its Content-Length before anything is
    read, and while a body without one streams in — so an oversized request never fills memory."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            return await self._refuse(scope, receive, send)
        received = 0

        async def limited():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise Problem(413, "PAYLOAD_TOO_LARGE", f"the request body is over {self.max_bytes} bytes")
            return message
        await self.app(scope, limited, send)

    async def _refuse(self, scope, receive, send):
        await response(413, "PAYLOAD_TOO_LARGE", f"the request body is over {self.max_bytes} bytes")(scope, receive,
                                                                                                      send)
