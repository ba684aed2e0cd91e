"""Live traffic for the demo: the plant keeps working while the status page is open.

Each cycle the warehouse restocks the purchased parts, ERP releases and MES reports one small
order of each made item, and one supplier in turn gets an order that it acknowledges and ships
on its channel and the warehouse receives; every third cycle an engineering change releases a
new pump BOM revision, and every second cycle one system sends something the hub must
quarantine.
Identifiers carry the run's start time, so restarting the demo on the same store sends new
messages rather than duplicates.
"""

from __future__ import annotations

import itertools
import logging
import threading
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Callable, Iterator

from mfgsync.demo import family, plant
from mfgsync.demo.messages import Sender, movement, production_order, production_report
from mfgsync.demo.platform import SOURCE as PLATFORM_SOURCE
from mfgsync.demo.purchasing import order_cycle
from mfgsync.pipeline.intake import Intake

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 1.0  # between live messages: an engineering change within the first minute
ORDER_QTY = 2  # of each made item per cycle; plant.RESTOCK covers what it consumes
FIRST_ECO_EFFECTIVE = date(2026, 12, 29)
MAX_ECOS = 24  # revisions C to Z


def live_messages(clock: Callable[[], float], limit: int) -> Iterator[dict]:
    """At most `limit` messages, each stamped with the clock's time when it is taken."""
    run = int(clock()) % 1_000_000
    sender = Sender(lambda: datetime.fromtimestamp(clock(), timezone.utc), id_prefix=f"{run}-")
    return itertools.islice(_cycles(sender, run), limit)


def feed_live_traffic(intake: Intake, stop: threading.Event, clock: Callable[[], float],
                      interval: float = INTERVAL_SECONDS, limit: int = 1000,
                      platform: Callable[[dict], None] | None = None) -> None:
    """Ingest one live message every `interval` seconds until `stop` is set or `limit` is reached;
    with `platform`, the procurement platform's messages go through it (the hub's signed webhook)."""
    for message in live_messages(clock, limit):
        if stop.wait(interval):
            return
        try:
            if platform and message["source"] == PLATFORM_SOURCE:
                _through_platform(platform, intake, message)
            else:
                intake.ingest([message])
        except Exception:  # a busy store must not end the demo; the next message tries again
            log.exception("live traffic: message %s was not ingested", message.get("id"))


def _through_platform(platform: Callable[[dict], None], intake: Intake, message: dict) -> None:
    try:
        platform(message)
    except Exception:  # the webhook not answering yet (the server starting): hand it in directly
        log.warning("live traffic: the platform's webhook did not take %s; ingested directly", message["id"])
        intake.ingest([message])


def _cycles(sender: Sender, run: int) -> Iterator[dict]:
    for cycle in itertools.count(1):
        yield from _restock(sender, run, cycle)
        yield from _production(sender, run, cycle)
        yield from _purchasing(sender, run, cycle)
        if cycle % 3 == 0 and cycle // 3 <= MAX_ECOS:
            yield from _engineering_change(sender, run, cycle // 3)
        if cycle % 2 == 0:
            yield _bad_message(sender, run, cycle // 2)


def _restock(sender: Sender, run: int, cycle: int) -> Iterator[dict]:
    for n, (item_id, qty, uom) in enumerate(plant.RESTOCK, start=1):
        receipt = movement(f"GR-{run}-{cycle:04d}-{n}", "receipt", item_id, qty, uom)
        yield sender.send("wms", "inventory.moved", receipt)


def _production(sender: Sender, run: int, cycle: int) -> Iterator[dict]:
    for item_id in plant.BUILD_ORDER:
        order_id = f"WO-{run}-{cycle:04d}-{item_id}"
        yield sender.send("erp", "production.released", production_order(order_id, item_id, ORDER_QTY),
                          correlationid=order_id)
        yield sender.send("mes", "production.reported",
                          production_report(f"RPT-{order_id}", order_id, item_id, ORDER_QTY), correlationid=order_id)


def _purchasing(sender: Sender, run: int, cycle: int) -> Iterator[dict]:
    """One order a cycle, the suppliers in turn, two of their parts each."""
    supplier = family.SUPPLIERS[(cycle - 1) % len(family.SUPPLIERS)]["supplier_id"]
    yield from order_cycle(sender, f"PO-{run}-{cycle:04d}", supplier, sender.now().date(), parts=2)


def _engineering_change(sender: Sender, run: int, number: int) -> Iterator[dict]:
    """Revision C, D, …: the same revision always has the same content and effective date,
    so a restarted demo re-releases it rather than clashing with it."""
    revision = chr(ord("B") + number)
    effective = FIRST_ECO_EFFECTIVE + timedelta(weeks=4 * (number - 1))
    eco_id = f"ECO-{run}-{number}"
    cable = str(2 + Decimal(number) / 10)
    lines = [line if line[0] != "CBL-3G15" else ("CBL-3G15", cable, "MTR") for line in plant.PUMP_REVISION_B]
    change = {"eco_id": eco_id, "item_id": "PMP-100", "from_revision": chr(ord(revision) - 1),
              "to_revision": revision, "effective_from": effective, "reason": f"motor cable {cable} m"}
    yield sender.send("plm", "eco.approved", change, correlationid=eco_id)
    yield sender.send("plm", "bom.released", plant.bom("PMP-100", revision, lines, effective_from=effective),
                      correlationid=eco_id)


def _bad_message(sender: Sender, run: int, number: int) -> dict:
    """One of the mistakes systems make, in turn."""
    match number % 4:
        case 1:  # more seals issued than the warehouse holds
            return sender.send("wms", "inventory.moved",
                               movement(f"GI-{run}-{number}", "issue", "SEAL-40", "100000", "C62"))
        case 2:  # a part the item master has never heard of
            return sender.send("wms", "inventory.moved",
                               movement(f"GR-{run}-X{number}", "receipt", "BLT-M12", "200", "C62"))
        case 3:  # steel sheet received by the metre
            return sender.send("wms", "inventory.moved",
                               movement(f"GR-{run}-U{number}", "receipt", "STL-2MM", "6", "MTR"))
    # MES renaming the pump, which only PLM may do
    return sender.send("mes", "item.upserted", {"item_id": "PMP-100", "description": f"Pump, shop name {number}"})
