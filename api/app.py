"""The app factory: `create_app(settings, deps) -> FastAPI`. All state lives on the returned app."""

from __future__ import annotations

import secrets
from functools import partial
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import SecretStr

from api.auth.api_keys import ApiKeyService, InMemoryKeyStore, KeyHasher
from api.auth.login import LoginChallenges
from api.auth.nonces import InMemoryNonceStore
from api.auth.sessions import SessionTokens
from api.auth.signed import ActionVerifier, StaticRoleReader
from api.container import ApiDeps, Services
from api.errors import ApiError, install_error_handlers
from api.metrics import ApiMetrics, MetricsMiddleware
from api.openapi import build_openapi
from api.ratelimit import InMemoryRateLimiter
from api.routes import health, kpis, metrics
from api.routes.status import RenderedCache, StatusFastPath, status_route
from api.settings import ApiSettings

if TYPE_CHECKING:
    from api.store.reads import ReadStore

API_VERSION = "0.1.0"


def build_services(settings: ApiSettings, deps: ApiDeps) -> Services:
    clock = deps.wall_clock
    return Services(
        settings=settings,
        deps=deps,
        metrics=ApiMetrics(),
        keys=ApiKeyService(deps.key_store, KeyHasher(settings.key_pepper.get_secret_value().encode()), clock),
        actions=ActionVerifier(
            chain_id=settings.chain_id,
            nonces=deps.nonce_store,
            roles=deps.role_reader,
            clock=clock,
            max_ttl_s=settings.signed_action_max_ttl_s,
        ),
        login=LoginChallenges(
            secret=settings.login_secret.get_secret_value().encode(),
            nonces=deps.nonce_store,
            clock=clock,
            chain_id=settings.chain_id,
            ttl_s=settings.login_challenge_ttl_s,
        ),
        sessions=SessionTokens(
            secret=settings.login_secret.get_secret_value().encode(),
            chain_id=settings.chain_id,
            clock=clock,
            ttl_s=settings.session_ttl_s,
        ),
    )


def create_app(settings: ApiSettings, deps: ApiDeps) -> FastAPI:
    app = FastAPI(
        title="VaultCraft API",
        version=API_VERSION,
        description="Vaults, NAV and KPIs, proofs, auditor records, exec and quant API. Errors: `ErrorBody`.",
    )
    services = build_services(settings, deps)
    app.state.services = services
    install_error_handlers(app)
    base_handler = app.exception_handlers[ApiError]

    async def counted_api_error(request: Request, exc: Exception) -> JSONResponse:
        if isinstance(exc, ApiError) and exc.status in (401, 403):
            services.metrics.auth_failures.labels(exc.code.value).inc()
        response: JSONResponse = await base_handler(request, exc)  # type: ignore[misc]
        return response

    app.add_exception_handler(ApiError, counted_api_error)
    app.state.status_rendered = RenderedCache(settings.status_cache_s)
    app.include_router(health.router)
    app.include_router(metrics.router)
    if deps.nav_series is None and deps.reads is not None:
        from api.store.reads import SqlNavSeries

        deps.nav_series = SqlNavSeries(deps.reads, deps.registry.known)
    if deps.nav_series is not None:
        app.include_router(kpis.router)
    if deps.reads is not None:
        from api.routes.v1 import read_routers

        for read_router in read_routers():
            app.include_router(read_router)
    for router in deps.routers:
        app.include_router(router)
    if deps.reads is not None:
        app.add_middleware(
            StatusFastPath, services=services, cache=app.state.status_rendered, route=status_route()
        )
    app.add_middleware(MetricsMiddleware, metrics=services.metrics)  # added last: outermost, counts all
    app.openapi = partial(build_openapi, app)  # type: ignore[method-assign]
    return app


def offline_app() -> FastAPI:
    """An app with throwaway secrets and in-memory ports, for schema generation only."""
    settings = ApiSettings(
        key_pepper=SecretStr(secrets.token_hex(32)), login_secret=SecretStr(secrets.token_hex(32))
    )
    deps = ApiDeps(
        key_store=InMemoryKeyStore(),
        rate_limiter=InMemoryRateLimiter(),
        nonce_store=InMemoryNonceStore(clock=lambda: 0),
        role_reader=StaticRoleReader(),
        reads=_offline_reads(),
        routers=_offline_trading(),
    )
    return create_app(settings, deps)


def _offline_trading() -> list:
    """The trading routers over a never-used in-memory store and no venue keys (schema only)."""
    from sqlalchemy import create_engine

    from api.trading import StaticVaultBindings, TradingDeps, TradingSettings, trading_routers
    from api.trading.venue import LazySettingsVenues
    from keeper.store.repo import Store

    deps = TradingDeps(store=Store(create_engine("sqlite://")), venues=LazySettingsVenues(TradingSettings()),
                       bindings=StaticVaultBindings(), role_reader=None)
    return trading_routers(deps)


def _offline_reads() -> ReadStore:
    """A store handle that is never queried (schema generation mounts the /v1 read routes with it)."""
    from sqlalchemy import create_engine

    from api.store.db import SqlDb
    from api.store.reads import ReadStore

    return ReadStore(SqlDb(create_engine("sqlite://")))
