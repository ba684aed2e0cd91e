"""The demo plant's first day as the messages its systems send, good ones first, then the bad.

PLM releases items and multi-level BOMs (and, with ECO-42, a second revision of the pump's),
ERP adds planning data, suppliers and production orders, WMS receives stock, MES reports the
orders done; then the rest of the pump family is released in both plants, each supplier gets
its sourcing rules and an order, which it acknowledges and ships on its channel and the
warehouse receives. Then come the messages every integration meets sooner or later; each shows one
thing the hub does with them:

- a BOM with a component nobody created            -> quarantined, COMPONENT_UNKNOWN
- a BOM line with qty_per 0                         -> quarantined, QTY_PER_NOT_POSITIVE
- cable received by weight, with no conversion     -> quarantined, UOM_NO_CONVERSION
- MES renaming a part, which only PLM may do        -> quarantined, NOT_SYSTEM_OF_RECORD
- a line cut off mid-message                        -> quarantined, MALFORMED_JSON
- an item update older than the one applied         -> recorded as stale, not applied
- two messages sent again, unchanged                -> counted as duplicates, applied once
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from mfgsync.demo import family, plant
from mfgsync.demo.messages import Sender, movement, production_order, production_report, ticking
from mfgsync.demo.purchasing import order_cycle

START = datetime(2026, 11, 2, 7, 0, tzinfo=timezone.utc)
# A line as a WMS might write it when its disk fills up: JSON cut off mid-message.
TRUNCATED_LINE = ('{"specversion": "1.0", "id": "wms-000099", "source": "wms", "type": "inventory.moved", '
                  '"time": "2026-11-02T09:00:00Z", "data": {"movement_id": "MV-0099", "kind": "rece')


def plant_messages() -> list[dict | str]:
    """Every message of the demo plant's first day, in the order they arrive."""
    sender = Sender(ticking(START, timedelta(seconds=30)))
    engineering, planning, production = _engineering(sender), _planning(sender), _stock_and_production(sender)
    resent = [engineering[-1], production[-1]]  # ECO-42's BOM and the last production report, again
    return engineering + planning + production + _family(sender) + _bad(sender) + resent


def plant_jsonl() -> str:
    """The same messages as JSON Lines, for `mfgsync ingest`."""
    return "".join((m if isinstance(m, str) else json.dumps(m)) + "\n" for m in plant_messages())


def _engineering(sender: Sender) -> list[dict]:
    messages = [sender.send("plm", "item.upserted", item) for item in plant.ITEMS]
    messages.append(sender.send("plm", "uom.conversion.upserted", plant.BOX_OF_NUTS))
    messages += [sender.send("plm", "bom.released", plant.bom(item_id, "A", plant.BOMS[item_id]))
                 for item_id in plant.BUILD_ORDER]
    messages.append(sender.send("plm", "eco.approved", plant.ECO_42, correlationid="ECO-42"))
    messages.append(sender.send("plm", "bom.released", plant.bom(
        "PMP-100", "B", plant.PUMP_REVISION_B, effective_from=plant.ECO_42["effective_from"]),
        correlationid="ECO-42"))
    return messages


def _planning(sender: Sender) -> list[dict]:
    messages = [sender.send("erp", "item.upserted", {"item_id": item_id, **fields})
                for item_id, fields in plant.PLANNING.items()]
    return messages + [sender.send("erp", "supplier.upserted", supplier) for supplier in plant.SUPPLIERS]


def _stock_and_production(sender: Sender) -> list[dict]:
    messages = [sender.send("wms", "inventory.moved", movement(f"GR-{n:04d}", "receipt", item_id, qty, uom))
                for n, (item_id, qty, uom) in enumerate(plant.OPENING_STOCK, start=1)]
    for order_id, item_id, qty in plant.OPENING_ORDERS:
        messages.append(sender.send("erp", "production.released", production_order(order_id, item_id, qty),
                                    correlationid=order_id))
        messages.append(sender.send("mes", "production.reported",
                                    production_report(f"RPT-{order_id}", order_id, item_id, qty),
                                    correlationid=order_id))
    return messages


def _family(sender: Sender) -> list[dict]:
    """The larger pumps, released in both plants; every supplier sourced, ordered from and delivering."""
    messages = [sender.send("plm", "item.upserted", {"item_id": item, "description": text, "base_uom": unit,
                                                     "item_type": "buy", "revision": "A"})
                for item, text, unit, _ in family.PARTS]
    messages += [sender.send("plm", "item.upserted", {"item_id": item, "description": text, "base_uom": "C62",
                                                      "item_type": "make", "revision": "A"})
                 for item, text in family.MADE]
    for item_id in family.BUILD_ORDER:
        for plant_id in family.PLANTS if item_id in family.BUILT_IN_BOTH else family.PLANTS[:1]:
            messages.append(sender.send("plm", "bom.released", family.bom(item_id, plant_id)))
    known = {s["supplier_id"] for s in plant.SUPPLIERS}
    messages += [sender.send("erp", "supplier.upserted", {"supplier_id": s["supplier_id"], "name": s["name"]})
                 for s in family.SUPPLIERS if s["supplier_id"] not in known]
    messages += [sender.send("erp", "sourcing.updated", {"item_id": item, "supplier_id": supplier, "priority": 1,
                                                         "lead_time_days": family.LEAD_DAYS[supplier]})
                 for item, _, _, supplier in family.PARTS]
    for n, supplier in enumerate(family.SUPPLIERS, start=1):
        messages += order_cycle(sender, f"45000000{n:02d}", supplier["supplier_id"], START.date())
    return messages


def _bad(sender: Sender) -> list[dict | str]:
    impeller_b = plant.bom("IMP-200", "B", [("STL-2MM", "1.1", "KGM"), ("VANE-X9", "5", "C62")])
    housing_b = plant.bom("HSG-300", "B", [("STL-2MM", "3.5", "KGM"), ("BLT-M8", "0", "C62")])
    cable_by_weight = movement("GR-0900", "receipt", "CBL-3G15", "12", "KGM")
    stale_pump = {"item_id": "PMP-100", "description": "Centrifugal pump (old catalogue text)"}
    renamed_seal = {"item_id": "SEAL-40", "description": "Seal, 40 mm (MES shop name)"}
    return [
        sender.send("plm", "bom.released", impeller_b),
        sender.send("plm", "bom.released", housing_b),
        sender.send("wms", "inventory.moved", cable_by_weight),
        sender.send("plm", "item.upserted", stale_pump, at=START - timedelta(days=1)),
        sender.send("mes", "item.upserted", renamed_seal),
        TRUNCATED_LINE,
    ]
