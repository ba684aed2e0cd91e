"""Fixtures the flow stories share."""

from __future__ import annotations

import pytest

from tests.support.suppliers import SECRET


@pytest.fixture
def platform_secret(monkeypatch):
    """The procurement platform's signing secret, where the supplier hub's configuration reads it."""
    monkeypatch.setenv("PROCURE_SECRET", SECRET)
