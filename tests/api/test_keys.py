"""`mfgsync keys`: a key is printed once, stored only as its argon2 hash with its role, listed
without it, and revoked by a new version of its entity — after which it opens nothing."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from mfgsync.api.server import create_app
from mfgsync.app import build_hub
from mfgsync.config import parse_settings

from tests.support.cli import run


def test_a_key_is_printed_once_and_stored_only_hashed(tmp_path):
    created = run(tmp_path, "keys", "create", "--role", "planner", "--name", "pat")
    key = created.stdout.strip()
    assert key.startswith("mfgsync.pat.") and "shown only this once" in created.stderr
    listed = run(tmp_path, "keys", "list", "--json").stdout
    assert key not in listed and key.rsplit(".", 1)[1] not in listed
    assert json.loads(listed)["keys"][0] | {"created_at": None} == {
        "name": "pat", "role": "planner", "status": "active", "created_by": "tester", "revoked_at": None,
        "created_at": None}
    engine = create_engine(f"sqlite:///{tmp_path}/mfgsync-data/mfgsync.db")
    with engine.connect() as db:
        stored = db.execute(text("SELECT data, version FROM entities WHERE entity_key = 'APIKEY:pat'")).one()
    assert json.loads(stored.data)["hash"].startswith("$argon2id$") and key not in stored.data


def test_a_revoked_key_opens_nothing_and_its_name_can_be_given_again(tmp_path):
    old = run(tmp_path, "keys", "create", "--role", "warehouse", "--name", "wh").stdout.strip()
    run(tmp_path, "keys", "revoke", "wh")
    hub = build_hub(parse_settings("{}"), f"sqlite:///{tmp_path}/mfgsync-data/mfgsync.db")
    client = TestClient(create_app(hub))
    assert client.get("/api/v1/kpis", headers={"Authorization": f"Bearer {old}"}).status_code == 401
    with hub.store.reading() as read:
        assert read.entity("APIKEY:wh")["status"] == "revoked"
    new = run(tmp_path, "keys", "create", "--role", "warehouse", "--name", "wh").stdout.strip()
    assert client.get("/api/v1/kpis", headers={"Authorization": f"Bearer {new}"}).status_code == 200
    assert client.get("/api/v1/kpis", headers={"Authorization": f"Bearer {old}"}).status_code == 401
    with hub.store.reading() as read:
        actions = [r[3] for r in read.audit_rows() if r[3].startswith("api_key.")]
    assert actions == ["api_key.created", "api_key.revoked", "api_key.created"]
    hub.close()


def test_keys_refuse_an_unknown_role_a_taken_name_and_revoking_what_is_not_there(tmp_path):
    assert "INVALID_FIELD" in run(tmp_path, "keys", "create", "--role", "janitor", "--name", "x", expect=2).stderr
    assert "INVALID_FIELD" in run(tmp_path, "keys", "create", "--role", "admin", "--name", "a b", expect=2).stderr
    run(tmp_path, "keys", "create", "--role", "source:plm", "--name", "plm")
    assert "revoke it first" in run(tmp_path, "keys", "create", "--role", "admin", "--name", "plm", expect=2).stderr
    assert "NOT_FOUND" in run(tmp_path, "keys", "revoke", "nobody", expect=1).stderr
