"""What `create_app` is given (`ApiDeps`: the ports other components implement) and what it builds
(`Services`, hung on `app.state.services`). Nothing here is global: two apps never share state."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter

from api.auth.api_keys import ApiKeyService, KeyStore
from api.auth.login import LoginChallenges
from api.auth.nonces import NonceStore
from api.auth.sessions import SessionTokens
from api.auth.signed import ActionVerifier, RoleReader
from api.kpis import NavSeriesProvider
from api.metrics import ApiMetrics
from api.ratelimit import RateLimiter
from api.registry import VaultRegistry
from api.settings import ApiSettings

if TYPE_CHECKING:
    from api.chain import ChainReader
    from api.store.reads import ReadStore


def unix_now() -> int:
    return int(time.time())


@dataclass(frozen=True)
class ReadinessProbe:
    """`check` answers truthy (or None) when the dependency works; raising or False means not ready."""

    name: str
    check: Callable[[], Awaitable[object]]


@dataclass
class ApiDeps:
    key_store: KeyStore
    rate_limiter: RateLimiter
    nonce_store: NonceStore
    role_reader: RoleReader
    probes: Sequence[ReadinessProbe] = ()
    wall_clock: Callable[[], int] = unix_now
    routers: Sequence[APIRouter] = field(default_factory=tuple)
    nav_series: NavSeriesProvider | None = None  # enables GET /v1/vaults/{vault}/kpis
    # Read side (api/server.py wires the real ones): the keeper store, the chain, the deployed vaults.
    reads: ReadStore | None = None  # enables the /v1 read routes
    chain: ChainReader | None = None  # None: on-chain fields answer 503 chain_unavailable
    registry: VaultRegistry = field(default_factory=VaultRegistry.empty)
    # The keeper's reconciliation verdict in /v1/status (the keeper wires it); None: {"verdict": "unknown"}
    reconcile: Callable[[], Awaitable[dict[str, Any]]] | None = None


@dataclass
class Services:
    settings: ApiSettings
    deps: ApiDeps
    metrics: ApiMetrics
    keys: ApiKeyService
    actions: ActionVerifier
    login: LoginChallenges
    sessions: SessionTokens
