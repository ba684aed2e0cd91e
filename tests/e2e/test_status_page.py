"""The dashboard a newcomer opens after `make run` and signs in to: what arrived, what was held
back and why, what was delivered where — and the health check next to it, open to monitoring."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from mfgsync.api.keys import ApiKeys
from mfgsync.api.server import create_app
from mfgsync.app import build_hub
from mfgsync.demo import demo_settings, plant_messages
from mfgsync.store.sql import SqlStore

# The reason each deliberately bad message of the demo's first day is quarantined for.
DEMO_REASONS = {"COMPONENT_UNKNOWN", "QTY_PER_NOT_POSITIVE", "UOM_NO_CONVERSION", "NOT_SYSTEM_OF_RECORD",
                "MALFORMED_JSON"}


@pytest.fixture
def hub(tmp_path):
    hub = build_hub(demo_settings(tmp_path), f"sqlite:///{tmp_path}/hub.db")
    yield hub
    hub.close()


@pytest.fixture
def client(hub):
    """A browser signed in with an admin's key."""
    client = TestClient(create_app(hub))
    key = ApiKeys(hub.store, hub.clock).create("lead", "admin", "test")
    signed_in = client.post("/signin", content=f"key={key}", follow_redirects=False,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
    client.headers["Authorization"] = f"Bearer {key}"  # for the JSON beside the page
    return client


@pytest.fixture
def demo_day(hub):
    """The demo plant's first day, ingested and delivered."""
    report = hub.intake.ingest(plant_messages())
    hub.worker.run_until_idle()
    return report


def stage_count(page: str, stage: str) -> int:
    match = re.search(rf'data-stage="{stage}"><span class="label">{stage}</span><span class="figure">(\d+)<', page)
    assert match, f"no {stage} count on the page"
    return int(match.group(1))


def delivered_to(page: str, target: str) -> int:
    match = re.search(rf'<tr data-target="{target}"><td>{target}</td>(?:<td>.*?</td>){{2}}\s*<td[^>]*>(\d+)</td>', page,
                      re.S)
    assert match, f"no delivery row for {target}"
    return int(match.group(1))


def test_health_says_the_store_answers_and_which_it_is(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "store": "sqlite"}


def test_health_is_503_when_the_store_does_not_answer(hub, client, tmp_path):
    hub.store = SqlStore(create_engine(f"sqlite:///{tmp_path}/no-such-folder/hub.db"))
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_an_empty_hub_says_nothing_was_received_and_how_to_start(client):
    page = client.get("/").text
    assert stage_count(page, "received") == 0
    assert "Nothing received yet" in page
    assert "serve --demo" in page


def test_the_page_counts_the_demo_day_per_stage(client, demo_day):
    page = client.get("/").text
    assert stage_count(page, "received") == len(plant_messages())
    assert stage_count(page, "duplicates") == 2
    assert stage_count(page, "stale") == 1
    assert stage_count(page, "quarantined") == len(DEMO_REASONS)
    assert stage_count(page, "applied") == demo_day.accepted == len(plant_messages()) - 2 - 1 - len(DEMO_REASONS)


def test_the_exception_queue_names_the_reason_each_bad_demo_message_was_quarantined_for(client, demo_day):
    page = client.get("/exceptions").text
    for code in DEMO_REASONS:
        assert f'<span class="code">{code}</span>' in page
    assert "component VANE-X9 is not a known item" in page
    assert "KGM of item CBL-3G15 does not convert to its base unit MTR" in page
    assert page.count("<tr data-exception=") == len(DEMO_REASONS)
    overview = client.get("/").text
    assert re.search(rf'data-kpi="exceptions_open">.*?<span class="figure">{len(DEMO_REASONS)}<', overview, re.S)


def test_the_page_shows_what_was_delivered_to_the_recorder(client, demo_day, tmp_path):
    page = client.get("/").text
    recorded = (tmp_path / "demo" / "recording.jsonl").read_text().splitlines()
    assert delivered_to(page, "recorder") == len(recorded) > 0
    assert str(tmp_path / "demo" / "recording.jsonl") in page
    every_target = client.get("/api/v1/overview").json()["deliveries"]  # the suppliers' orders too
    assert {"recorder", "archive", "northfast", "sealtec"} <= set(every_target)
    total = sum(target["delivered"] for target in every_target.values())
    assert "What happened:" in page and f"delivered {total} messages" in page


def test_the_json_holds_the_same_figures_as_the_page(client, demo_day):
    page, document = client.get("/").text, client.get("/api/v1/overview").json()
    for stage, count in document["stages"].items():
        assert stage_count(page, stage) == count
    assert {code for x in document["exceptions"] for code in x["codes"]} == DEMO_REASONS
    assert document["deliveries"]["recorder"]["delivered"] == delivered_to(page, "recorder")


def test_a_hostile_message_shows_escaped_and_cannot_run_script(hub, client):
    hub.intake.ingest([{"specversion": "1.0", "id": "<script>alert(1)</script>", "source": "plm",
                        "type": "bom.released", "time": "2026-11-22T10:00:00Z",
                        "data": {"item_id": "<img src=x onerror=alert(2)>", "revision": "A", "lines": []}}])
    response = client.get("/exceptions")
    page = response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/htmx.min.js" defer>'] and "<img" not in page
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "unsafe" not in policy


def test_without_a_key_every_page_answers_the_sign_in_form_and_the_json_a_401(hub):
    stranger = TestClient(create_app(hub))
    for path in ("/", "/exceptions", "/lineage", "/ecos", "/static/htmx.min.js"):
        response = stranger.get(path)
        assert response.status_code == 401 and 'name="key"' in response.text and "<script" not in response.text
    for path in ("/openapi.json", "/api/v1/overview", "/ready"):
        assert stranger.get(path).status_code == 401
    assert stranger.get("/docs").status_code == 404


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(tmp_path, *args: str) -> tuple[subprocess.Popen, list[str]]:
    """`mfgsync serve ARGS` in tmp_path, its stderr collected line by line as it comes."""
    env = {k: v for k, v in os.environ.items() if k != "MFGSYNC_CONFIG"}
    env["MFGSYNC_DATABASE_URL"] = f"sqlite:///{tmp_path}/hub.db"
    command = [str(Path(sys.executable).with_name("mfgsync")), "serve", *args]
    server = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(server.stderr), daemon=True).start()
    return server, lines


