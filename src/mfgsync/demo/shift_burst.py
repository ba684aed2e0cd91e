"""A shift-change burst: the consumption a plant's MES and WMS send when a shift closes.

Opening receipts for every item in every plant, then consumption events spread over the items
and plants, shuffled within each item's stream, with duplicates: some re-sent as they were,
some re-sent under a new message id (the movement id still recognises them). A quarter of the
items are counted in kilograms and consumed in grams. `expected_balances` recomputes the end
state independently of the hub: receipts less every distinct consumption, in base units.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

OPENING_STOCK = 1_000_000
PLANTS = ("P1", "P2", "P3")


class Burst(NamedTuple):
    messages: list[str]  # envelopes as JSON text, in arrival order
    consumptions: list[dict]  # the distinct consumption movements sent
    items: dict[str, str]  # item id -> base unit


def shift_burst(events: int = 50_000, n_items: int = 200, duplicate_share: float = 0.05, seed: int = 11) -> Burst:
    rng = random.Random(seed)
    items = {f"C-{n:04d}": ("KGM" if n % 4 == 0 else "C62") for n in range(n_items)}
    setup = [_envelope(f"item-{i}", "plm", "item.upserted", 0, {"item_id": i, "description": f"consumable {i}", "base_uom": u, "item_type": "buy"})
             for i, u in items.items()]
    setup += [_envelope(f"open-{i}-{p}", "wms", "inventory.moved", 1, {
        "movement_id": f"OPEN-{i}-{p}", "kind": "receipt", "item_id": i, "qty": OPENING_STOCK, "uom": u,
        "plant_id": p, "to_location": "LINE"}) for i, u in items.items() for p in PLANTS]
    streams: dict[tuple[str, str], list[dict]] = defaultdict(list)
    consumptions = []
    for k in range(events):
        item_id, plant = rng.choice(list(items)), rng.choice(PLANTS)
        grams = items[item_id] == "KGM"
        movement = {"movement_id": f"MV-{k:06d}", "kind": "consumption", "item_id": item_id,
                    "qty": rng.randint(1, 900) if grams else rng.randint(1, 9), "uom": "GRM" if grams else "C62",
                    "plant_id": plant, "from_location": "LINE", "production_order_id": f"WO-{plant}-{k % 97}"}
        consumptions.append(movement)
        streams[(item_id, plant)].append(movement)
    ordered = _interleaved(streams, rng)
    messages = [_envelope(f"mes-{mv['movement_id']}", "wms", "inventory.moved", 2 + n, mv)
                for n, mv in enumerate(ordered)]
    messages = _with_duplicates(messages, duplicate_share, rng)
    return Burst([json.dumps(m) for m in setup + messages], consumptions, items)


def _interleaved(streams: dict[tuple[str, str], list[dict]], rng: random.Random) -> list[dict]:
    """Each stream shuffled in itself, the streams then dealt out at random."""
    for stream in streams.values():
        rng.shuffle(stream)
    order = [key for key, stream in streams.items() for _ in stream]
    rng.shuffle(order)
    cursors = dict.fromkeys(streams, 0)
    dealt = []
    for key in order:
        dealt.append(streams[key][cursors[key]])
        cursors[key] += 1
    return dealt


def _with_duplicates(messages: list[dict], share: float, rng: random.Random) -> list[dict]:
    """Copies inserted later in the feed: half as sent, half under a new message id."""
    out = list(messages)
    for n, index in enumerate(rng.sample(range(len(messages)), int(len(messages) * share))):
        copy = dict(messages[index])
        if n % 2:
            copy["id"] = f"resent-{copy['id']}"
        out.insert(rng.randrange(index + 1, len(out) + 1), copy)
    return out


def _envelope(message_id: str, source: str, event_type: str, second: int, data: dict) -> dict:
    minute, sec = divmod(second, 60)
    hour, minute = divmod(minute, 60)
    return {"specversion": "1.0", "id": message_id, "source": source, "type": event_type,
            "time": f"2026-11-23T{hour % 24:02d}:{minute:02d}:{sec:02d}Z", "data": data}


def expected_balances(burst: Burst) -> dict[tuple[str, str], Decimal]:
    """(item, plant) -> the LINE balance after the burst, in the item's base unit."""
    balances = {(i, p): Decimal(OPENING_STOCK) for i in burst.items for p in PLANTS}
    for mv in burst.consumptions:
        qty = Decimal(mv["qty"]) / 1000 if mv["uom"] == "GRM" else Decimal(mv["qty"])
        balances[(mv["item_id"], mv["plant_id"])] -= qty
    return balances
