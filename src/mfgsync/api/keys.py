"""API keys: created with a role, stored hashed (argon2) as entities through the store port,
looked up by name, revoked by a new version of their entity.

A key reads `mfgsync.<name>.<secret>`: the name says which entity to check, the secret is
shown once at creation and kept only as its argon2 hash. Verifying argon2 costs tens of
milliseconds on purpose; a key verified once is remembered by the SHA-256 of its text next to
the stored hash it matched, so its next request costs one entity read — and a revoked or
re-created key (a new stored hash) is checked afresh.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any, Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from mfgsync.pipeline.clock import iso
from mfgsync.pipeline.exception_queue import ROLES
from mfgsync.store.port import AuditEntry, Store, UnitOfWork, transact

ENTITY_TYPE = "api_key"
ACTIVE, REVOKED = "active", "revoked"
SOURCE_PREFIX = "source:"  # a source system's role: `source:plm` may only send as plm
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_PREFIX = "mfgsync"
_REMEMBERED = 4096  # verified keys kept in memory before the memory is cleared


class KeyProblem(ValueError):
    """A key that cannot be created or revoked as asked."""
    code = "INVALID_FIELD"


class KeyNotFound(KeyProblem):
    code = "NOT_FOUND"


@dataclass(frozen=True)
class Principal:
    """Who a valid key belongs to, and the role it acts in."""
    name: str
    role: str

    @property
    def source(self) -> str | None:
        """The source system a source key may send as; None for a person's role."""
        return self.role[len(SOURCE_PREFIX):] if self.role.startswith(SOURCE_PREFIX) else None


def entity_key(name: str) -> str:
    return f"APIKEY:{name}"


def valid_role(role: str) -> bool:
    if role.startswith(SOURCE_PREFIX):
        return bool(_NAME.fullmatch(role[len(SOURCE_PREFIX):]))
    return role in ROLES


class ApiKeys:
    def __init__(self, store: Store, clock: Callable[[], float], hasher: PasswordHasher | None = None):
        self.store, self.clock = store, clock
        self.hasher = hasher or PasswordHasher()
        self._verified: dict[str, str] = {}  # sha256 of a key's text -> the stored hash it matched

    def create(self, name: str, role: str, actor: str) -> str:
        """A new key (the only time its text exists outside the caller); a revoked name may be reused."""
        if not _NAME.fullmatch(name):
            raise KeyProblem(f"a key name is 1 to 64 letters, digits, '-' or '_', starting with a letter or digit; "
                            f"not {name!r}")
        if not valid_role(role):
            raise KeyProblem(f"unknown role {role!r}: use one of {', '.join(ROLES)}, "
                             "or source:NAME for a source system")
        secret = secrets.token_urlsafe(32).replace(".", "-")
        text = f"{_PREFIX}.{name}.{secret}"
        hashed = self.hasher.hash(text)

        def work(uow: UnitOfWork) -> None:
            stored = uow.entity_rows([entity_key(name)]).get(entity_key(name))
            if stored is not None and json.loads(stored.data)["status"] == ACTIVE:
                raise KeyProblem(f"a key named {name!r} exists: revoke it first")
            at = iso(self.clock())
            data = {"name": name, "role": role, "hash": hashed, "status": ACTIVE, "created_at": at,
                    "created_by": actor, "revoked_at": None}
            self._put(uow, data, stored.version if stored else 0, at)
            uow.audit([AuditEntry(actor, "api_key.created", entity_key(name), {"role": role})], at)
        transact(self.store, work)
        return text

    def revoke(self, name: str, actor: str) -> None:
        def work(uow: UnitOfWork) -> None:
            stored = uow.entity_rows([entity_key(name)]).get(entity_key(name))
            if stored is None or json.loads(stored.data)["status"] != ACTIVE:
                raise KeyNotFound(f"no active key named {name!r}")
            at = iso(self.clock())
            data = {**json.loads(stored.data), "status": REVOKED, "revoked_at": at, "revoked_by": actor}
            self._put(uow, data, stored.version, at)
            uow.audit([AuditEntry(actor, "api_key.revoked", entity_key(name), {"role": data["role"]})], at)
        transact(self.store, work)

    def list(self) -> list[dict[str, Any]]:
        """Every key without its hash: name, role, status and when and by whom it was made."""
        with self.store.reading() as read:
            found = read.entities_of_type(ENTITY_TYPE)
        return [{k: v for k, v in key.items() if k != "hash"} for key in found]

    def authenticate(self, text: str) -> Principal | None:
        """The principal of a valid, active key; None for anything else."""
        parts = text.split(".")
        if len(parts) != 3 or parts[0] != _PREFIX or not _NAME.fullmatch(parts[1]) or len(text) > 200:
            return None
        with self.store.reading() as read:
            stored = read.entity(entity_key(parts[1]))
        if stored is None or stored.get("status") != ACTIVE:
            return None
        digest = hashlib.sha256(text.encode()).hexdigest()
        if self._verified.get(digest) != stored["hash"]:
            try:
                self.hasher.verify(stored["hash"], text)
            except (VerificationError, InvalidHashError):
                return None
            if len(self._verified) >= _REMEMBERED:
                self._verified.clear()
            self._verified[digest] = stored["hash"]
        return Principal(stored["name"], stored["role"])

    def _put(self, uow: UnitOfWork, data: dict, version: int, at: str) -> None:
        uow.put_entities([{"entity_key": entity_key(data["name"]), "entity_type": ENTITY_TYPE, "ref": data["name"],
                           "tokens": None, "data": json.dumps(data, sort_keys=True), "updated_at": at,
                           "msg_key": None, "version": version}])
