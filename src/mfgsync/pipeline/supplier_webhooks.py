"""Receiving a procurement platform's webhook call: verified, then ingested, or refused and audited.

A call with a bad or missing signature, a timestamp outside the partner's window, or an event
the hub has received before (a replay inside the window) is refused with its reason code and an
audit entry, and nothing of it is applied; an unreadable body is refused the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

from mfgsync.adapters.supplier_webhooks import envelopes_of_call, verify_call
from mfgsync.pipeline.batch import IngestReport
from mfgsync.pipeline.clock import iso
from mfgsync.pipeline.intake import Intake
from mfgsync.rules.findings import Finding
from mfgsync.store.port import AuditEntry, Store, transact


@dataclass
class CallOutcome:
    accepted: bool
    code: str | None = None
    message: str | None = None
    report: IngestReport = field(default_factory=IngestReport)


def receive_call(intake: Intake, store: Store, partner: Any, headers: Mapping[str, str], body: bytes) -> CallOutcome:
    now = intake.clock()
    refusal = verify_call(partner.secret() or "", headers, body, now, partner.webhook_window_seconds)
    envelopes = None
    if refusal is None:
        read = envelopes_of_call(body, partner, datetime.fromtimestamp(now, timezone.utc))
        refusal, envelopes = (read, None) if isinstance(read, Finding) else (None, read)
    if refusal is None:
        keys = [f"{e['source']}\x1f{e['id']}" for e in envelopes]
        seen = transact(store, lambda uow: uow.inbox_seen(keys))
        if seen:
            refusal = Finding("WEBHOOK_REPLAYED", f"event {next(iter(seen)).split(chr(31))[1]} was received before")
    if refusal is not None:
        entry = AuditEntry("webhook", "webhook.refused", partner.name,
                           {"code": refusal.code, "message": refusal.message, "bytes": len(body)})
        transact(store, lambda uow: uow.audit([entry], iso(now)))
        return CallOutcome(False, refusal.code, refusal.message)
    return CallOutcome(True, report=intake.ingest(envelopes))
