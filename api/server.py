"""Real dependencies from `ApiSettings` and the ASGI entry point for `vaultcraft api serve` (uvicorn).

* store: `db_url` (default the keeper's SQLite `data/keeper.db`), migrated to head on start;
* vaults: `deployment_file` (`ape run deploy` output); a missing file serves no vaults (logged);
* chain: `rpc_url` through web3 (head cached `head_cache_s`);
* keys in SQL (`api_keys`); with `redis_url`, rate limits and nonces live in Redis (shared by every
  worker), otherwise buckets are per process and nonces in SQL (`api_nonces`, still shared).

`app_from_env()` is the uvicorn factory: settings come from `VAULTCRAFT_API_*` only, never arguments,
so secrets are not on a command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import structlog
from fastapi import FastAPI
from sqlalchemy import text

from api.app import create_app
from api.auth.nonces import NonceStore, RedisNonceStore
from api.chain import ChainReader
from api.chain_roles import ChainRoleReader
from api.container import ApiDeps, ReadinessProbe, unix_now
from api.probes import redis_probe
from api.ratelimit import InMemoryRateLimiter, RateLimiter, RedisRateLimiter
from api.registry import VaultRegistry
from api.settings import ApiSettings
from api.store.bindings import SqlVaultBindings
from api.store.db import SqlDb
from api.store.heartbeats import keeper_health
from api.store.keys import SqlKeyStore
from api.store.nonces import SqlNonceStore
from api.store.reads import ReadStore
from api.trading import TradingDeps, TradingSettings, trading_routers
from api.trading.venue import LazySettingsVenues
from keeper.store.repo import Store

log = structlog.get_logger("api.server")

# How `vaultcraft api serve` (and the benchmarks) run uvicorn: uvloop's event loop and the httptools parser
# (both pinned in requirements.lock). Named rather than left to uvicorn's "auto", so a machine missing
# either fails at start instead of silently serving at h11 + asyncio speed.
UVICORN_RUNTIME: dict[str, str] = {"loop": "uvloop", "http": "httptools"}


@dataclass
class Resources:
    db: SqlDb
    redis: Any = None
    closers: list[Any] = field(default_factory=list)


def load_registry(settings: ApiSettings) -> VaultRegistry:
    if not settings.deployment_file.is_file():
        log.warning("deployment_file_missing", path=str(settings.deployment_file))
        return VaultRegistry.empty()
    return VaultRegistry.load(settings.deployment_file, settings.venue_accounts)


def build_deps(settings: ApiSettings, *, migrate: bool = True) -> tuple[ApiDeps, Resources]:
    db = SqlDb.open(settings.resolved_db_url(), migrate=migrate)
    registry = load_registry(settings)
    chain = ChainReader.from_url(
        settings.rpc_url.get_secret_value(), registry.abis, head_ttl_s=settings.head_cache_s
    )
    resources = Resources(db=db)

    async def db_check() -> bool:
        return bool(await db.run(lambda conn: conn.execute(text("SELECT 1")).scalar_one() == 1))

    async def chain_check() -> bool:
        await chain.head()
        return True

    probes = [ReadinessProbe("store", db_check), ReadinessProbe("chain", chain_check)]
    limiter: RateLimiter
    if settings.redis_url is not None:
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(settings.redis_url.get_secret_value(), socket_connect_timeout=2)
        resources.redis = client
        limiter = RedisRateLimiter(client)
        nonces: NonceStore = RedisNonceStore(client)
        probes.append(redis_probe(client))
    else:
        limiter = InMemoryRateLimiter()
        nonces = SqlNonceStore(db, clock=unix_now)
    keeper_store = Store(db.engine)  # the trading routes record orders where the keeper tracks their acks
    trading = TradingDeps(
        store=keeper_store,
        venues=LazySettingsVenues(TradingSettings()),
        bindings=SqlVaultBindings(db),
        role_reader=None,
    )

    async def reconcile() -> dict[str, Any]:
        return await keeper_health(db, unix_now() * 1000)

    deps = ApiDeps(
        key_store=SqlKeyStore(db),
        rate_limiter=limiter,
        nonce_store=nonces,
        role_reader=ChainRoleReader(chain),
        probes=probes,
        reads=ReadStore(db),
        chain=chain,
        registry=registry,
        reconcile=reconcile,
        routers=trading_routers(trading),
    )
    return deps, resources


def build_app(settings: ApiSettings, *, migrate: bool = True) -> FastAPI:
    deps, resources = build_deps(settings, migrate=migrate)
    app = create_app(settings, deps)
    app.state.resources = resources

    async def _close() -> None:
        if deps.chain is not None:
            await deps.chain.aclose()
        if resources.redis is not None:
            await resources.redis.aclose()
        resources.db.close()

    app.router.add_event_handler("shutdown", _close)

    return app


def app_from_env() -> FastAPI:
    """uvicorn factory (`uvicorn api.server:app_from_env --factory`)."""
    return build_app(ApiSettings())  # type: ignore[call-arg]
