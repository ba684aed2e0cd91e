"""Reads and writes of inbox, entity state and exceptions, inside a caller's transaction."""

from __future__ import annotations

import json
import re
from typing import Any, Iterable, Mapping

from sqlalchemy import Connection, text

_CHUNK = 500  # keeps IN (...) lists within every backend's parameter limits
_NAMED = re.compile(r"(?<![:\w]):(\w+)")


def execute_many(connection: Connection, sql: str, rows: list[Mapping[str, Any]]) -> None:
    """executemany straight on the driver: the hot write path skips SQL compilation per row.

    `sql` uses :name parameters; PostgreSQL's driver wants %(name)s instead.
    """
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        sql = _NAMED.sub(r"%(\1)s", sql)
    connection.exec_driver_sql(sql, rows if isinstance(rows, list) else list(rows))


def select_in(connection: Connection, sql: str, keys: Iterable[str], *params: Any) -> list[tuple]:
    """Rows of `sql`, whose `IN ({keys})` is filled with the distinct `keys`, in chunks.

    Straight on the driver, like `execute_many`: the hot read path skips building and compiling
    an expanding statement per call. `params` fill the statement's other placeholders, which
    come before the key list; placeholders are written `?`.
    """
    keys = list(set(keys))
    marker = "%s" if connection.dialect.name == "postgresql" else "?"
    rows: list[tuple] = []
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        statement = sql.replace("?", marker).format(keys=", ".join([marker] * len(chunk)))
        rows += connection.exec_driver_sql(statement, (*params, *chunk)).fetchall()
    return rows


def inbox_outcomes(connection: Connection, keys: Iterable[str]) -> dict[str, str]:
    """The recorded outcome of each message key already received."""
    return dict(select_in(connection, "SELECT msg_key, outcome FROM inbox WHERE msg_key IN ({keys})", keys))


def entity_rows(connection: Connection, keys: Iterable[str]) -> dict[str, tuple[str | None, str]]:
    """entity_key -> (seq_token, data JSON) for those keys that exist."""
    rows = select_in(connection, "SELECT entity_key, seq_token, data FROM entities WHERE entity_key IN ({keys})", keys)
    return {key: (token, data) for key, token, data in rows}


def entities_by_ref(connection: Connection, entity_type: str, ref: str) -> dict[str, str]:
    """entity_key -> data JSON of every entity of that type referring to `ref` (e.g. an item)."""
    rows = connection.execute(text(
        "SELECT entity_key, data FROM entities WHERE entity_type = :t AND ref = :r"), {"t": entity_type, "r": ref})
    return dict(rows.all())


def entities_by_refs(connection: Connection, entity_types: Iterable[str],
                     refs: Iterable[str]) -> dict[tuple[str, str], dict[str, str]]:
    """(entity_type, ref) -> {entity_key: data JSON}, for many refs in one query per chunk."""
    types = list(entity_types)
    found: dict[tuple[str, str], dict[str, str]] = {}
    sql = (f"SELECT entity_type, ref, entity_key, data FROM entities WHERE entity_type IN ({', '.join('?' * len(types))}) "
           "AND ref IN ({keys})")
    for entity_type, ref, key, data in select_in(connection, sql, refs, *types):
        found.setdefault((entity_type, ref), {})[key] = data
    return found


def entities_of_type(connection: Connection, entity_type: str) -> list[dict[str, Any]]:
    rows = connection.execute(text("SELECT data FROM entities WHERE entity_type = :t ORDER BY entity_key"),
                              {"t": entity_type})
    return [json.loads(data) for (data,) in rows]


def get_entity(connection: Connection, key: str) -> dict[str, Any] | None:
    row = connection.execute(text("SELECT data FROM entities WHERE entity_key = :k"), {"k": key}).first()
    return json.loads(row[0]) if row else None


def history(connection: Connection, entity_key: str) -> list[dict[str, Any]]:
    """The envelopes applied to an entity, oldest first: its history."""
    rows = connection.execute(text(
        "SELECT envelope FROM inbox WHERE entity_key = :k AND outcome = 'applied' ORDER BY seq_token, received_at"),
        {"k": entity_key})
    return [json.loads(envelope) for (envelope,) in rows]


def write_inbox(connection: Connection, rows: list[Mapping[str, Any]]) -> None:
    execute_many(connection, (
        "INSERT INTO inbox (msg_key, source, message_id, event_type, entity_key, correlation_id, outcome, "
        "seq_token, received_at, times_seen, envelope) VALUES (:msg_key, :source, :message_id, :event_type, "
        ":entity_key, :correlation_id, :outcome, :seq_token, :received_at, 1, :envelope)"), rows)


def update_inbox(connection: Connection, rows: list[Mapping[str, Any]]) -> None:
    """Record a new outcome for messages already in the inbox (a replay)."""
    execute_many(connection, (
        "UPDATE inbox SET outcome = :outcome, entity_key = :entity_key, seq_token = :seq_token, "
        "envelope = :envelope WHERE msg_key = :msg_key"), rows)


def count_duplicates(connection: Connection, keys: list[str], at: str) -> None:
    """A message seen again: counted on its inbox row and on its open exception, if any."""
    if keys:
        params = [{"k": key, "at": at} for key in keys]
        execute_many(connection, "UPDATE inbox SET times_seen = times_seen + 1 WHERE msg_key = :k", params)
        execute_many(connection, (
            "UPDATE exceptions SET times_seen = times_seen + 1, last_seen = :at "
            "WHERE msg_key = :k AND kind = 'quarantine' AND status IN ('open', 'pending_approval')"), params)


def upsert_entities(connection: Connection, rows: list[Mapping[str, Any]]) -> None:
    execute_many(connection, (
        "INSERT INTO entities (entity_key, entity_type, ref, seq_token, data, updated_at, msg_key) "
        "VALUES (:entity_key, :entity_type, :ref, :seq_token, :data, :updated_at, :msg_key) "
        "ON CONFLICT (entity_key) DO UPDATE SET entity_type = excluded.entity_type, ref = excluded.ref, "
        "seq_token = excluded.seq_token, data = excluded.data, updated_at = excluded.updated_at, "
        "msg_key = excluded.msg_key"), rows)


def insert_exceptions(connection: Connection, rows: list[Mapping[str, Any]]) -> None:
    execute_many(connection, (
        "INSERT INTO exceptions (kind, status, msg_key, source, event_type, entity_key, codes, reasons, "
        "owner_role, payload, outbox_id, first_seen, last_seen, times_seen) VALUES (:kind, 'open', :msg_key, "
        ":source, :event_type, :entity_key, :codes, :reasons, :owner_role, :payload, :outbox_id, :at, :at, 1)"),
        rows)


def entities_of_ref(connection: Connection, entity_type: str, ref: str) -> list[dict[str, Any]]:
    return [json.loads(data) for _, data in sorted(entities_by_ref(connection, entity_type, ref).items())]
