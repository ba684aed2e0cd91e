"""Tryton's JSON-RPC over HTTP: a logged-in session, model calls, and failures classified.

One POST per call to `<url>/<database>/rpc/` with `{"id", "method", "params"}`; the answer is
`{"id", "result"}` or `{"id", "error": [kind, args]}`. A session comes from `common.db.login`
and travels as `Authorization: Session base64(user:uid:session)`; Tryton answers 401 once it has
expired, and the session logs in again and repeats the call once. Every model call carries the
user's preferences as its context (the company among them), as Tryton's own client does.

Decimals, dates and datetimes travel as `{"__class__": "Decimal", "decimal": "2.5"}` and alike.

Classification, where the failure is seen: no connection, a timeout, HTTP 429 or 5xx, a
concurrent write or an unexpected server exception → TransientError; a UserError or
UserWarning (Tryton's validation), a refused login, 403 or 404 → PermanentError with Tryton's
message, truncated (validation messages can run to tens of kilobytes).
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
from decimal import Decimal
from typing import Any

import httpx

from mfgsync.connectors.base import PermanentError, TransientError

MESSAGE_LIMIT = 500
PERMANENT_KINDS = {"UserError", "UserWarning", "LoginException"}


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, dt.datetime):
        return {"__class__": "datetime", "year": value.year, "month": value.month, "day": value.day,
                "hour": value.hour, "minute": value.minute, "second": value.second,
                "microsecond": value.microsecond}
    if isinstance(value, dt.date):
        return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
    raise TypeError(f"{type(value).__name__} cannot travel to Tryton")


def _decode(document: dict[str, Any]) -> Any:
    match document.get("__class__"):
        case "Decimal": return Decimal(document["decimal"])
        case "date": return dt.date(document["year"], document["month"], document["day"])
        case "datetime": return dt.datetime(document["year"], document["month"], document["day"],
                                            document["hour"], document["minute"], document["second"],
                                            document["microsecond"])
    return document


def truncated(text: str, limit: int = MESSAGE_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


def _error_from(error: list[Any], method: str) -> Exception:
    """The hub's failure for Tryton's `error` member: [kind, args] for Tryton's own exceptions,
    [message, traceback] for any other exception raised on the server."""
    kind, args = error[0], error[1] if len(error) > 1 else []
    if kind in PERMANENT_KINDS:
        parts = args[1:3] if kind == "UserWarning" else args[:2]
        message = " ".join(str(part) for part in parts if part and isinstance(part, str))
        return PermanentError(truncated(f"Tryton {kind} on {method}: {message}"))
    if kind == "ConcurrencyException":
        return TransientError(truncated(f"Tryton ConcurrencyException on {method}"))
    return TransientError(truncated(f"Tryton server error on {method}: {kind}"))


class TrytonSession:
    def __init__(self, url: str, database: str, user: str, password: str, timeout: float = 10.0,
                 client: httpx.Client | None = None):
        self.endpoint = f"{url.rstrip('/')}/{database}/rpc/"
        self.user = user
        self._password = password
        self._client = client or httpx.Client(timeout=timeout)
        self._ids = itertools.count(1)
        self._authorization: str | None = None
        self._context: dict[str, Any] | None = None

    def model(self, model: str, method: str, *params: Any, context: dict[str, Any] | None = None) -> Any:
        """`model.<model>.<method>(*params, context)`, logged in as needed; `context` adds keys to
        the user's (a stock quantity's `locations`, say)."""
        if self._authorization is None:
            self.login()
        name = f"model.{model}.{method}"
        try:
            return self._post(name, [*params, {**self._context, **(context or {})}])
        except SessionExpired:
            self.login()
            return self._post(name, [*params, {**self._context, **(context or {})}])

    def preference(self, name: str) -> Any:
        """One of the logged-in user's preferences (the company, say)."""
        if self._authorization is None:
            self.login()
        return (self._context or {}).get(name)

    def login(self) -> None:
        self._authorization = None
        try:
            uid, session = self._post("common.db.login", [self.user, {"password": self._password}, "en"])[:2]
        except SessionExpired:
            raise PermanentError(f"Tryton refused the login of {self.user!r} at {self.endpoint}") from None
        token = base64.b64encode(f"{self.user}:{uid}:{session}".encode()).decode()
        self._authorization = f"Session {token}"
        preferences = self._post("model.res.user.get_preferences", [True, {}])
        # The locale is for display; the rest (company, language) is what model calls need.
        self._context = {key: value for key, value in preferences.items() if key != "locale"}

    def _post(self, method: str, params: list[Any]) -> Any:
        body = json.dumps({"id": next(self._ids), "method": method, "params": params}, default=_encode)
        headers = {"Content-Type": "application/json"}
        if self._authorization:
            headers["Authorization"] = self._authorization
        try:
            response = self._client.post(self.endpoint, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise TransientError(f"{type(exc).__name__} calling {method} at {self.endpoint}") from None
        self._raise_for_status(response, method)
        answer = json.loads(response.text, object_hook=_decode)
        if answer.get("error"):
            raise _error_from(answer["error"], method)
        return answer.get("result")

    def _raise_for_status(self, response: httpx.Response, method: str) -> None:
        status = response.status_code
        if status == 200:
            return
        if status == 401:
            raise SessionExpired()
        if status == 429 or status >= 500:
            raise TransientError(f"HTTP {status} from Tryton calling {method}")
        raise PermanentError(truncated(f"HTTP {status} from Tryton calling {method} at {self.endpoint}: "
                                       f"{response.text.strip()}"))

    def close(self) -> None:
        self._client.close()


class SessionExpired(Exception):
    """Tryton's 401: the session (or, at login, the credentials) is not accepted."""
