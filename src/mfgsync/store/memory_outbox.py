"""The memory store's outbox and schedule: deliveries and scheduled effects claimed under fenced leases.

A delivery is due when it is pending, its retry time has come, no unexpired lease holds it, and
it heads its stream: no earlier row of the same target and entity_key is pending or dead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from mfgsync.store.port import Claimed, Row, Scheduled, Settlement

if TYPE_CHECKING:
    from mfgsync.store.memory import MemoryState

WAITING = ("pending", "dead")  # statuses that hold back the rest of their stream


def stream_heads(outbox: dict[int, dict]) -> Iterator[dict]:
    """The first pending or dead row of each (target, entity_key) stream, oldest first."""
    seen: set[tuple[str, str]] = set()
    for row in outbox.values():  # ids ascend in insertion order
        if row["status"] in WAITING:
            stream = (row["target"], row["entity_key"])
            if stream not in seen:
                seen.add(stream)
                yield row


def lease_free(row: dict, now: float) -> bool:
    return row["lease_until"] is None or row["lease_until"] <= now


def is_due(row: dict, now: float) -> bool:
    """Due, for a row that heads its stream."""
    return row["status"] == "pending" and row["next_attempt_at"] <= now and lease_free(row, now)


class OutboxUnit:
    """The outbox and schedule part of a memory unit of work (mixed into MemoryUnitOfWork)."""
    state: MemoryState

    def add_outbox(self, rows: list[Row]) -> None:
        for row in rows:
            effect = (row["target"], row["effect_key"])
            if effect in self.state.effects:
                continue  # one effect caused twice is delivered once
            oid = self.state.next_id("outbox")
            self.state.effects[effect] = oid
            self.state.outbox[oid] = {
                "id": oid, **{name: row.get(name) for name in (
                    "target", "entity_key", "effect_key", "command", "msg_key", "event_type", "payload",
                    "correlation_id", "causation_id", "mapping_version")},
                "status": "pending", "attempts": 0, "fence": 0, "next_attempt_at": row["now"],
                "lease_owner": None, "lease_until": None, "last_error": None, "created_at": row["at"],
                "delivered_at": None}

    def claim(self, now: float, owner: str, lease_seconds: float, limit: int) -> list[Claimed]:
        due = [row for row in stream_heads(self.state.outbox) if is_due(row, now)][:limit]
        claimed = []
        for row in due:
            self._lease(self.state.outbox, row, owner, now + lease_seconds)
            claimed.append(self._claimed(self.state.outbox[row["id"]]))
        return claimed

    def _claimed(self, row: dict) -> Claimed:
        payload = row["payload"]
        if payload is None:  # the delivery carries its causing message's canonical envelope
            payload = self.state.inbox.get(row["msg_key"], {}).get("envelope")
        return Claimed(row["id"], row["target"], row["entity_key"], row["effect_key"], row["command"],
                       row["msg_key"], row["event_type"], payload, row["attempts"], row["fence"],
                       row["lease_until"], row["correlation_id"])

    @staticmethod
    def _lease(table: dict[int, dict], row: dict, owner: str, until: float) -> None:
        table[row["id"]] = {**row, "lease_owner": owner, "lease_until": until, "fence": row["fence"] + 1}

    def renew(self, ids: list[int], owner: str, until: float) -> set[int]:
        held = {i for i in ids if self._holds(i, owner)}
        for i in held:
            self.state.outbox[i] = {**self.state.outbox[i], "lease_until": until}
        return held

    def _holds(self, outbox_id: int, owner: str, fence: int | None = None) -> bool:
        row = self.state.outbox.get(outbox_id)
        return (row is not None and row["status"] == "pending" and row["lease_owner"] == owner
                and (fence is None or row["fence"] == fence))

    def settle(self, settlements: list[Settlement]) -> set[int]:
        recorded = set()
        for s in settlements:
            if s.id in recorded or not self._holds(s.id, s.owner, s.fence):
                continue  # the lease moved on: this attempt's outcome is no longer the row's
            row = self.state.outbox[s.id]
            self.state.outbox[s.id] = {**row, **_outcome(s), "attempts": row["attempts"] + 1,
                                       "lease_owner": None, "lease_until": None}
            recorded.add(s.id)
        return recorded

    def requeue(self, outbox_id: int, now: float) -> bool:
        row = self.state.outbox.get(outbox_id)
        if row is None or row["status"] != "dead":
            return False
        self.state.outbox[outbox_id] = {**row, "status": "pending", "attempts": 0, "next_attempt_at": now,
                                        "last_error": None, "delivered_at": None}
        return True

    def discard(self, outbox_id: int) -> None:
        row = self.state.outbox.get(outbox_id)
        if row is not None and row["status"] == "dead":
            self.state.outbox[outbox_id] = {**row, "status": "discarded"}

    # --- scheduled effects ---
    def add_scheduled(self, rows: list[Row]) -> None:
        for row in rows:
            if row["effect_key"] in self.state.scheduled_keys:
                continue
            sid = self.state.next_id("scheduled")
            self.state.scheduled_keys[row["effect_key"]] = sid
            self.state.scheduled[sid] = {
                "id": sid, **{name: row.get(name) for name in (
                    "due_at", "effect", "effect_key", "correlation_id", "causation_id", "mapping_version")},
                "status": "pending", "fence": 0, "lease_owner": None, "lease_until": None,
                "created_at": row["at"], "fired_at": None}

    def claim_scheduled(self, now: float, owner: str, lease_seconds: float, limit: int) -> list[Scheduled]:
        due = sorted((row for row in self.state.scheduled.values()
                      if row["status"] == "pending" and row["due_at"] <= now and lease_free(row, now)),
                     key=lambda row: (row["due_at"], row["id"]))[:limit]
        leased = []
        for row in due:
            self._lease(self.state.scheduled, row, owner, now + lease_seconds)
            row = self.state.scheduled[row["id"]]
            leased.append(Scheduled(row["id"], row["due_at"], row["effect"], row["effect_key"],
                                    row["correlation_id"], row["causation_id"], row["fence"]))
        return leased

    def fired(self, ids: list[tuple[int, int]], owner: str, at: str) -> set[int]:
        done = set()
        for sid, fence in ids:
            row = self.state.scheduled.get(sid)
            if row and row["status"] == "pending" and row["lease_owner"] == owner and row["fence"] == fence:
                self.state.scheduled[sid] = {**row, "status": "fired", "fired_at": at,
                                             "lease_owner": None, "lease_until": None}
                done.add(sid)
        return done

    def cancel_scheduled(self, effect_keys: list[str], at: str) -> None:
        for key in effect_keys:
            sid = self.state.scheduled_keys.get(key)
            row = self.state.scheduled.get(sid) if sid is not None else None
            if row and row["status"] == "pending":
                self.state.scheduled[sid] = {**row, "status": "cancelled", "fired_at": at}


def _outcome(s: Settlement) -> dict:
    if s.status == "delivered":
        return {"status": "delivered", "delivered_at": s.at}
    if s.status == "retry":
        return {"status": "pending", "next_attempt_at": s.retry_at, "last_error": s.error}
    if s.status == "dead":
        return {"status": "dead", "delivered_at": s.at, "last_error": s.error}
    raise ValueError(f"unknown settlement status {s.status!r}")
