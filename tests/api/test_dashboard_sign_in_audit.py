"""Signing in to the dashboard is audited: who signed in, who was refused and who signed out, by
key name and client — never the key itself."""

from __future__ import annotations

import json
from urllib.parse import quote


def _sign_in(api, key: str):
    return api.client.post("/signin", content=f"key={quote(key)}".encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"}, follow_redirects=False)


def _audited(api) -> list[tuple[str, str, dict]]:
    with api.hub.store.reading() as read:
        return [(row[2], row[3], json.loads(row[5])) for row in read.audit_rows() if row[3].startswith("dashboard.")]


def test_a_sign_in_a_refused_key_and_a_sign_out_are_each_in_the_audit_without_the_key(api):
    assert _sign_in(api, "not-a-key-at-all").status_code == 401
    assert _sign_in(api, api.keys["source:plm"]).status_code == 403
    assert _sign_in(api, api.keys["planner"]).status_code == 303
    page = api.client.get("/")  # the sign-in left its cookie on the client
    token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    assert api.client.post("/signout", content=f"csrf={token}".encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"},
                           follow_redirects=False).status_code == 303

    audited = _audited(api)
    assert [(actor, action, detail.get("role"), detail.get("reason")) for actor, action, detail in audited] == [
        ("anonymous", "dashboard.sign_in_refused", None, "key not valid"),
        ("key:plm-system", "dashboard.sign_in_refused", "source:plm", "a source system's key"),
        ("key:planner-key", "dashboard.signed_in", "planner", None),
        ("key:planner-key", "dashboard.signed_out", "planner", None)]
    text = json.dumps(audited)
    assert all(key not in text for key in api.keys.values()) and "not-a-key-at-all" not in text
