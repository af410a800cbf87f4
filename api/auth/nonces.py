"""Single-use nonces for signed actions and login challenges.

`consume(key, expires_at)` atomically records `key` and answers True the first time only. Entries are
kept until `expires_at + retention_margin_s`: after that the signature carrying the nonce is refused for
being expired anyway, so forgetting the nonce cannot reopen a replay (the margin covers clock skew between
API workers). The SQL store may implement the same protocol with a unique index.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

RETENTION_MARGIN_S = 300


class NonceStore(Protocol):
    async def consume(self, key: str, expires_at: int) -> bool:
        """True if `key` was unused (and is now used); False on reuse."""
        ...


class InMemoryNonceStore:
    def __init__(self, clock: Callable[[], int], retention_margin_s: int = RETENTION_MARGIN_S) -> None:
        self._clock = clock
        self._margin = retention_margin_s
        self._used: dict[str, int] = {}  # key -> forget after (unix s)
        self._purge_at = 10_000  # purge when the table reaches this size; then double the live size
        self._lock = threading.Lock()

    async def consume(self, key: str, expires_at: int) -> bool:
        with self._lock:
            now = self._clock()
            if len(self._used) >= self._purge_at:  # amortised O(1): purge cost is paid by the growth
                self._used = {k: t for k, t in self._used.items() if t > now}
                self._purge_at = max(10_000, 2 * len(self._used))
            forget_after = self._used.get(key)
            if forget_after is not None and forget_after > now:
                return False
            self._used[key] = expires_at + self._margin
            return True

    def __len__(self) -> int:
        return len(self._used)


class RedisNonceStore:
    """`SET key 1 NX EXAT expires_at+margin`: atomic first-writer-wins shared by all workers."""

    def __init__(
        self, client: object, prefix: str = "vc:nonce:", retention_margin_s: int = RETENTION_MARGIN_S
    ):
        self._client = client
        self._prefix = prefix
        self._margin = retention_margin_s

    async def consume(self, key: str, expires_at: int) -> bool:
        ok = await self._client.set(  # type: ignore[attr-defined]
            self._prefix + key, b"1", nx=True, exat=expires_at + self._margin
        )
        return bool(ok)
