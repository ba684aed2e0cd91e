"""Shared fixtures: hubs on SQLite and PostgreSQL, and the rule that CI needs real services."""

from __future__ import annotations

import os
import socket
import time
import uuid
from typing import Callable, Iterator

import pytest
from hypothesis import settings as hypothesis_settings

from mfgsync.app import Hub, build_hub
from mfgsync.config import parse_settings

REQUIRE_SERVICES = os.environ.get("MFGSYNC_REQUIRE_SERVICES") == "1"

# Locally every run explores new examples; CI replays a fixed set, so a landing never depends
# on luck (what local runs find becomes a regular test).
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")
PG_ADMIN_URL = os.environ.get("MFGSYNC_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# The slowest scenarios (crashes, many processes, the 50,000-event burst, browsers) run in CI,
# or wherever MFGSYNC_RUN_SLOW=1 asks for them; a plain `make test` stays within minutes.
RUN_SLOW = REQUIRE_SERVICES or os.environ.get("MFGSYNC_RUN_SLOW") == "1"


def pytest_collection_modifyitems(config, items) -> None:
    if RUN_SLOW:
        return
    later = pytest.mark.skip(reason="a slow scenario: it runs in CI, or here with MFGSYNC_RUN_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(later)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def need_service(name: str, host: str, port: int) -> None:
    """Skip when the service is down — or fail, where CI requires every service."""
    if reachable(host, port):
        return
    message = f"{name} is not reachable on {host}:{port}"
    if REQUIRE_SERVICES:
        pytest.fail(message + " (MFGSYNC_REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    need_service("PostgreSQL", "127.0.0.1", 5432)
    import psycopg

    name = f"mfgsync_test_{uuid.uuid4().hex[:12]}"
    admin = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """Each store test runs on the embedded SQLite store and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/hub.db"
    return request.getfixturevalue("postgres_url")


class FakeClock:
    """A clock tests move by hand (epoch seconds)."""

    def __init__(self, start: float | None = None):
        # By default the real time: file adapters stamp what they read with it, and every test
        # message's own time is in the past.
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def make_hub(database_url) -> Iterator[Callable[..., Hub]]:
    """Hubs for scenario tests; every scenario runs on SQLite and on PostgreSQL."""
    hubs: list[Hub] = []

    def factory(config: str = "", url: str | None = None, connectors=None, clock=None) -> Hub:
        hub = build_hub(parse_settings(config or "{}"), url or database_url, connectors,
                        clock or FakeClock())
        hubs.append(hub)
        return hub

    yield factory
    for hub in hubs:
        hub.close()
