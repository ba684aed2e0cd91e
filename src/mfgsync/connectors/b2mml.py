"""The B2MML target (`kind: b2mml`): a drop folder of ISA-95 XML for MES, one file per delivery.

Each delivery becomes the file `<delivery key>.xml`, written by the drop folder's atomic rename,
so a redelivery overwrites the same file. A released BOM or routing becomes a V0600 ProductDefinition, a
released production order and the orders an ECO moved to a new revision a V0600
ProductionSchedule. Anything else is refused as a permanent failure (a dead letter naming the
type) rather than written in another format into a folder MES reads as B2MML.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable

from mfgsync.connectors.base import Delivery, PermanentError
from mfgsync.connectors.files import write_atomically
from mfgsync.envelope import EventType
from mfgsync.formats import b2mml
from mfgsync.formats.canonical import build
from mfgsync.formats.errors import FormatError
from mfgsync.model.entities import Bom, ProductionOrder, Routing

ORDERS_MOVED = "production.orders_moved"


def _product_definition(envelope: dict[str, Any]) -> str:
    return b2mml.render_product_definition(build(Bom, envelope["data"]))


def _routing(envelope: dict[str, Any]) -> str:
    return b2mml.render_routing(build(Routing, envelope["data"]))


def _production_schedule(envelope: dict[str, Any]) -> str:
    order = build(ProductionOrder, envelope["data"])
    return b2mml.render_schedule([order], order.order_id)


ENVELOPES: dict[str, Callable[[dict[str, Any]], str]] = {
    EventType.bom_released: _product_definition, EventType.routing_released: _routing,
    EventType.production_released: _production_schedule}


def render(delivery: Delivery) -> str:
    """The B2MML document of a delivery; a FormatError when the hub has none for it."""
    payload = json.loads(delivery.payload)
    if delivery.command == ORDERS_MOVED:
        return b2mml.render_orders_moved(payload)
    if delivery.command == "deliver" and delivery.event_type in ENVELOPES:
        return ENVELOPES[delivery.event_type](payload)
    raise FormatError("B2MML_UNSUPPORTED_DOCUMENT", f"no B2MML document for {delivery.command} "
                                                    f"of {delivery.event_type}")


class B2mmlConnector:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def deliver(self, delivery: Delivery) -> None:
        try:
            document = render(delivery)
        except FormatError as exc:
            raise PermanentError(f"{exc.code}: {exc.message}") from None
        write_atomically(self.path, f"{delivery.key}.xml", document)
