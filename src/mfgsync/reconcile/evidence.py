"""What the hub's own records say about stock positions, gathered through the store's read side
for the causes of causes.py:

- pending_delivery: a stock movement (or production report) applied by the hub whose delivery
  to a snapshot's system is still pending — the system has not seen it yet;
- dead_letter: such a delivery that was dead-lettered (with the dead letter's exception id);
- quarantined: a stock message held in quarantine, applied nowhere (with its exception id);
- in_transit: an expected receipt of an ASN still in transit, or (where the hub keeps none) an
  ASN line of the item and lot that no receipt has taken in yet;
- after_as_of: a movement that occurred after the snapshot's as-of time.

A movement concerns the locations it names (from and to; none named is the hub's default
location `MAIN`) in its plant, for its item and lot. Evidence refs: `message:<source>/<id>`,
`exception:<id>`, `asn:<asn_id>`, `movement:<movement_id>`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterable, Iterator

from mfgsync.reconcile.causes import Evidence
from mfgsync.store.exception_pages import every_exception
from mfgsync.store.port import ReadSide

STOCK_EVENTS = ("inventory.moved", "production.reported")
DEFAULT_LOCATION = "MAIN"


def gather(read: ReadSide, items: Iterable[str], targets: set[str] | None = None,
           as_of: datetime | None = None) -> list[Evidence]:
    """Evidence about the positions of `items`; deliveries count only to `targets` when given."""
    items = set(items)
    found = [*_undelivered(read, targets), *_quarantined(read), *_in_transit(read, items)]
    if as_of is not None:
        found += _after(read, items, as_of)
    return [e for e in found if e.item_id in items]


def _movements(data: Any, event_type: str | None) -> list[dict]:
    """The movements a stock message carries."""
    if not isinstance(data, dict):
        return []
    if event_type == "production.reported":
        return [m for m in data.get("movements") or [] if isinstance(m, dict)]
    return [data]


def _positions(movement: dict, cause: str, refs: list[str]) -> Iterator[Evidence]:
    item, plant = movement.get("item_id"), movement.get("plant_id")
    if not isinstance(item, str) or not isinstance(plant, str):
        return
    named = {movement.get("from_location"), movement.get("to_location")} - {None}
    for location in sorted(named, key=str) or [DEFAULT_LOCATION]:
        for ref in refs:
            yield Evidence(item, plant, str(location), movement.get("lot_id"), cause, ref)


def _message_ref(envelope: dict) -> str:
    return f"message:{envelope.get('source')}/{envelope.get('id')}"


def _loaded(text: str | None) -> dict:
    try:
        document = json.loads(text) if text else {}
    except (json.JSONDecodeError, RecursionError):
        return {}
    return document if isinstance(document, dict) else {}


def _undelivered(read: ReadSide, targets: set[str] | None) -> Iterator[Evidence]:
    dead_letters = {row["outbox_id"]: row["id"] for row in every_exception(read, "open", "dead_letter")}
    for row in read.deliveries(STOCK_EVENTS, ["pending", "dead"]):
        if targets and row["target"] not in targets:
            continue
        envelope = _loaded(row["envelope"])
        refs = [_message_ref(envelope)]
        cause = "pending_delivery"
        if row["status"] == "dead":
            cause = "dead_letter"
            refs += [f"exception:{dead_letters[row['id']]}"] if row["id"] in dead_letters else []
        for movement in _movements(envelope.get("data"), row["event_type"]):
            yield from _positions(movement, cause, refs)


def _quarantined(read: ReadSide) -> Iterator[Evidence]:
    for row in every_exception(read, "open", "quarantine"):
        if row["event_type"] not in STOCK_EVENTS:
            continue
        envelope = _loaded(row["payload"])
        refs = [f"exception:{row['id']}", _message_ref(envelope)]
        for movement in _movements(envelope.get("data"), row["event_type"]):
            yield from _positions(movement, "quarantined", refs)


def _in_transit(read: ReadSide, items: set[str]) -> Iterator[Evidence]:
    """Expected receipts still in transit (where the supplier flow keeps them), else ASN lines
    of the item and lot that no receipt took in. Either names the item and lot on its way, not
    where each system books it on arrival: it explains that lot wherever it stands."""
    expected = [r for found in read.entities_of_refs("expected_receipt", items).values() for r in found
                if r.get("status") == "in_transit"]
    for receipt in expected:
        yield Evidence(receipt["item_id"], None, None, receipt.get("lot_id"), "in_transit", f"asn:{receipt['asn_id']}")
    if expected:
        return
    lines = [(asn["asn_id"], line) for asn in read.entities_of_type("ship_notice")
             for line in asn.get("lines") or [] if line.get("item_id") in items]
    if not lines:
        return
    movements = read.entities_of_refs("movement", {line["item_id"] for _, line in lines})
    received = {(m["item_id"], m.get("lot_id")) for ms in movements.values() for m in ms if m.get("kind") == "receipt"}
    for asn_id, line in lines:
        if (line["item_id"], line.get("lot_id")) not in received:
            yield Evidence(line["item_id"], None, None, line.get("lot_id"), "in_transit", f"asn:{asn_id}")


def _after(read: ReadSide, items: set[str], as_of: datetime) -> Iterator[Evidence]:
    for movements in read.entities_of_refs("movement", items).values():
        for movement in movements:
            occurred = movement.get("occurred_at")
            if occurred and datetime.fromisoformat(occurred.replace("Z", "+00:00")) > as_of:
                yield from _positions(movement, "after_as_of", [f"movement:{movement['movement_id']}"])
