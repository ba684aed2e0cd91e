"""A real uvicorn server with the demo plant, and Debian's Chromium driven by Playwright.

Chromium comes from Debian's packages (Playwright's own browser download is not used): the
set-up installs it with apt-get when /usr/bin/chromium is missing. Screenshots are kept under
`test-artifacts/browser/` (or $MFGSYNC_ARTIFACTS) for a person to look at after the run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
import uvicorn

from mfgsync.api.keys import ApiKeys
from mfgsync.api.server import background_work, create_app
from mfgsync.app import build_hub
from mfgsync.demo import demo_settings, plant_messages

from tests.api.conftest import TEST_HASHER
from tests.conftest import REQUIRE_SERVICES

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("MFGSYNC_ARTIFACTS", ROOT / "test-artifacts")) / "browser"


def _install_chromium() -> str | None:
    """Why Chromium cannot be had, or None once it is installed."""
    if CHROMIUM.exists():
        return None
    if not shutil.which("apt-get") or os.geteuid() != 0:
        return "Chromium is not installed and apt-get cannot install it here (needs root)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "chromium"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
        subprocess.run(install, env=env, capture_output=True)
    return None if CHROMIUM.exists() else "apt-get install chromium failed"


@pytest.fixture(scope="session")
def browser():
    problem = _install_chromium()
    if problem:
        if REQUIRE_SERVICES:
            pytest.fail(f"{problem} (MFGSYNC_REQUIRE_SERVICES=1)")
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Plant:
    """The demo plant's first day in a hub served by uvicorn, with a key for each role used."""

    def __init__(self, tmp_path: Path):
        self.hub = build_hub(demo_settings(tmp_path), f"sqlite:///{tmp_path}/hub.db")
        self.hub.intake.ingest(plant_messages())
        store = self.keys_store = ApiKeys(self.hub.store, self.hub.clock, TEST_HASHER)
        self.keys = {role: store.create(role.replace("_", "-"), role, "test") for role in ("engineering", "planner")}
        self.port = _free_port()
        app = create_app(self.hub, background_work(self.hub, live_traffic=False), keys=store)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    access_log=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.hub.close()


@pytest.fixture
def plant(tmp_path) -> Iterator[Plant]:
    plant = Plant(tmp_path)
    plant.start()
    yield plant
    plant.stop()


@pytest.fixture
def screenshot(request):
    """shot(page, name): a full-page screenshot kept as an artifact of this test."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def shot(page, name: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    return shot
