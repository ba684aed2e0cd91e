"""Every route but /health refuses a request without a key, with a wrong key, with a revoked
key, and with a key of the wrong role — 401 or 403, never a server error."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute

from mfgsync.api.server import create_app

from tests.support.messages import bom, envelope

OPEN = {"/health"}
SAMPLE = {"source": "plm", "entity_type": "item", "key": "PMP-100", "exception_id": "1", "eco_id": "ECO-42",
          "correlation_id": "ECO-42", "action": "resolve", "name": "htmx.min.js", "lot_id": "LOT-1",
          "item_id": "PMP-100"}
# Who is of the wrong role for a route: a source system's key for what people read and do; a
# person (or another source) for a source's own ingestion; nobody for routes any key may use.
ANY_KEY = {"/ready", "/openapi.json", "/metrics"}  # a scraper's key may be any role


def routes(app) -> list[tuple[str, str]]:
    """Every (method, path) the app serves: the OpenAPI document's and those kept out of it."""
    found = [(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item]
    for route in app.routes:
        if isinstance(route, APIRoute) and not route.include_in_schema:
            found += [(method, route.path) for method in sorted(route.methods - {"HEAD"})]
    return found


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: SAMPLE[m.group(1)], path)


def call(api, method: str, path: str, headers=None, cookie: str | None = None):
    api.client.cookies.clear()
    if cookie:
        api.client.cookies.set("mfgsync_key", cookie)
    # Signing in takes the key from its form; every other route from the header or the cookie.
    body = f"key={quote(cookie or '')}".encode() if path == "/signin" else b"{}"
    return api.client.request(method, concrete(path), headers=headers or {}, content=body)


def wrong_role(path: str) -> str | None:
    if path in ANY_KEY:
        return None
    if "{source}" in path:  # a source's own ingestion and webhook routes
        return "planner"
    return "source:plm"


@pytest.fixture
def guarded(api):
    """Every route of the app but the open ones, with an engineering exception numbered 1."""
    api.hub.intake.ingest([envelope("bom.released", bom("PMP-100", "A", {"GHOST": 1}))])
    found = [(m, p) for m, p in routes(api.client.app) if p not in OPEN]
    assert len(found) >= 20, found  # the API and the dashboard, not a few routes by accident
    return found


def test_every_route_without_a_key_is_refused_with_401(api, guarded):
    for method, path in guarded:
        response = call(api, method, path)
        assert response.status_code == 401, (method, path, response.status_code)


def test_every_route_with_a_wrong_key_is_refused_with_401(api, guarded):
    wrong = "mfgsync.admin-key.not-the-secret"
    for method, path in guarded:
        for response in (call(api, method, path, {"Authorization": f"Bearer {wrong}"}),
                         call(api, method, path, cookie=wrong),
                         call(api, method, path, {"Authorization": "Bearer garbage"}),
                         call(api, method, path, {"Authorization": "Basic YWRtaW46YWRtaW4="})):
            assert response.status_code == 401, (method, path, response.status_code)


def test_every_route_with_a_revoked_key_is_refused_with_401(api, guarded):
    for method, path in guarded:
        response = call(api, method, path, api.as_("revoked"), cookie=api.keys["revoked"])
        assert response.status_code == 401, (method, path, response.status_code)


def test_every_route_with_a_key_of_the_wrong_role_is_refused_with_403(api, guarded):
    checked = 0
    for method, path in guarded:
        role = wrong_role(path)
        if role is None:
            continue
        response = call(api, method, path, api.as_(role), cookie=api.keys[role])
        assert response.status_code == 403, (method, path, role, response.status_code)
        checked += 1
    assert checked >= len(guarded) - len(ANY_KEY)


def test_a_source_key_may_send_only_as_its_own_source(api):
    for path in ("/api/v1/ingest/mes", "/api/v1/ingest/mes/batch", "/api/v1/webhooks/mes"):
        assert api.client.post(path, headers=api.as_("source:plm"), content=b"{}").status_code == 403
    assert api.client.post("/api/v1/ingest/plm", headers=api.as_("source:plm"), content=b"{}").status_code == 200


def test_a_planner_key_cannot_resolve_an_engineering_exception(api, guarded):
    response = api.client.post("/api/v1/exceptions/1/resolve", headers=api.as_("planner"), json={"note": "mine now"})
    assert response.status_code == 403 and response.json()["code"] == "NOT_PERMITTED"
    assert api.hub.exceptions.get(1)["status"] == "open"


def test_refusals_are_problem_documents_with_reason_codes(api):
    missing = api.client.get("/api/v1/kpis")
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json() == {"type": "urn:mfgsync:reason:UNAUTHENTICATED", "title": "Unauthorized", "status": 401,
                              "detail": "this route needs an API key: `Authorization: Bearer KEY`",
                              "code": "UNAUTHENTICATED"}
    assert missing.headers["www-authenticate"] == "Bearer"
    unknown = api.client.get("/api/v1/entities/item/NO-SUCH", headers=api.as_("engineering"))
    assert (unknown.status_code, unknown.json()["code"]) == (404, "NOT_FOUND")


def test_health_stays_open_and_says_nothing_secret(api):
    response = api.client.get("/health")
    assert response.status_code == 200 and set(response.json()) == {"status", "store"}


def test_the_key_never_appears_in_the_log(api, caplog):
    caplog.set_level("DEBUG")
    for who in ("admin", "revoked"):
        api.client.get("/api/v1/kpis", headers=api.as_(who))
        api.client.get("/", headers={"Cookie": f"mfgsync_key={api.keys[who]}"})
    secrets = [api.keys[w].rsplit(".", 1)[1] for w in ("admin", "revoked")]
    assert not any(secret in caplog.text for secret in secrets)


def test_create_app_builds_an_app_that_knows_no_key_until_one_is_made(make_hub):
    from fastapi.testclient import TestClient
    client = TestClient(create_app(make_hub()))
    assert client.get("/api/v1/kpis", headers={"Authorization": "Bearer mfgsync.x.y"}).status_code == 401


def test_ready_checks_the_store_and_each_configured_broker(api, monkeypatch):
    from tests.conftest import need_service
    for variable in ("MFGSYNC_NATS_URL", "MFGSYNC_MQTT_URL"):
        monkeypatch.delenv(variable, raising=False)
    assert api.client.get("/ready", headers=api.as_("planner")).json()["checks"] == {"store": "ok"}
    need_service("Mosquitto", "127.0.0.1", 1883)
    monkeypatch.setenv("MFGSYNC_MQTT_URL", "mqtt://127.0.0.1:1883")
    assert api.client.get("/ready", headers=api.as_("planner")).json()["checks"]["mqtt"] == "ok"
    monkeypatch.setenv("MFGSYNC_NATS_URL", "nats://127.0.0.1:1")  # nothing listens there
    down = api.client.get("/ready", headers=api.as_("planner"))
    assert down.status_code == 503 and down.json()["status"] == "unavailable" and down.json()["checks"]["nats"] != "ok"
