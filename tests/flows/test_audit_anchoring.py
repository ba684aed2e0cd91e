"""`audit verify` reports what a hash chain alone cannot: a log wiped whole, a log cut short with
its head moved back, and (with a key, or against an anchor kept elsewhere) a chain recomputed
from the start with the public algorithm."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from mfgsync import queries
from mfgsync.store import audit_chain
from tests.support.messages import envelope, item

KEY = b"audit-key-kept-apart"


@pytest.fixture
def audited(make_hub, monkeypatch):
    monkeypatch.setenv("MFGSYNC_AUDIT_KEY", KEY.decode())
    hub = make_hub()
    hub.intake.ingest([envelope("item.upserted", item(f"P{n}")) for n in range(5)])
    assert queries.verify_audit(hub.store, KEY).ok
    return hub


def _sql(hub, *statements: str, rows: list[dict] | None = None) -> None:
    with hub.store.engine.begin() as c:
        for statement in statements:
            c.execute(text(statement), rows or {})


def _rewrite_with_the_public_algorithm(hub) -> None:
    """What someone with write access but no key would do: change a row and recompute the chain."""
    with hub.store.engine.begin() as c:
        kept = c.execute(text("SELECT seq, at, actor, action, subject, detail FROM audit ORDER BY seq")).all()
        c.execute(text("DELETE FROM audit"))
        prev = audit_chain.GENESIS
        for seq, (_, at, actor, action, subject, detail) in enumerate(kept, start=1):
            detail = detail.replace("plm", "erp") if seq == 2 else detail
            hashed = audit_chain.digest(seq, at, actor, action, subject, detail, prev)
            c.execute(text("INSERT INTO audit (seq, at, actor, action, subject, detail, prev_hash, hash) "
                           "VALUES (:s, :at, :ac, :an, :su, :d, :p, :h)"),
                      {"s": seq, "at": at, "ac": actor, "an": action, "su": subject, "d": detail, "p": prev, "h": hashed})
            prev = hashed
        c.execute(text("UPDATE audit_head SET seq = :s, hash = :h"), {"s": len(kept), "h": prev})


def test_a_wiped_audit_log_is_reported_while_the_inbox_holds_messages(audited):
    _sql(audited, "DELETE FROM audit", "DELETE FROM audit_head")
    problems = queries.verify_audit(audited.store, KEY).problems
    assert any("records 0 message decisions but the inbox holds 5" in p for p in problems)


def test_a_log_cut_short_with_its_head_moved_back_is_reported(audited):
    _sql(audited, "DELETE FROM audit WHERE seq > 3")
    with audited.store.engine.begin() as c:
        third = c.execute(text("SELECT hash FROM audit WHERE seq = 3")).scalar()
        c.execute(text("UPDATE audit_head SET seq = 3, hash = :h"), {"h": third})
    problems = queries.verify_audit(audited.store, KEY).problems
    assert problems and "inbox holds 5" in problems[-1]


def test_a_keyed_chain_recomputed_with_the_public_algorithm_does_not_verify(audited):
    _rewrite_with_the_public_algorithm(audited)
    assert not queries.verify_audit(audited.store, KEY).ok


def test_without_a_key_an_anchor_kept_apart_shows_a_recomputed_chain(make_hub):
    hub = make_hub()
    hub.intake.ingest([envelope("item.upserted", item(f"P{n}")) for n in range(5)])
    anchor = queries.audit_anchor(hub.store)
    hub.intake.ingest([envelope("item.upserted", item("LATER"))])
    _rewrite_with_the_public_algorithm(hub)
    assert queries.verify_audit(hub.store).ok, "without a key, a chain recomputed whole verifies…"
    problems = queries.verify_audit(hub.store, anchor=(anchor["seq"], anchor["hash"])).problems
    assert any(f"anchored row {anchor['seq']}" in p for p in problems), "…the anchor does not"
