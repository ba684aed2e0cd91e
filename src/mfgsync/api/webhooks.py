"""Inbound webhooks: each source's signature check, and the hub's own scheme as the default.

The hub's scheme is the one its webhook target signs with (connectors/webhook.py): headers
`X-Mfgsync-Timestamp` (Unix seconds) and `X-Mfgsync-Signature: sha256=<hex of HMAC-SHA256(secret,
timestamp + "." + body)>`, refused outside a window of `WINDOW_SECONDS` either side of the hub's
clock, so a captured request cannot be replayed later. A partner platform that signs its own way
registers its check in `CHECKS` under its source name. The secret comes from the source's
`secret_env` in the configuration, never from the file or the request.
"""

from __future__ import annotations

from typing import Callable, Mapping

from mfgsync.connectors.webhook import verify

WINDOW_SECONDS = 300

# (secret, request headers, raw body, now) -> None when genuine, else why not.
SignatureCheck = Callable[[str, Mapping[str, str], bytes, float], str | None]


def hub_signature(secret: str, headers: Mapping[str, str], body: bytes, now: float) -> str | None:
    timestamp, signature = headers.get("x-mfgsync-timestamp"), headers.get("x-mfgsync-signature")
    if not timestamp or not signature:
        return "the X-Mfgsync-Timestamp and X-Mfgsync-Signature headers are required"
    try:
        age = abs(now - float(timestamp))
    except ValueError:
        return "X-Mfgsync-Timestamp is not a number of seconds"
    if age != age or age > WINDOW_SECONDS:  # NaN compares unequal to itself
        return f"the timestamp is outside the {WINDOW_SECONDS} s window (stale, or a clock far off)"
    if not verify(secret, timestamp, body, signature, WINDOW_SECONDS, now):
        return "the signature does not match the body"
    return None


# Per source, for platforms with their own signing scheme; any other source uses the hub's.
CHECKS: dict[str, SignatureCheck] = {}


def check_for(source: str) -> SignatureCheck:
    return CHECKS.get(source, hub_signature)
