from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "formats"


def read_fixture(relative: str) -> str:
    # newline="" keeps CR LF and bare LF exactly as written
    with open(FIXTURES / relative, encoding="utf-8", newline="") as handle:
        return handle.read()


@pytest.fixture
def fixture_text():
    return read_fixture
