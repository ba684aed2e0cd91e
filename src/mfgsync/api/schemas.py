"""The API's response documents, so the OpenAPI document says what each route answers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class IngestResult(BaseModel):
    """What became of the messages sent: the `mfgsync ingest --json` counts."""
    accepted: int
    duplicates: int
    stale: int
    quarantined: int
    alerts: int
    total: int
    by_reason: dict[str, int]


class ExceptionPage(BaseModel):
    exceptions: list[dict[str, Any]]
    more: bool
    next_after: int | None


class ExceptionOutcome(BaseModel):
    id: int
    status: str
    detail: str


class LineageNode(BaseModel):
    id: str
    parent: str | None
    kind: str
    system: str | None
    event_type: str | None
    entity_key: str | None
    status: str | None
    at: str | None


class Lineage(BaseModel):
    correlation_id: str
    nodes: list[LineageNode]


class EcoTarget(BaseModel):
    plant_id: str | None
    target: str
    status: str
    delivered_at: str | None
    confirmed_at: str | None


class EcoStatus(BaseModel):
    eco_id: str
    targets: list[EcoTarget]
    latency_seconds: float | None


class Health(BaseModel):
    status: str
    store: str


class Readiness(BaseModel):
    status: str
    store: str
    checks: dict[str, str]
