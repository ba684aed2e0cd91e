"""Rows as the pipeline hands them to the store, with the defaults a story does not care about."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from mfgsync.store.port import Settlement, Store

AT = "2026-11-22T10:00:00.000000Z"


def at(second: int) -> str:
    return f"2026-11-22T10:{second // 60:02d}:{second % 60:02d}.000000Z"


def msg_key(message_id: str, source: str = "plm") -> str:
    return f"{source}\x1f{message_id}"


def message(message_id: str, source: str = "plm", **fields: Any) -> dict[str, Any]:
    """An inbox row of a message received and applied."""
    return {"msg_key": msg_key(message_id, source), "source": source, "message_id": message_id,
            "event_type": "item.changed", "entity_key": None, "correlation_id": None, "causation_id": None,
            "mapping_version": "1", "outcome": "applied", "seq_token": None, "received_at": AT,
            "content_hash": f"sha256:{message_id}", "envelope": json.dumps({"id": message_id}), **fields}


def delivery(target: str, stream: str, n: int, **fields: Any) -> dict[str, Any]:
    """The n-th delivery of a stream to a target, carrying its message's envelope."""
    return {"target": target, "entity_key": stream, "effect_key": f"{target}:{stream}#{n}", "command": "deliver",
            "msg_key": msg_key(f"{stream}-{n}"), "event_type": "bom.released", "payload": None, "now": 100.0,
            "at": AT, "correlation_id": None, "causation_id": None, "mapping_version": "1", **fields}


def queue(store: Store, *deliveries: dict[str, Any]) -> None:
    """Applied messages and their deliveries, written together as intake writes them."""
    causes = {d["msg_key"]: d["event_type"] for d in deliveries if d["msg_key"]}
    with store.writing() as uow:
        seen = uow.inbox_seen(causes)
        uow.add_inbox([message(key.partition("\x1f")[2], event_type=event_type)
                       for key, event_type in causes.items() if key not in seen])
        uow.add_outbox(list(deliveries))


def entity(key: str, data: dict[str, Any], version: int, entity_type: str = "item",
           ref: str | None = None) -> dict[str, Any]:
    return {"entity_key": key, "entity_type": entity_type, "ref": ref, "tokens": None, "data": json.dumps(data),
            "updated_at": AT, "msg_key": None, "version": version}


def stock(item_id: str, amount: str, kind: str = "delta", location: str = "STOCK", n: int = 0) -> dict[str, Any]:
    """A ledger movement (kind delta) or count (kind qty) of one balance of `item_id` in plant P1."""
    return {"balance_key": f"BAL:{item_id}|P1|{location}|-|available", "item_id": item_id, "plant_id": "P1",
            "location_id": location, "lot_id": None, "status": "available", kind: Decimal(amount), "uom": "EA",
            "msg_key": msg_key(f"mv-{item_id}-{n}", "wms"), "at": AT, "correlation_id": None}


def balance_key(item_id: str, location: str = "STOCK") -> str:
    return stock(item_id, "0", location=location)["balance_key"]


def exception_row(n: int, kind: str = "quarantine", codes: str = "E100", role: str = "planner",
                  **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "msg_key": msg_key(f"bad-{n}"), "source": "plm", "event_type": "item.changed",
            "entity_key": f"ITEM:{n}", "codes": codes, "reasons": json.dumps([{"code": codes}]), "owner_role": role,
            "payload": json.dumps({"n": n}), "outbox_id": None, "at": AT, "correlation_id": None,
            "causation_id": None, "mapping_version": "1", **fields}


def delivered(claimed, owner: str, at_: str = AT) -> Settlement:
    return Settlement(claimed.id, owner, claimed.fence, "delivered", at_)


def failed(claimed, owner: str, retry_at: float | None, error: str = "503 Service Unavailable",
           at_: str = AT) -> Settlement:
    return Settlement(claimed.id, owner, claimed.fence, "retry" if retry_at is not None else "dead", at_,
                      error, retry_at)
