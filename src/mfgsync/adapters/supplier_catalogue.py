"""A supplier's catalogue feed (CSV or JSON) as sourcing rules: lead time, MOQ, order multiple,
unit price and price breaks per item, from a date.

Rows name the item by the hub's id (`item_id`) or by the supplier's number (`supplier_item_id`,
looked up in the sourcing rules the hub holds). Price breaks are a JSON list of `{"min_qty",
"unit_price"}` or, in CSV, `100:0.18;500:0.15`. Each row becomes a `sourcing.updated` message whose
id carries its content's digest: the same feed again is a duplicate, a changed row a new version
(kept in the rule's history) that replaces the one in force.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import datetime
from typing import Any, Mapping

from mfgsync.envelope import new_envelope

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


def catalogue_envelopes(rows: list[dict[str, Any]], supplier_id: str, source: str, known: Mapping[str, str],
                        now: datetime) -> list[dict[str, Any]]:
    envelopes = []
    for row in rows:
        data = {name: row[name] for name in FIELDS if row.get(name) not in (None, "")}
        if "item_id" not in data and data.get("supplier_item_id") in known:
            data["item_id"] = known[data["supplier_item_id"]]
        if "price_breaks" in data:
            data["price_breaks"] = _breaks(data["price_breaks"])
        data["supplier_id"] = supplier_id
        digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]
        item = str(data.get("item_id") or data.get("supplier_item_id") or "?")[:60]
        envelopes.append(new_envelope(source, f"catalogue:{supplier_id}:{item}:{digest}", "sourcing.updated", data,
                                      now, correlationid=f"catalogue:{supplier_id}"))
    return envelopes
