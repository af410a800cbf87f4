"""Scoped API keys `vc_<id>_<secret>`, stored hashed.

* `id` is 16 hex characters (64 random bits) used to look the record up; `secret` is 32 random bytes,
  base64url (256 bits). Both come from `secrets`.
* Stored: `HMAC-SHA256(pepper, "vc-api-key:v1:" + id + ":" + secret)`. Why not scrypt/argon2: those slow
  hashes defend low-entropy *passwords*; a 256-bit random secret cannot be brute forced either way, and a
  deliberately slow hash on every request would hand attackers a cheap CPU-exhaustion lever. The server
  pepper (from the environment, never in the database) means a leaked key table alone does not even
  allow offline checking of a guess. Comparison is `hmac.compare_digest`; an unknown id still runs one
  HMAC + compare against a dummy digest so lookups do not time differently.
* Scopes: `read`, `trade`, `risk`, `admin`; a key holds a set. `admin` implies every other scope; the
  others imply only themselves.
* The plaintext is returned exactly once by `ApiKeyService.issue` and never stored or logged.

The `KeyStore` protocol is what the SQL store implements later; `InMemoryKeyStore` serves tests and demos.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

KEY_PREFIX = "vc"
_KEY_RE = re.compile(r"^vc_(?P<id>[0-9a-f]{16})_(?P<secret>[A-Za-z0-9_-]{43})$")
_HASH_LABEL = b"vc-api-key:v1:"


class Scope(StrEnum):
    READ = "read"
    TRADE = "trade"
    RISK = "risk"
    ADMIN = "admin"


def grants(held: Iterable[Scope], required: Scope) -> bool:
    held = frozenset(held)
    return required in held or Scope.ADMIN in held


@dataclass(frozen=True)
class ApiKeyRecord:
    key_id: str
    key_hash: bytes
    owner: str  # the actor named in the audit log, e.g. "desk-1" or a wallet address
    scopes: frozenset[Scope]
    created_at: int  # unix seconds
    expires_at: int | None = None
    revoked_at: int | None = None


@dataclass(frozen=True)
class Principal:
    """An authenticated API key holder."""

    key_id: str
    owner: str
    scopes: frozenset[Scope]

    @property
    def actor(self) -> str:
        return f"api_key:{self.key_id}:{self.owner}"


class KeyStore(Protocol):
    async def get(self, key_id: str) -> ApiKeyRecord | None: ...

    async def add(self, record: ApiKeyRecord) -> None:
        """Insert; raise `KeyExistsError` if the id is taken."""
        ...

    async def revoke(self, key_id: str, at: int) -> bool:
        """Mark revoked; False if unknown or already revoked."""
        ...


class KeyExistsError(Exception):
    pass


class InvalidKey(Exception):
    """Presented key is malformed, unknown, wrong, revoked or expired (callers answer one 401 for all)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InMemoryKeyStore:
    def __init__(self) -> None:
        self._records: dict[str, ApiKeyRecord] = {}
        self._lock = threading.Lock()

    async def get(self, key_id: str) -> ApiKeyRecord | None:
        return self._records.get(key_id)

    async def add(self, record: ApiKeyRecord) -> None:
        with self._lock:
            if record.key_id in self._records:
                raise KeyExistsError(record.key_id)
            self._records[record.key_id] = record

    async def revoke(self, key_id: str, at: int) -> bool:
        with self._lock:
            record = self._records.get(key_id)
            if record is None or record.revoked_at is not None:
                return False
            self._records[key_id] = replace(record, revoked_at=at)
            return True


class KeyHasher:
    def __init__(self, pepper: bytes) -> None:
        if len(pepper) < 32:
            raise ValueError("pepper must be at least 32 bytes")
        self._pepper = pepper
        self._dummy = self.digest("0" * 16, "0" * 43)

    def digest(self, key_id: str, secret: str) -> bytes:
        msg = _HASH_LABEL + key_id.encode() + b":" + secret.encode()
        return hmac.new(self._pepper, msg, hashlib.sha256).digest()

    def matches(self, key_id: str, secret: str, stored: bytes | None) -> bool:
        candidate = self.digest(key_id, secret)
        return (
            hmac.compare_digest(candidate, stored if stored is not None else self._dummy)
            and stored is not None
        )


def parse_key(presented: str) -> tuple[str, str]:
    match = _KEY_RE.fullmatch(presented)
    if match is None:
        raise InvalidKey("malformed")
    return match["id"], match["secret"]


class ApiKeyService:
    def __init__(self, store: KeyStore, hasher: KeyHasher, clock: Callable[[], int]) -> None:
        self._store = store
        self._hasher = hasher
        self._clock = clock

    async def issue(
        self, owner: str, scopes: Iterable[Scope], expires_at: int | None = None
    ) -> tuple[str, ApiKeyRecord]:
        """Create a key; the returned plaintext is the only copy and must be shown to the user once."""
        scope_set = frozenset(Scope(s) for s in scopes)
        if not scope_set:
            raise ValueError("a key needs at least one scope")
        for _ in range(5):
            key_id = secrets.token_hex(8)
            secret = secrets.token_urlsafe(32)
            record = ApiKeyRecord(
                key_id=key_id,
                key_hash=self._hasher.digest(key_id, secret),
                owner=owner,
                scopes=scope_set,
                created_at=self._clock(),
                expires_at=expires_at,
            )
            try:
                await self._store.add(record)
            except KeyExistsError:
                continue
            return f"{KEY_PREFIX}_{key_id}_{secret}", record
        raise RuntimeError("could not allocate a unique key id")

    async def authenticate(self, presented: str) -> Principal:
        key_id, secret = parse_key(presented)
        record = await self._store.get(key_id)
        if not self._hasher.matches(key_id, secret, record.key_hash if record else None):
            raise InvalidKey("unknown_or_wrong")
        assert record is not None
        now = self._clock()
        if record.revoked_at is not None and record.revoked_at <= now:
            raise InvalidKey("revoked")
        if record.expires_at is not None and now >= record.expires_at:
            raise InvalidKey("expired")
        return Principal(key_id=record.key_id, owner=record.owner, scopes=record.scopes)
