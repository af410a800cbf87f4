"""API test fixtures: settings with fresh secrets, fake clocks, an app builder, and real Redis.

Redis at 127.0.0.1:6379 is required; each run uses a unique key prefix and deletes its keys afterwards.
Only `VAULTCRAFT_TEST_NO_REDIS=1` skips the Redis tests (with a loud reason); otherwise an unreachable
Redis fails them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth.api_keys import InMemoryKeyStore, Scope
from api.auth.nonces import InMemoryNonceStore
from api.auth.signed import StaticRoleReader
from api.container import ApiDeps
from api.ratelimit import InMemoryRateLimiter, RateLimit
from api.settings import ApiSettings, RatePolicy
from tests.api.demo_routes import router as demo_router
from tests.api.fakes import FakeClock

REDIS_URL = os.environ.get("VAULTCRAFT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
START_UNIX = 1_800_000_000


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def wall_clock() -> FakeClock:
    return FakeClock(START_UNIX)


@pytest.fixture
def mono_clock() -> FakeClock:
    return FakeClock(10**12)


def make_settings(**overrides: Any) -> ApiSettings:
    values: dict[str, Any] = {"key_pepper": secrets.token_hex(32), "login_secret": secrets.token_hex(32)}
    values.update(overrides)
    return ApiSettings(**values)


@pytest.fixture
def settings() -> ApiSettings:
    return make_settings(
        rate_default=RatePolicy(
            per_ip=RateLimit(burst=50, tokens=50, period_s=1),
            per_key=RateLimit(burst=5, tokens=1, period_s=1),
        ),
        rate_admin=RatePolicy(
            per_ip=RateLimit(burst=10, tokens=1, period_s=60),
            per_key=RateLimit(burst=2, tokens=1, period_s=60),
        ),
    )


@pytest.fixture
def roles() -> StaticRoleReader:
    return StaticRoleReader()


@pytest.fixture
def make_app(
    settings: ApiSettings, wall_clock: FakeClock, mono_clock: FakeClock, roles: StaticRoleReader
) -> Callable[..., FastAPI]:
    def build(**dep_overrides: Any) -> FastAPI:
        deps = ApiDeps(
            key_store=InMemoryKeyStore(),
            rate_limiter=InMemoryRateLimiter(clock=mono_clock),
            nonce_store=InMemoryNonceStore(clock=wall_clock),
            role_reader=roles,
            wall_clock=wall_clock,
            routers=[demo_router],
        )
        for name, value in dep_overrides.items():
            setattr(deps, name, value)
        return create_app(settings, deps)

    return build


@pytest.fixture
def app(make_app: Callable[..., FastAPI]) -> FastAPI:
    return make_app()


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def issue_key(app: FastAPI) -> Callable[..., str]:
    """Issue a key through the app's own service; returns the plaintext."""
    import anyio

    def issue(*scopes: Scope, owner: str = "desk-1", expires_at: int | None = None) -> str:
        async def run() -> str:
            plaintext, _ = await app.state.services.keys.issue(owner, scopes, expires_at)
            return plaintext

        return anyio.run(run)

    return issue


@pytest.fixture
async def redis_client() -> AsyncIterator[Any]:
    """A live async Redis client; keys under the yielded client's `test_prefix` are removed afterwards."""
    if os.environ.get("VAULTCRAFT_TEST_NO_REDIS") == "1":
        pytest.skip("!!! VAULTCRAFT_TEST_NO_REDIS=1: Redis-backed limiter/nonce tests NOT RUN !!!")
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception as exc:  # fail loudly: these tests are part of the contract
        await client.aclose()
        pytest.fail(
            f"Redis is unreachable at {REDIS_URL} ({type(exc).__name__}); start it or set "
            "VAULTCRAFT_TEST_NO_REDIS=1 to skip explicitly"
        )
    client.test_prefix = f"vc-test:{os.getpid()}:{secrets.token_hex(6)}:"  # type: ignore[attr-defined]
    try:
        yield client
    finally:
        keys = [k async for k in client.scan_iter(match=client.test_prefix + "*")]  # type: ignore[attr-defined]
        if keys:
            await client.delete(*keys)
        await client.aclose()


@pytest.fixture(scope="module")
def redis_sync_prefix() -> Any:
    """(url, unique prefix) for sync tests (hypothesis) that open their own client per example."""
    import anyio
    import redis.asyncio as aioredis

    if os.environ.get("VAULTCRAFT_TEST_NO_REDIS") == "1":
        pytest.skip("!!! VAULTCRAFT_TEST_NO_REDIS=1: Redis-backed limiter/nonce tests NOT RUN !!!")
    prefix = f"vc-test:{os.getpid()}:{secrets.token_hex(6)}:"

    async def ping() -> None:
        client = aioredis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        try:
            await client.ping()
        finally:
            await client.aclose()

    try:
        anyio.run(ping)
    except Exception as exc:
        pytest.fail(
            f"Redis is unreachable at {REDIS_URL} ({type(exc).__name__}); "
            "set VAULTCRAFT_TEST_NO_REDIS=1 to skip"
        )
    yield REDIS_URL, prefix

    async def cleanup() -> None:
        client = aioredis.Redis.from_url(REDIS_URL)
        try:
            keys = [k async for k in client.scan_iter(match=prefix + "*")]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()

    anyio.run(cleanup)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if os.environ.get("VAULTCRAFT_TEST_NO_REDIS") == "1":
        terminalreporter.write_sep(
            "!", "VAULTCRAFT_TEST_NO_REDIS=1: Redis limiter/nonce tests were SKIPPED", red=True
        )


# --- the SQL store on both backends (PostgreSQL: a schema per test, tests/keeper/fixtures/stores.py) ---

from tests.keeper.fixtures.stores import pg_schemas, pg_url, sqlite_url  # noqa: E402, F401


@pytest.fixture(params=["sqlite", "postgresql"])
def api_db_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url"))


@pytest.fixture
def api_db(api_db_url: str) -> Any:
    """A migrated, empty keeper store on each backend."""
    from api.store.db import SqlDb

    db = SqlDb.open(api_db_url)
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def sqlite_db(request: pytest.FixtureRequest) -> Any:
    from api.store.db import SqlDb

    db = SqlDb.open(str(request.getfixturevalue("sqlite_url")))
    try:
        yield db
    finally:
        db.close()
