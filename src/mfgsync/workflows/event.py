"""What a workflow sees of one applied message, and what it may read of the hub."""

from __future__ import annotations

from datetime import datetime
from typing import Mapping, NamedTuple, Protocol, Sequence

from mfgsync.envelope import EventType
from mfgsync.model.base import Canonical
from mfgsync.rules.state import StateView


class Event(NamedTuple):
    type: EventType
    entity: Canonical  # the validated entity, merged with the current state where the type merges
    msg_key: str
    source: str
    message_id: str
    time: datetime
    correlation_id: str | None = None

    @property
    def cause(self) -> str:
        """The lineage id of this message: the causation id of everything it causes."""
        return f"message:{self.msg_key}"


class PlantView(Protocol):
    receives: list[str]  # shell-style patterns of the item ids whose BOMs the plant receives
    item_codes: Mapping[str, Mapping[str, str]]  # system -> item id -> the plant's code there
    alternates: Mapping[str, Sequence[str]]  # component -> the plant's alternates, preferred first
    units: Mapping[str, str]  # item id -> the unit the plant counts it in
    backflush: bool  # a completion-only report consumes the frozen BOM revision
    backflush_scrap: bool  # ... with each line's scrap allowance


class WorkflowView(StateView, Protocol):
    """The rules' view of state, plus the configuration a workflow routes by."""

    def subscribers(self, event_type: EventType) -> list[str]: ...

    def takes_commands(self, target: str) -> bool:
        """Whether the target takes commands (an ERP's API) rather than envelopes."""

    def plants(self) -> Mapping[str, PlantView]: ...
