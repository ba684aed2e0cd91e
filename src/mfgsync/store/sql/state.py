"""Inbox, entity and stock writes of a SQL unit of work (see port.UnitOfWork)."""

from __future__ import annotations

from decimal import Context, Decimal
from operator import itemgetter
from typing import Iterable

from sqlalchemy import Connection

from mfgsync.store import stock_counts
from mfgsync.store.port import Conflict, Row, StoredEntity
from mfgsync.store.sql.dialect import Dialect

INBOX = ("msg_key", "source", "message_id", "event_type", "entity_key", "correlation_id", "causation_id",
         "mapping_version", "outcome", "seq_token", "received_at", "content_hash", "envelope")
ENTITY = ("entity_key", "entity_type", "ref", "tokens", "data", "updated_at", "msg_key")
BALANCE = ("balance_key", "item_id", "plant_id", "location_id", "lot_id", "status", "qty", "uom", "updated_at")
LEDGER = ("balance_key", "kind", "qty", "uom", "msg_key", "at", "correlation_id")


class StateWrites:
    c: Connection
    d: Dialect

    # --- inbox ---
    def inbox_seen(self, keys: Iterable[str]) -> dict[str, tuple[str, str | None]]:
        keys = list(keys)
        if self.d.postgres and keys:
            # One transaction-scoped advisory lock per message key, taken in one order: writers
            # given the same message serialise on it instead of colliding at insert.
            self.d.one(self.c, "SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(k, 7003) AS h "
                               "FROM unnest(%(keys)s::text[]) AS k ORDER BY h) AS ordered", {"keys": keys}).all()
        rows = self.d.select_in(self.c, "SELECT msg_key, outcome, content_hash FROM inbox WHERE msg_key {keys}", keys)
        return {key: (outcome, digest) for key, outcome, digest in rows}

    def add_inbox(self, rows: list[Row]) -> None:
        # Sorted, so two writers inserting overlapping keys wait on each other in one order.
        rows = sorted(rows, key=itemgetter("msg_key"))
        sql = self.d.insert("inbox", INBOX, " ON CONFLICT (msg_key) DO NOTHING", written={"times_seen": "1"})
        inserted = self.d.many(self.c, sql, rows)
        if inserted != len(rows):
            raise Conflict("a message of this batch was received by another writer meanwhile")

    def update_inbox(self, rows: list[Row]) -> None:
        p = self.d.p
        self.d.many(self.c, (
            f"UPDATE inbox SET outcome = {p('outcome')}, entity_key = {p('entity_key')}, seq_token = {p('seq_token')}, "
            f"content_hash = {p('content_hash')}, envelope = {p('envelope')} WHERE msg_key = {p('msg_key')}"), rows)

    def count_repeats(self, keys: list[str], at: str) -> None:
        if not keys:
            return
        p = self.d.p
        params = [{"k": key, "at": at} for key in sorted(keys)]
        self.d.many(self.c, f"UPDATE inbox SET times_seen = times_seen + 1 WHERE msg_key = {p('k')}", params)
        self.d.many(self.c, (
            f"UPDATE exceptions SET times_seen = times_seen + 1, last_seen = {p('at')} WHERE msg_key = {p('k')} "
            f"AND kind = 'quarantine' AND status IN ('open', 'pending_approval')"), params)

    def supersede_quarantines(self, keys: list[str], at: str) -> None:
        p = self.d.p
        self.d.many(self.c, (
            f"UPDATE exceptions SET status = 'resolved', resolved_by = 'pipeline', resolved_at = {p('at')}, "
            f"note = 'superseded by a corrected resend' WHERE msg_key = {p('k')} AND kind = 'quarantine' "
            "AND status IN ('open', 'pending_approval')"), [{"k": key, "at": at} for key in sorted(set(keys))])

    # --- entities ---
    def entity_rows(self, keys: Iterable[str]) -> dict[str, StoredEntity]:
        rows = self.d.select_in(self.c, "SELECT entity_key, tokens, data, version FROM entities WHERE entity_key {keys}",
                                keys)
        return {key: StoredEntity(tokens, data, version) for key, tokens, data, version in rows}

    def entities_by_refs(self, entity_types: Iterable[str],
                         refs: Iterable[str]) -> dict[tuple[str, str], dict[str, str]]:
        found: dict[tuple[str, str], dict[str, str]] = {}
        for entity_type in entity_types:
            rows = self.d.select_in(self.c, "SELECT ref, entity_key, data FROM entities WHERE entity_type = {0} "
                                    "AND ref {keys}", refs, entity_type)
            for ref, key, data in rows:
                found.setdefault((entity_type, ref), {})[key] = data
        return found

    def entities_of_type(self, entity_type: str) -> list[str]:
        rows = self.d.one(self.c, f"SELECT data FROM entities WHERE entity_type = {self.d.p('t')} ORDER BY entity_key",
                          {"t": entity_type})
        return [data for (data,) in rows]

    def type_fingerprint(self, entity_type: str) -> tuple[int, int]:
        count, versions = self.d.one(self.c, "SELECT COUNT(*), COALESCE(SUM(version), 0) FROM entities WHERE "
                                             f"entity_type = {self.d.p('t')}", {"t": entity_type}).first()
        return int(count), int(versions)

    def put_entities(self, rows: list[Row]) -> None:
        rows = sorted(rows, key=itemgetter("entity_key"))
        new = [r for r in rows if r["version"] == 0]
        known = [r for r in rows if r["version"] > 0]
        p = self.d.p
        inserted = self.d.many(self.c, self.d.insert("entities", ENTITY, " ON CONFLICT (entity_key) DO NOTHING",
                                                     written={"version": "1"}), new)
        updated = self.d.many(self.c, (
            f"UPDATE entities SET entity_type = {p('entity_type')}, ref = {p('ref')}, tokens = {p('tokens')}, "
            f"data = {p('data')}, updated_at = {p('updated_at')}, msg_key = {p('msg_key')}, version = version + 1 "
            f"WHERE entity_key = {p('entity_key')} AND version = {p('version')}"), known)
        if inserted != len(new) or updated != len(known):
            raise Conflict("an entity of this batch was written by another writer meanwhile")

    # --- stock ---
    def balances(self, keys: Iterable[str]) -> dict[str, Decimal]:
        rows = self.d.select_in(self.c, "SELECT balance_key, qty FROM balances WHERE balance_key {keys} "
                                "ORDER BY balance_key" + self.d.for_update, keys)
        return {key: Decimal(qty) for key, qty in rows}

    def stock_of(self, item_id: str) -> list[dict]:
        from mfgsync.store.sql.reads import SqlReadSide  # the same query, on this unit's connection
        return SqlReadSide(self.c, self.d).balances(item_id)

    def move_stock(self, rows: list[Row]) -> None:
        self._set_balances(_net_per_balance(rows), "delta", self.d.add("balances.qty", "excluded.qty"))
        self._record(rows, "delta", "delta")

    def count_stock(self, rows: list[Row]) -> None:
        if not rows:
            return
        # Set as counted, unless a balance was booked after its count was taken: then that try is
        # undone and each count carried over what moved its balance since (stock_counts).
        self.d.one(self.c, "SAVEPOINT counts")
        newer = f" WHERE balances.updated_at <= COALESCE({self.d.p('counted_at')}, balances.updated_at)"
        if self._set_balances(rows, "qty", "excluded.qty", newer) < len(rows):
            self.d.one(self.c, "ROLLBACK TO SAVEPOINT counts")
            late = self._moved_since_counted(rows)
            rows = [{**r, "qty": r["qty"] + late.get(n, Decimal(0))} for n, r in enumerate(rows)]
            self._set_balances(rows, "qty", "excluded.qty")
        self.d.one(self.c, "RELEASE SAVEPOINT counts")
        self._record(rows, "count", "qty")

    def _moved_since_counted(self, rows: list[Row]) -> dict[int, Decimal]:
        """Per count row (by position), the net of its balance's deltas that occurred after the
        count was taken (see stock_counts); the ledger is read for the balances booked since."""
        timed = [r for r in rows if r.get("counted_at")]
        if not timed:
            return {}
        booked = dict(self.d.select_in(self.c, "SELECT balance_key, updated_at FROM balances WHERE updated_at > {0} "
                                       "AND balance_key {keys} ORDER BY balance_key" + self.d.for_update,
                                       [r["balance_key"] for r in timed], min(r["counted_at"] for r in timed)))
        late = {n: r for n, r in enumerate(rows)
                if stock_counts.booked_since(r.get("counted_at"), booked.get(r["balance_key"]))}
        if not late:
            return {}
        deltas: dict[str, list[stock_counts.Delta]] = {}
        for key, qty, at, envelope in self.d.select_in(self.c, (
                "SELECT l.balance_key, l.qty, l.at, i.envelope FROM ledger l LEFT JOIN inbox i ON i.msg_key = l.msg_key "
                "WHERE l.kind = 'delta' AND l.at > {0} AND l.balance_key {keys} ORDER BY l.id"),
                [r["balance_key"] for r in late.values()], min(r["counted_at"] for r in late.values())):
            deltas.setdefault(key, []).append((Decimal(qty), at, envelope))
        return {n: stock_counts.moved_after(r["counted_at"], deltas.get(r["balance_key"], ())) for n, r in late.items()}

    def _set_balances(self, rows: list[Row], amount: str, new_qty: str, only: str = "") -> int:
        """Each row's balance inserted, or updated to `new_qty` where `only` holds; how many were."""
        balances = [{**{c: r.get(c) for c in BALANCE[:6]}, "qty": str(r[amount]), "uom": r["uom"],
                     "updated_at": r["at"], **({"counted_at": r.get("counted_at")} if only else {})}
                    for r in sorted(rows, key=itemgetter("balance_key"))]
        return self.d.many(self.c, self.d.insert("balances", BALANCE, (
            f" ON CONFLICT (balance_key) DO UPDATE SET qty = {new_qty}, uom = excluded.uom, "
            "updated_at = excluded.updated_at" + only)), balances)

    def _record(self, rows: list[Row], kind: str, amount: str) -> None:
        self.d.many(self.c, self.d.insert("ledger", LEDGER), [
            {"balance_key": r["balance_key"], "kind": kind, "qty": str(r[amount]), "uom": r["uom"],
             "msg_key": r.get("msg_key"), "at": r["at"], "correlation_id": r.get("correlation_id")}
            for r in sorted(rows, key=itemgetter("balance_key"))])


_EXACT = Context(prec=60)  # wider than any sum of a batch's deltas can need (model/numbers.py)


def _net_per_balance(rows: list[Row]) -> list[Row]:
    """One row per balance carrying the exact sum of its deltas, with the last row's unit and
    time: a balance a batch moves a hundred times is written once, as it ends."""
    net: dict[str, Row] = {}
    for row in rows:
        kept = net.get(row["balance_key"])
        net[row["balance_key"]] = row if kept is None else {**row, "delta": _EXACT.add(kept["delta"], row["delta"])}
    return list(net.values())
