"""An API over a real hub (SQLite and PostgreSQL), with a key for every role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from mfgsync.api.keys import ApiKeys
from mfgsync.api.server import create_app
from mfgsync.pipeline.exception_queue import ROLES

from tests.conftest import FakeClock

# Real argon2, at the library's lowest recommended cost, so that tests creating keys stay quick.
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
CONFIG = """
systems:
  plm: {kind: source, secret_env: MFGSYNC_TEST_PLM_SECRET}
approval_required: [po.created]
"""
PLM_SECRET = "plm-webhook-secret-for-tests"


@dataclass
class Api:
    hub: object
    client: TestClient
    keys: dict[str, str]  # role (or source:NAME, "revoked", "other_admin") -> key text
    clock: FakeClock

    def as_(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}


def make_api(hub, clock, **limits) -> Api:
    store = ApiKeys(hub.store, clock, TEST_HASHER)
    keys = {role: store.create(f"{role.replace('_', '-')}-key", role, "test") for role in ROLES}
    keys["source:plm"] = store.create("plm-system", "source:plm", "test")
    keys["source:mes"] = store.create("mes-system", "source:mes", "test")
    keys["other_admin"] = store.create("second-admin", "admin", "test")
    keys["revoked"] = store.create("gone", "admin", "test")
    store.revoke("gone", "test")
    client = TestClient(create_app(hub, keys=store, **limits), raise_server_exceptions=False)
    return Api(hub, client, keys, clock)


@pytest.fixture
def api(make_hub, monkeypatch) -> Api:
    monkeypatch.setenv("MFGSYNC_TEST_PLM_SECRET", PLM_SECRET)
    clock = FakeClock()
    return make_api(make_hub(CONFIG, clock=clock), clock)
