"""Calls from a procurement platform's webhooks: checked, then read as canonical events.

A call carries `X-Mfgsync-Timestamp` (Unix seconds) and `X-Mfgsync-Signature:
sha256=<hex of HMAC-SHA256(secret, timestamp + "." + body)>`, the scheme of the hub's own
outbound webhooks. `verify_call` is pure: it refuses an unsigned or tampered call and one
whose timestamp is outside the partner's window (a replay from long ago); the receiver refuses
a call seen before inside the window (pipeline/supplier_webhooks.py). The body is one event
`{"id", "type", "data"}` or `{"events": [...]}`, types po.acknowledged, asn.received and
invoice.received, `data` in the canonical field names.
"""

from __future__ import annotations

import hmac
import json
from datetime import datetime
from typing import Any, Mapping

from mfgsync.connectors.webhook import sign
from mfgsync.envelope import new_envelope
from mfgsync.rules.findings import Finding

SUPPLIER_EVENTS = ("po.acknowledged", "asn.received", "invoice.received")
TIMESTAMP, SIGNATURE = "x-mfgsync-timestamp", "x-mfgsync-signature"


def verify_call(secret: str, headers: Mapping[str, str], body: bytes, now: float, window_seconds: float
                ) -> Finding | None:
    """None when the call is signed with `secret` over this very body, within the window."""
    named = {name.lower(): value for name, value in headers.items()}
    timestamp, signature = named.get(TIMESTAMP, ""), named.get(SIGNATURE, "")
    if not timestamp or not signature:
        return Finding("WEBHOOK_SIGNATURE_INVALID", "the call carries no timestamp or signature")
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return Finding("WEBHOOK_TIMESTAMP_STALE", "the call's timestamp is not Unix seconds")
    if abs(now - int(timestamp)) > window_seconds:
        return Finding("WEBHOOK_TIMESTAMP_STALE", f"the call's timestamp is more than {window_seconds:g} s "
                                                  "from the hub's clock")
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode("utf-8", "replace")):
        return Finding("WEBHOOK_SIGNATURE_INVALID", "the signature does not match the body")
    return None


def envelopes_of_call(body: bytes, partner: Any, now: datetime) -> list[dict[str, Any]] | Finding:
    """The call's events as envelopes from the partner, or why the body cannot be read."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return Finding("MALFORMED_JSON", "the call's body is not JSON")
    events = document.get("events") if isinstance(document, dict) and "events" in document else [document]
    if not isinstance(events, list) or not events or len(events) > 1000:
        return Finding("INVALID_FIELD", "the call carries one event or a list of 1 to 1,000 under `events`")
    envelopes = []
    for event in events:
        if not isinstance(event, dict) or event.get("type") not in SUPPLIER_EVENTS \
                or not isinstance(event.get("id"), str) or not isinstance(event.get("data"), dict):
            return Finding("INVALID_FIELD", f"each event needs an id, a type among {', '.join(SUPPLIER_EVENTS)} "
                                            "and its data")
        data = dict(event["data"])
        if event["type"] != "po.acknowledged":
            data["supplier_id"] = partner.supplier_id or partner.name
        envelopes.append(new_envelope(partner.name, f"webhook:{event['id']}", event["type"], data, now,
                                      correlationid=f"webhook:{partner.name}:{event['id']}"))
    return envelopes