def _wait_for_health(base: str, server: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server stopped"
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the server did not answer /health within {seconds} s")


def test_make_run_serves_the_demo_on_the_embedded_store_and_prints_its_sign_in_key(tmp_path):
    port = _free_port()
    server, stderr = _serve(tmp_path, "--demo", "--port", str(port))
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for_health(base, server, 15)
        printed = " ".join(stderr)
        assert f"http://127.0.0.1:{port}/" in printed
        [key] = re.findall(r"mfgsync\.demo\.[A-Za-z0-9_-]+", printed)
        with httpx.Client(base_url=base, timeout=5) as browser:
            assert browser.post("/signin", data={"key": key}).status_code == 303
            page = browser.get("/").text
        assert "recorder" in page and "mfgsync-data/demo/recording.jsonl" in page
        overview = httpx.get(f"{base}/api/v1/overview", headers={"Authorization": f"Bearer {key}"}, timeout=5)
        assert overview.json()["stages"]["received"] >= len(plant_messages())
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert (tmp_path / "mfgsync-data" / "demo").is_dir()


def test_serve_listens_beyond_loopback_now_that_every_route_needs_a_key(tmp_path):
    port = _free_port()
    server, _ = _serve(tmp_path, "--host", "0.0.0.0", "--port", str(port))
    try:
        _wait_for_health(f"http://127.0.0.1:{port}", server, 15)
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/kpis", timeout=5).status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_kept_reconciliation_runs_are_shown_per_plant(hub, client):
    from mfgsync.reconcile import results
    results.keep(hub.store, "nightly", {"summary": {"match": 9, "qty_mismatch": 1}, "left": {"source": "hub"},
                                        "right": {"source": "wms"}, "variances": [],
                                        "totals": {"by_plant": {"P1": {"match": 9, "qty_mismatch": 1,
                                                                       "variance_qty": 3}}}}, hub.clock, "test")
    page = client.get("/reconciliations").text
    assert '<tr data-run="nightly">' in page and "qty_mismatch 1" in page and "P1: 1 (3)" in page


def test_a_dashboard_replay_of_an_unedited_payload_replays_the_original_and_a_bad_token_is_refused(hub, client):
    import html as html_text
    hub.intake.ingest([{"specversion": "1.0", "id": "plm-seal-1", "source": "plm", "type": "bom.released",
                        "time": "2026-11-22T10:00:00Z",
                        "data": {"item_id": "PMP-100", "revision": "A", "lines": [
                            {"line_no": 10, "component_id": "SEAL-9", "qty_per": 1, "uom": "C62"}]}}])
    [row] = hub.exceptions.list()
    detail = client.get(f"/exceptions/{row['id']}").text
    payload = html_text.unescape(re.search(r'<textarea[^>]*>(.*?)</textarea>', detail, re.S).group(1))
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', detail).group(1)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    from urllib.parse import urlencode
    forged = client.post(f"/exceptions/{row['id']}/replay", content=urlencode({"csrf": "0" * 32, "payload": payload}),
                         headers=form, follow_redirects=False)
    assert forged.status_code == 403
    replayed = client.post(f"/exceptions/{row['id']}/replay", content=urlencode({"csrf": csrf, "payload": payload}),
                           headers=form, follow_redirects=False)
    assert replayed.status_code == 303 and "error=" in replayed.headers["location"]  # SEAL-9 is still unknown
    assert hub.exceptions.get(row["id"])["original_payload"] is None, "an unedited payload is no correction"
