"""Envelopes as the demo's systems send them: numbered per system, stamped with a time."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Callable

from mfgsync.demo.plant import LOCATION, PLANT, consumption
from mfgsync.envelope import new_envelope
from mfgsync.model.base import decimal_to_number


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_to_number(value)
    return value.isoformat()  # dates


def as_json_data(data: dict) -> dict:
    """Plain JSON values only, so a message is the same whether fed as a dict or read from a file."""
    return json.loads(json.dumps(data, default=_json_value))


def ticking(start: datetime, step: timedelta) -> Callable[[], datetime]:
    """A clock that moves on by `step` each time it is read: one message after another."""
    count = -1

    def now() -> datetime:
        nonlocal count
        count += 1
        return start + count * step
    return now


class Sender:
    """Numbers each system's messages (`plm-000001`, …) and stamps them with the clock's time."""

    def __init__(self, now: Callable[[], datetime], id_prefix: str = ""):
        self.now, self.id_prefix = now, id_prefix
        self._sent: Counter[str] = Counter()

    def send(self, source: str, event_type: str, data: dict, correlationid: str | None = None,
             at: datetime | None = None) -> dict:
        self._sent[source] += 1
        message_id = f"{source}-{self.id_prefix}{self._sent[source]:06d}"
        return new_envelope(source, message_id, event_type, as_json_data(data), at or self.now(),
                            correlationid=correlationid)


def movement(movement_id: str, kind: str, item_id: str, qty: Decimal | str, uom: str, **fields) -> dict:
    """An inventory movement at the plant's main location (out of it, or into it)."""
    place = {"from_location": LOCATION} if kind in ("issue", "consumption", "scrap") else {"to_location": LOCATION}
    return {"movement_id": movement_id, "kind": kind, "item_id": item_id, "qty": Decimal(qty), "uom": uom,
            "plant_id": PLANT, **place, **fields}


def production_order(order_id: str, item_id: str, qty: int, bom_revision: str = "A") -> dict:
    return {"order_id": order_id, "item_id": item_id, "qty": qty, "plant_id": PLANT, "bom_revision": bom_revision,
            "status": "released"}


def production_report(report_id: str, order_id: str, item_id: str, qty: int) -> dict:
    """MES reports the order done: its components consumed and the finished quantity completed."""
    movements = [movement(f"{report_id}-{n:02d}", "consumption", component, used, uom, production_order_id=order_id)
                 for n, (component, used, uom) in enumerate(consumption(item_id, qty), start=1)]
    movements.append(movement(f"{report_id}-00", "completion", item_id, str(qty), "C62",
                              production_order_id=order_id))
    return {"report_id": report_id, "order_id": order_id, "plant_id": PLANT, "movements": movements,
            "resource_actuals": [{"kind": "labor", "resource_id": "ASSEMBLY-1", "hours": Decimal("0.5") * qty}]}
