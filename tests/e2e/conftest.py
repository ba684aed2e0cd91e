"""Real servers for end-to-end tests: a trytond per test on a copy of a cached database."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import REQUIRE_SERVICES
from tests.support.tryton import TrytonServer, initialised_database, serve_copy, tryton_available


@pytest.fixture(scope="session")
def tryton_database() -> Path:
    """The initialised Tryton database every test server copies (built once, then cached)."""
    reason = tryton_available()
    if reason:
        if REQUIRE_SERVICES:
            pytest.fail(f"Tryton cannot run: {reason} (MFGSYNC_REQUIRE_SERVICES=1)")
        pytest.skip(f"Tryton cannot run: {reason}")
    return initialised_database()


@pytest.fixture
def tryton(tryton_database, tmp_path) -> Iterator[TrytonServer]:
    """A running trytond of its own for one test: `url`, `database`, `user`, `password`;
    `stop()` and `start()` take it down and bring it back on the same port and data."""
    server = serve_copy(tryton_database, tmp_path / "tryton")
    yield server
    server.stop()
