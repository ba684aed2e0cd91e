"""The read side of a SQL store (see port.ReadSide): queries over committed state."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any, Iterable, Iterator

from sqlalchemy import Connection

from mfgsync.store.lineage import node as _node, tree as _tree
from mfgsync.store.port import EXCEPTION_COLUMNS, Backlog, ExceptionPage, InboxFigures
from mfgsync.store.sql.dialect import Dialect

_BALANCE = "item_id, plant_id, location_id, lot_id, status, qty, uom"
_MESSAGE = ("msg_key", "source", "message_id", "event_type", "entity_key", "correlation_id", "outcome",
            "received_at", "envelope")
_DELIVERY = ("id", "target", "status", "msg_key", "event_type", "entity_key", "created_at", "delivered_at")
_SCAN_ABOVE = 5000  # items asked for at once above which base_units reads every item instead
_BASE_UOM = re.compile(r'"base_uom":\s*"([A-Z0-9]{1,8})"')  # a Rec 20 code, as the canonical JSON writes it


def _base_uom(data: str) -> str | None:
    """An item document's base unit: found in its text, or read from the parsed document when
    the text holds it otherwise (null, or written by another hand)."""
    found = _BASE_UOM.search(data)
    if found:
        return found.group(1)
    return json.loads(data).get("base_uom") if '"base_uom"' in data else None


def _balance(row) -> dict[str, Any]:
    item_id, plant_id, location_id, lot_id, status, qty, uom = row
    return {"item_id": item_id, "plant_id": plant_id, "location_id": location_id, "lot_id": lot_id,
            "status": status, "qty": Decimal(qty), "uom": uom}


class SqlReadSide:
    def __init__(self, connection: Connection, dialect: Dialect):
        self.c, self.d = connection, dialect

    def _rows(self, sql: str, **params):
        return self.d.one(self.c, sql, params).all()

    def ping(self) -> None:
        self._rows("SELECT 1")

    # --- entities and stock ---
    def entity(self, key: str) -> dict[str, Any] | None:
        rows = self._rows(f"SELECT data FROM entities WHERE entity_key = {self.d.p('k')}", k=key)
        return json.loads(rows[0][0]) if rows else None

    def entities_of_type(self, entity_type: str) -> list[dict[str, Any]]:
        rows = self._rows(f"SELECT data FROM entities WHERE entity_type = {self.d.p('t')} ORDER BY entity_key",
                          t=entity_type)
        return [json.loads(data) for (data,) in rows]

    def entities_of_ref(self, entity_type: str, ref: str) -> list[dict[str, Any]]:
        p = self.d.p
        rows = self._rows(f"SELECT data FROM entities WHERE entity_type = {p('t')} AND ref = {p('r')} "
                          "ORDER BY entity_key", t=entity_type, r=ref)
        return [json.loads(data) for (data,) in rows]

    def history(self, entity_key: str) -> list[dict[str, Any]]:
        rows = self._rows(f"SELECT envelope FROM inbox WHERE entity_key = {self.d.p('k')} AND outcome = 'applied' "
                          "ORDER BY seq_token IS NULL, seq_token, received_at", k=entity_key)
        return [json.loads(envelope) for (envelope,) in rows]

    def balances(self, item_id: str | None = None) -> list[dict[str, Any]]:
        if item_id is None:
            return [_balance(r) for r in self._rows(f"SELECT {_BALANCE} FROM balances ORDER BY balance_key")]
        rows = self._rows(f"SELECT {_BALANCE} FROM balances WHERE item_id = {self.d.p('i')} ORDER BY balance_key",
                          i=item_id)
        return [_balance(r) for r in rows]

    def balances_as_of(self, at: str) -> list[dict[str, Any]]:
        rows = self._rows("SELECT b.balance_key, b.item_id, b.plant_id, b.location_id, b.lot_id, b.status, l.kind, "
                          "l.qty, b.uom FROM ledger l JOIN balances b ON b.balance_key = l.balance_key "
                          f"WHERE l.at <= {self.d.p('at')} ORDER BY b.balance_key, l.id", at=at)
        found: dict[str, dict[str, Any]] = {}
        for key, item_id, plant_id, location_id, lot_id, status, kind, qty, uom in rows:
            row = found.get(key)
            if row is None or kind == "count":
                found[key] = _balance((item_id, plant_id, location_id, lot_id, status, qty, uom))
            else:
                row["qty"] += Decimal(qty)
        return list(found.values())

    def ledger(self, balance_key: str) -> list[dict[str, Any]]:
        rows = self._rows(f"SELECT kind, qty, uom, msg_key, at FROM ledger WHERE balance_key = {self.d.p('k')} "
                          "ORDER BY id", k=balance_key)
        return [{"kind": k, "qty": Decimal(q), "uom": u, "msg_key": m, "at": at} for k, q, u, m, at in rows]

    # --- exceptions ---
    def exceptions(self, status: str | None = "open", kind: str | None = None, role: str | None = None,
                   code: str | None = None, after_id: int = 0, limit: int = 500) -> ExceptionPage:
        p = self.d.p
        clauses, params = [f"id > {p('after')}"], {"after": after_id, "limit": limit + 1}
        if status == "open":
            clauses.append("status IN ('open', 'pending_approval')")
        elif status and status != "all":
            clauses.append(f"status = {p('status')}")
            params["status"] = status
        for name, value in (("kind", kind), ("owner_role", role)):
            if value:
                clauses.append(f"{name} = {p(name)}")
                params[name] = value
        if code:
            clauses.append(f"(',' || codes || ',') LIKE {p('code')}")
            params["code"] = f"%,{code},%"
        rows = self._rows(f"SELECT {', '.join(EXCEPTION_COLUMNS)} FROM exceptions WHERE {' AND '.join(clauses)} "
                          f"ORDER BY id LIMIT {p('limit')}", **params)
        page = [dict(zip(EXCEPTION_COLUMNS, r)) for r in rows[:limit]]
        more = len(rows) > limit
        return ExceptionPage(page, more, page[-1]["id"] if more else None)

    def exception(self, exception_id: int) -> dict[str, Any] | None:
        rows = self._rows(f"SELECT {', '.join(EXCEPTION_COLUMNS)} FROM exceptions WHERE id = {self.d.p('id')}",
                          id=exception_id)
        return dict(zip(EXCEPTION_COLUMNS, rows[0])) if rows else None

    def open_exceptions(self) -> list[tuple[str, str, int, str]]:
        return [tuple(r) for r in self._rows(
            "SELECT kind, owner_role, COUNT(*), MIN(first_seen) FROM exceptions "
            "WHERE status IN ('open', 'pending_approval') GROUP BY kind, owner_role ORDER BY kind, owner_role")]

    # --- figures ---
    def inbox_figures(self) -> InboxFigures:
        outcomes = {o: n for o, n in self._rows("SELECT outcome, COUNT(*) FROM inbox GROUP BY outcome")}
        repeats = self._rows("SELECT COALESCE(SUM(times_seen - 1), 0) FROM inbox")[0][0]
        return InboxFigures(outcomes, int(repeats))

    def outbox_counts(self) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        for target, status, n in self._rows(
                "SELECT target, status, COUNT(*) FROM outbox GROUP BY target, status ORDER BY target"):
            result.setdefault(target, {})[status] = n
        return result

    def failed_attempts(self) -> int:
        return self._rows("SELECT COUNT(*) FROM outbox WHERE attempts > 0 AND last_error IS NOT NULL")[0][0]

    def propagation(self, event_type: str) -> list[tuple[str, str | None, int]]:
        return [tuple(r) for r in self._rows(
            "SELECT i.received_at, MAX(o.delivered_at), SUM(CASE WHEN o.status = 'delivered' THEN 0 ELSE 1 END) "
            f"FROM inbox i JOIN outbox o ON o.msg_key = i.msg_key WHERE i.event_type = {self.d.p('t')} "
            "GROUP BY i.msg_key, i.received_at", t=event_type)]

    def backlog(self, now: float) -> Backlog:
        p = self.d.p
        row = self._rows(
            "SELECT COUNT(*), "
            f"SUM(CASE WHEN lease_until > {p('now')} THEN 1 ELSE 0 END), "
            f"MAX(CASE WHEN lease_until > {p('now')} THEN lease_until END), "
            f"MIN(CASE WHEN next_attempt_at > {p('now')} THEN next_attempt_at END), "
            "SUM(CASE WHEN EXISTS (SELECT 1 FROM outbox d WHERE d.target = o.target AND d.entity_key = o.entity_key "
            "AND d.status = 'dead' AND d.id < o.id) THEN 1 ELSE 0 END) "
            "FROM outbox o WHERE status = 'pending'", now=now)[0]
        due = self._rows("SELECT COUNT(*) FROM outbox o WHERE o.status = 'pending' AND o.next_attempt_at <= "
                         f"{p('now')} AND (o.lease_until IS NULL OR o.lease_until <= {p('now')}) AND NOT EXISTS "
                         "(SELECT 1 FROM outbox q WHERE q.target = o.target AND q.entity_key = o.entity_key "
                         "AND q.status IN ('pending', 'dead') AND q.id < o.id)", now=now)[0][0]
        dead = self._rows("SELECT COUNT(*) FROM outbox WHERE status = 'dead'")[0][0]
        pending, leased, lease_end, retry_at, held = row
        return Backlog(pending, due, int(leased or 0), lease_end, retry_at, int(held or 0), dead)

    def scheduled_due(self, now: float) -> int:
        return self._rows(f"SELECT COUNT(*) FROM schedule WHERE status = 'pending' AND due_at <= {self.d.p('now')}",
                          now=now)[0][0]

    # --- lineage ---
    def lineage(self, correlation_id: str) -> list[dict[str, Any]]:
        p, k = self.d.p, {"c": correlation_id}
        nodes = []
        for key, source, event_type, entity_key, outcome, at, cause in self._rows(
                "SELECT msg_key, source, event_type, entity_key, outcome, received_at, causation_id FROM inbox "
                f"WHERE correlation_id = {p('c')}", **k):
            nodes.append(_node(f"message:{key}", cause, "message", source, event_type, entity_key, outcome, at))
        for oid, target, event_type, entity_key, status, created, done, cause in self._rows(
                "SELECT id, target, event_type, entity_key, status, created_at, delivered_at, causation_id "
                f"FROM outbox WHERE correlation_id = {p('c')}", **k):
            nodes.append(_node(f"effect:{oid}", cause, "effect", target, event_type, entity_key, status, created))
            if status in ("delivered", "dead") and done:
                nodes.append(_node(f"delivery:{oid}", f"effect:{oid}", "delivery", target, event_type, entity_key,
                                   status, done))
        for eid, role, event_type, entity_key, status, at, cause in self._rows(
                "SELECT id, owner_role, event_type, entity_key, status, first_seen, causation_id FROM exceptions "
                f"WHERE correlation_id = {p('c')}", **k):
            nodes.append(_node(f"exception:{eid}", cause, "exception", role, event_type, entity_key, status, at))
        for sid, status, at, cause, effect in self._rows(
                "SELECT id, status, created_at, causation_id, effect FROM schedule "
                f"WHERE correlation_id = {p('c')}", **k):
            target = json.loads(effect).get("target")
            nodes.append(_node(f"schedule:{sid}", cause, "schedule", target, None, None, status, at))
        return _tree(nodes)

    # --- what reconciliation and the KPIs read ---
    def entities_of_refs(self, entity_type: str, refs: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        rows = self.d.select_in(self.c, "SELECT ref, entity_key, data FROM entities WHERE entity_type = {0} "
                                "AND ref {keys}", refs, entity_type)
        for ref, _, data in sorted(rows, key=lambda r: r[1]):
            found.setdefault(ref, []).append(json.loads(data))
        return found

    def messages(self, event_types: Iterable[str], outcomes: Iterable[str] | None = None) -> list[dict[str, Any]]:
        sql = f"SELECT {', '.join(_MESSAGE)} FROM inbox WHERE event_type {{keys}}"
        rows = [dict(zip(_MESSAGE, r)) for r in self.d.select_in(self.c, sql, event_types)]
        if outcomes is not None:
            wanted = set(outcomes)
            rows = [r for r in rows if r["outcome"] in wanted]
        return sorted(rows, key=lambda r: r["received_at"])

    def inbox_by_source(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for source, outcome, n in self._rows("SELECT source, outcome, COUNT(*) FROM inbox GROUP BY source, outcome "
                                             "ORDER BY source, outcome"):
            counts.setdefault(source, {})[outcome] = n
        return counts

    def base_units(self, item_ids: Iterable[str]) -> dict[str, str]:
        wanted = set(item_ids)
        # PostgreSQL reads the field itself; on SQLite, json_extract costs more than fetching the
        # item's text and finding the field in it (_base_uom).
        base = "CAST(data AS jsonb) ->> 'base_uom'" if self.d.postgres else "data"
        if len(wanted) > _SCAN_ABOVE:  # one pass over the items beats many key lists
            rows = [(ref, v) for ref, v in self._rows(f"SELECT ref, {base} FROM entities WHERE entity_type = 'item'")
                    if ref in wanted]
        else:
            rows = self.d.select_in(self.c, f"SELECT ref, {base} FROM entities WHERE entity_type = {{0}} "
                                    "AND ref {keys}", wanted, "item")
        found = rows if self.d.postgres else [(ref, _base_uom(data)) for ref, data in rows]
        return {ref: uom for ref, uom in found if uom}

    def deliveries(self, event_types: Iterable[str], statuses: Iterable[str] | None = None) -> list[dict[str, Any]]:
        columns = _DELIVERY + ("source", "received_at", "envelope")
        sql = (f"SELECT {', '.join('o.' + c for c in _DELIVERY)}, i.source, i.received_at, i.envelope "
               "FROM outbox o LEFT JOIN inbox i ON i.msg_key = o.msg_key WHERE o.event_type {keys}")
        rows = [dict(zip(columns, r)) for r in self.d.select_in(self.c, sql, event_types)]
        if statuses is not None:
            wanted = set(statuses)
            rows = [r for r in rows if r["status"] in wanted]
        return sorted(rows, key=lambda r: r["id"])

    # --- audit ---
    def audit_rows(self) -> Iterator[tuple]:
        return iter(self._rows("SELECT seq, at, actor, action, subject, detail, prev_hash, hash, correlation_id, "
                               "causation_id, mapping_version FROM audit ORDER BY seq"))

    def audit_head(self) -> tuple[int, str] | None:
        rows = self._rows("SELECT seq, hash FROM audit_head WHERE id = 1")
        return (rows[0][0], rows[0][1]) if rows else None
