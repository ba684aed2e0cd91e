"""A supplier's catalogue feed (CSV or JSON) as sourcing rules: lead time, MOQ, order multiple,
unit price and price breaks per item, from a date.

Rows name the item by the hub's id (`item_id`) or by the supplier's number (`supplier_item_id`,
looked up in the sourcing rules the hub holds). Price breaks are a JSON list of `{"min_qty",
"unit_price"}` or, in CSV, `100:0.18;500:0.15`. Each row becomes a `sourcing.updated` message.

A row's identity is its values and its place in the sequence of messages that set its rule (item,
supplier): its id carries its content's digest and that position. The same feed again, while its
rows are still the last ones applied to their rules, takes their ids again and is a duplicate;
anything else is a new version (kept in the rule's history) that replaces the one in force, so a
feed re-sent after a later one (A, then B, then A) brings A's terms back into force.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import datetime
from typing import Any, Mapping, Sequence

from mfgsync.envelope import new_envelope
from mfgsync.model import keys

FIELDS = ("item_id", "supplier_item_id", "lead_time_days", "moq", "order_multiple", "unit_price", "currency",
          "valid_from", "valid_to", "priority", "price_breaks")


def read_rows(text: str) -> list[dict[str, Any]]:
    """The feed's rows: a JSON list (or `{"items": [...]}`), else CSV with a header row."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("[", "{")):
        document = json.loads(stripped)
        rows = document.get("items") if isinstance(document, dict) else document
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ValueError("a JSON catalogue is a list of rows, or {\"items\": [rows]}")
        return rows
    return [{k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k}
            for row in csv.DictReader(io.StringIO(stripped))]


def _breaks(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    pairs = [p.split(":", 1) for p in value.split(";") if p.strip()]
    return [{"min_qty": q.strip(), "unit_price": price.strip()} for q, price in pairs] if all(
        len(p) == 2 for p in pairs) else value  # anything else is judged by the model


def _rule_data(row: Mapping[str, Any], supplier_id: str, known: Mapping[str, str]) -> dict[str, Any]:
    data = {name: row[name] for name in FIELDS if row.get(name) not in (None, "")}
    if "item_id" not in data and data.get("supplier_item_id") in known:
        data["item_id"] = known[data["supplier_item_id"]]
    if "price_breaks" in data:
        data["price_breaks"] = _breaks(data["price_breaks"])
    data["supplier_id"] = supplier_id
    return data


def _item(data: Mapping[str, Any]) -> str:
    return str(data.get("item_id") or data.get("supplier_item_id") or "?")


def _stem(data: Mapping[str, Any]) -> str:
    """The id of a row's values, before its position is added."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return f"catalogue:{data['supplier_id']}:{_item(data)[:60]}:{digest}"


def _applied_ids(applied: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Per sourcing rule key, the ids of the messages applied to it, oldest first."""
    ids: dict[str, list[str]] = {}
    for message in applied:
        if message.get("entity_key"):
            ids.setdefault(message["entity_key"], []).append(message["message_id"])
    return ids


def _is_row(message_id: str, stem: str) -> bool:
    return message_id == stem or message_id.startswith(stem + ":")  # without a position: an id kept from before


def _sequence_ids(stems: list[str], before: list[str]) -> list[str]:
    """The ids of one rule's rows in this feed: those of the messages that last set the rule when
    they are these rows again (a re-sent feed; rows applied in one batch share a time, so in any
    order), else new ones numbered after them."""
    recent, again = before[-len(stems):], []
    for stem in stems:
        same = next((message_id for message_id in recent if _is_row(message_id, stem)), None)
        if same is None:
            return [f"{stem}:{len(before) + n}" for n, stem in enumerate(stems, 1)]
        recent.remove(same)
        again.append(same)
    return again


def _message_ids(datas: list[dict[str, Any]], applied: Sequence[Mapping[str, Any]]) -> list[str]:
    rows_of: dict[str, list[int]] = {}
    for index, data in enumerate(datas):
        rows_of.setdefault(keys.sourcing(_item(data), data["supplier_id"]), []).append(index)
    before = _applied_ids(applied)
    ids = [""] * len(datas)
    for rule, indexes in rows_of.items():
        for index, message_id in zip(indexes, _sequence_ids([_stem(datas[i]) for i in indexes],
                                                             before.get(rule, []))):
            ids[index] = message_id
    return ids


def catalogue_envelopes(rows: list[dict[str, Any]], supplier_id: str, source: str, known: Mapping[str, str],
                        now: datetime, applied: Sequence[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """The feed's rows as messages. `applied`: the hub's applied `sourcing.updated` messages,
    oldest first (as `ReadSide.messages` gives them), which place each row in its rule's sequence."""
    datas = [_rule_data(row, supplier_id, known) for row in rows]
    return [new_envelope(source, message_id, "sourcing.updated", data, now, correlationid=f"catalogue:{supplier_id}")
            for data, message_id in zip(datas, _message_ids(datas, applied))]
