"""The API's routers, one module per area; `hub_of` is how a route reaches the hub it serves."""

from __future__ import annotations

from fastapi import Request

from mfgsync.app import Hub


def hub_of(request: Request) -> Hub:
    return request.app.state.hub
