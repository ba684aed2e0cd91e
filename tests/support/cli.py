"""The command line as an operator runs it: one process per command, in a working directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MFGSYNC = [sys.executable, "-m", "mfgsync.cli"]


def run(workdir: Path, *args: str, expect: int = 0, **env: str) -> subprocess.CompletedProcess:
    """`mfgsync ARGS` in `workdir` as the user `tester` (or `env`'s MFGSYNC_ACTOR and MFGSYNC_ROLE),
    configured by `workdir/hub.yaml` when there is one, on the embedded store unless `env` names
    MFGSYNC_DATABASE_URL; asserts the exit code."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("MFGSYNC_CONFIG", "MFGSYNC_DATABASE_URL", "MFGSYNC_ROLE")}
    environment["MFGSYNC_ACTOR"] = "tester"
    if (workdir / "hub.yaml").exists():
        environment["MFGSYNC_CONFIG"] = str(workdir / "hub.yaml")
    result = subprocess.run(MFGSYNC + list(args), cwd=workdir, capture_output=True, text=True,
                            env={**environment, **env}, timeout=60)
    assert result.returncode == expect, result.stderr
    return result
