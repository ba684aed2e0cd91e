"""A WMS's own records as envelopes: transactions (receipts, put-away, transfers, picks, issues,
adjustments, cycle counts, lot and status changes) and periodic snapshots of its stock.

A record is a JSON object with `txn_id` and `type`; the site is the plant, the SKU the item:
    {"txn_id": "T-1", "type": "receipt", "site": "P1", "sku": "BOLT", "qty": 10, "unit": "EA",
     "lot": "L1", "from_loc": "DOCK", "to_loc": "A-01", "at": "2026-11-22T10:00:00Z"}
(`work_order` names the production order a movement serves, `customer_order` the customer's
order an issue ships to.)
- receipt → inventory.moved receipt into to_loc; putaway, transfer and pick (to a staging
  location) → transfer; a pick without to_loc and an issue → issue; adjustment → adjustment at
  its location, signed as sent;
- cycle_count (`counted`: the quantity found) → inventory.snapshot of that one place;
- lot_change (`new_lot`) → two adjustments: out of the old lot, into the new;
- status_change (`status`: blocked, released or rejected) → quality.hold / quality.released of
  hold `WMS:<sku>:<lot>`, so the release names the hold the block made;
- snapshot (`snapshot_id`, `balances`: [{sku, loc, lot, qty, unit, status}]) → inventory.snapshot.
The message id is the WMS's txn_id (or snapshot_id): a record sent again is a duplicate. Only
translation happens here; a record that is not one of these is handed on whole with
WMS_RECORD_INVALID, to be quarantined with its neighbours untouched.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any

from mfgsync.adapters.decode import Decoded, kept_raw
from mfgsync.envelope import new_envelope
from mfgsync.rules.findings import Finding

MAX_RECORDS = 10_000
KEPT_CHARS = 64 * 1024
_MOVES = {"receipt": "receipt", "putaway": "transfer", "transfer": "transfer", "issue": "issue",
          "adjustment": "adjustment"}
_HOLD = {"blocked": ("quality.hold", "held"), "released": ("quality.released", "released"),
         "rejected": ("quality.released", "rejected")}


class WmsRecordError(ValueError):
    pass


def envelopes(body: bytes | str, source: str = "wms") -> list[dict | Decoded]:
    """The envelopes of one webhook body: a record, or a JSON array of records."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return [_invalid(text, source, "the body is not JSON")]
    records = document if isinstance(document, list) else [document]
    if len(records) > MAX_RECORDS:
        return [_invalid(text, source, f"{len(records)} records in one body; at most {MAX_RECORDS}")]
    out: list[dict | Decoded] = []
    for record in records:
        try:
            out += translate(record, source)
        except WmsRecordError as exc:
            out.append(_invalid(json.dumps(record, default=str)[:KEPT_CHARS], source, str(exc)))
    return out


def translate(record: Any, source: str = "wms") -> list[dict]:
    if not isinstance(record, dict):
        raise WmsRecordError("a WMS record is a JSON object")
    kind = record.get("type")
    if not isinstance(kind, str):
        raise WmsRecordError("`type` is required (text)")
    txn = _text(record, "snapshot_id" if kind == "snapshot" else "txn_id")
    at = _time(record)
    if kind == "snapshot":
        data = {"snapshot_id": txn, "plant_id": _text(record, "site"), "taken_at": record.get("at"),
                "balances": [_balance(b, record) for b in _list(record, "balances")]}
        return [new_envelope(source, txn, "inventory.snapshot", data, at)]
    if kind == "cycle_count":
        balance = _balance({**record, "qty": record.get("counted"), "loc": record.get("loc") or record.get("from_loc")},
                           record)
        data = {"snapshot_id": txn, "plant_id": _text(record, "site"), "taken_at": record.get("at"), "balances": [balance]}
        return [new_envelope(source, txn, "inventory.snapshot", data, at)]
    if kind == "status_change":
        return [_hold(record, txn, at, source)]
    if kind == "lot_change":
        out_of = _movement(record, f"{txn}-out", "adjustment", negative=True)
        into = _movement({**record, "lot": _text(record, "new_lot")}, f"{txn}-in", "adjustment")
        return [new_envelope(source, f"{txn}-out", "inventory.moved", out_of, at),
                new_envelope(source, f"{txn}-in", "inventory.moved", into, at)]
    if kind == "pick":
        movement = _movement(record, txn, "transfer" if record.get("to_loc") else "issue")
        return [new_envelope(source, txn, "inventory.moved", movement, at)]
    if kind in _MOVES:
        return [new_envelope(source, txn, "inventory.moved", _movement(record, txn, _MOVES[kind]), at)]
    raise WmsRecordError(f"record type {str(kind)[:40]!r} is not one the hub reads")


