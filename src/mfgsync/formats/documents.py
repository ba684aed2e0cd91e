"""What the readers return: interchanges of documents, each a canonical entity (or a dict for acks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel


@dataclass
class Document:
    type: str  # transaction set or message type: 850, ORDERS, ...; or the entity name for B2MML/CSV
    entity: str  # canonical entity name: PurchaseOrder, ShipNotice, ...
    data: Any  # the canonical model instance, or a plain dict for functional acknowledgements
    control_number: str | None = None

    def data_json(self) -> Any:
        return self.data.model_dump(mode="json") if isinstance(self.data, BaseModel) else self.data

    def to_json(self) -> dict[str, Any]:
        out = {"type": self.type, "entity": self.entity, "data": self.data_json()}
        if self.control_number is not None:
            out["control_number"] = self.control_number
        return out


@dataclass
class InterchangeResult:
    control_number: str
    sender: str
    receiver: str
    documents: list[Document] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"control_number": self.control_number, "sender": self.sender, "receiver": self.receiver,
                "documents": [d.to_json() for d in self.documents]}
