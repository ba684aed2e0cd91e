"""Time as the pipeline sees it: epoch seconds from an injectable clock, ISO text for records."""

from __future__ import annotations

from datetime import datetime, timezone


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