def _movement(record: dict, movement_id: str, kind: str, negative: bool = False) -> dict:
    qty = record.get("qty")
    if isinstance(qty, bool) or not isinstance(qty, (int, float, str)):
        raise WmsRecordError("qty must be a number")
    data = {"movement_id": movement_id, "kind": kind, "item_id": _text(record, "sku"),
            "qty": f"-{qty}" if negative else qty, "uom": _text(record, "unit"), "plant_id": _text(record, "site"),
            "from_location": record.get("from_loc"), "to_location": record.get("to_loc"), "lot_id": record.get("lot"),
            "occurred_at": record.get("at"), "production_order_id": record.get("work_order"),
            "customer_order_id": record.get("customer_order")}
    if kind == "adjustment" and not data["to_location"]:
        data["to_location"] = record.get("loc") or record.get("from_loc")
    return {k: v for k, v in data.items() if v is not None}


def _balance(row: Any, record: dict) -> dict:
    if not isinstance(row, dict):
        raise WmsRecordError("a snapshot balance is a JSON object")
    status = row.get("status") or "available"
    status = "quality_hold" if status == "blocked" else status
    data = {"item_id": _text(row, "sku"), "plant_id": _text(record, "site"), "location_id": _text(row, "loc"),
            "lot_id": row.get("lot"), "status": status, "qty": row.get("qty"), "uom": _text(row, "unit")}
    return {k: v for k, v in data.items() if v is not None}


def _hold(record: dict, txn: str, at: datetime, source: str) -> dict:
    status = record.get("status")
    if not isinstance(status, str) or status not in _HOLD:
        raise WmsRecordError(f"status must be one of {', '.join(_HOLD)}")
    event_type, hold_status = _HOLD[status]
    sku, lot = _text(record, "sku"), record.get("lot")
    data = {"hold_id": f"WMS:{sku}:{lot or '*'}", "item_id": sku, "lot_id": lot, "status": hold_status,
            "reason": record.get("reason")}
    return new_envelope(source, txn, event_type, {k: v for k, v in data.items() if v is not None}, at)


def _text(record: dict, name: str) -> str:
    value = record.get(name)
    if not isinstance(value, str) or not value.strip():
        raise WmsRecordError(f"`{name}` is required (text)")
    return value


def _list(record: dict, name: str) -> list:
    value = record.get(name)
    if not isinstance(value, list):
        raise WmsRecordError(f"`{name}` must be a list")
    return value


def _time(record: dict) -> datetime:
    """When the WMS says it happened; the envelope's time orders updates of one entity."""
    value = record.get("at")
    if value is None:
        return datetime.now(timezone.utc)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            raise WmsRecordError("`at` carries no time zone")
        return parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError) as exc:
        raise WmsRecordError(str(exc) if isinstance(exc, WmsRecordError) else "`at` is not an ISO 8601 timestamp") \
            from None


def _invalid(text: str, source: str, why: str) -> Decoded:
    digest = hashlib.sha256(text.encode("utf-8", "backslashreplace")).hexdigest()
    return Decoded(kept_raw(text, KEPT_CHARS), f"{source}\x1fwms-{digest[:32]}", source, f"wms-{digest[:32]}",
                   findings=[Finding("WMS_RECORD_INVALID", why)])
