"""What the trading routers need (`TradingDeps`) and the vault-scoped auth gate.

A vault-scoped route admits an API key with the route's scope that is *bound to that vault* (or holds the
`admin` scope). The API key table has no vault column yet, so bindings are a port (`VaultBindings`);
`StaticVaultBindings` is the in-memory implementation.
"""

# No `from __future__ import annotations`: FastAPI must resolve the closure-local dependency alias.
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Protocol

from eth_utils import to_checksum_address
from fastapi import Depends, Path

from api.auth.api_keys import Principal, Scope
from api.auth.signed import RoleReader
from api.deps import require
from api.errors import ErrorCode, Forbidden, declares
from api.trading.repo import TradingRepo
from api.trading.schemas import ADDRESS
from api.trading.venue import VenueDirectory
from keeper.store.repo import Store


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


class VaultBindings(Protocol):
    async def is_bound(self, key_id: str, vault: str) -> bool:
        """Whether API key `key_id` may act on `vault` (any case)."""
        ...


class StaticVaultBindings:
    def __init__(self, bindings: dict[str, set[str]] | None = None) -> None:
        self._lock = threading.Lock()
        self._bindings: dict[str, set[str]] = {}
        for key_id, vaults in (bindings or {}).items():
            for vault in vaults:
                self.bind(key_id, vault)

    def bind(self, key_id: str, vault: str) -> None:
        with self._lock:
            self._bindings.setdefault(key_id, set()).add(vault.lower())

    async def is_bound(self, key_id: str, vault: str) -> bool:
        return vault.lower() in self._bindings.get(key_id, set())


@dataclass
class TradingDeps:
    """Ports of the trading API. `role_reader=None` uses the app's `ApiDeps.role_reader`."""

    store: Store
    venues: VenueDirectory
    bindings: VaultBindings
    role_reader: RoleReader | None = None
    now_ms: Callable[[], int] = wall_ms
    stream_poll_s: float = 0.25
    stream_auth_timeout_s: float = 5.0
    repo: TradingRepo = field(init=False)

    def __post_init__(self) -> None:
        self.repo = TradingRepo(self.store)


@dataclass(frozen=True)
class VaultCaller:
    principal: Principal
    vault: str  # checksum address

    @property
    def actor(self) -> str:
        return self.principal.actor


VaultPath = Annotated[str, Path(pattern=ADDRESS, description="Vault address (any case)")]


def vault_gate(
    deps: TradingDeps, scope: Scope, policy: str = "default"
) -> Callable[..., Awaitable[VaultCaller]]:
    base = require(scope, policy)

    @declares(401, 403, 429)
    async def dependency(vault: VaultPath, principal: Annotated[Principal, Depends(base)]) -> VaultCaller:
        if Scope.ADMIN not in principal.scopes and not await deps.bindings.is_bound(principal.key_id, vault):
            raise Forbidden(
                "API key is not bound to this vault", code=ErrorCode.FORBIDDEN, details={"vault": vault}
            )
        return VaultCaller(principal, to_checksum_address(vault))

    return dependency
