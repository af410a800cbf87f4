"""Trading API fixtures: a real venue simulator process, real keeper stores (SQLite, PostgreSQL), real
EIP-712 signatures, and an app that mounts `trading_routers` on the api building blocks.

`trading` builds one environment per test: a fresh vault address, a fresh funded venue account that
trades for it, API keys issued through the app's own key service, and a StaticRoleReader holding the
vault's manager and admin (the chain-backed reader is not used here).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio
import eth_account
import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.auth.api_keys import ApiKeyService, InMemoryKeyStore, KeyHasher, Scope
from api.auth.nonces import InMemoryNonceStore
from api.auth.signed import ActionVerifier, ChainRole, SignedAction, StaticRoleReader, sign_action
from api.container import ApiDeps
from api.errors import install_error_handlers
from api.metrics import ApiMetrics
from api.ratelimit import InMemoryRateLimiter, RateLimit
from api.settings import ApiSettings, RatePolicy
from api.trading import StaticVaultBindings, TradingDeps, trading_routers
from api.trading.venue import HyperliquidTradingVenue, StaticVenues
from keeper.store.repo import Store
from tests.api.fakes import FakeClock
from tests.fixtures.venue_process import SimProcess, start_sim
from tests.keeper.fixtures.stores import pg_schemas, pg_url, sqlite_url  # noqa: F401  (fixtures)

START_UNIX = 1_800_000_000
LOOSE = RateLimit(burst=100_000, tokens=100_000, period_s=1)
TEMPLATE: dict[str, Any] = {
    "allowed_instruments": ["BTC", "ETH"],
    "max_position_notional": "50000",
    "max_order_notional": "20000",
    "max_leverage": 5,
    "max_slippage_bps": 200,
}


@pytest.fixture(scope="session")
def sim() -> Iterator[SimProcess]:
    handle = start_sim("--step-clock", "--seed", "23")
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url"))


@pytest.fixture
def store(sqlite_url: str) -> Iterator[Store]:  # noqa: F811
    opened = Store.open(sqlite_url)
    yield opened
    opened.close()


@pytest.fixture
def any_store(db_url: str) -> Iterator[Store]:
    opened = Store.open(db_url)
    yield opened
    opened.close()


@dataclass
class TestServices:
    """What `api.deps` reads from `app.state.services` (the subset of `api.container.Services` it uses)."""

    settings: ApiSettings
    deps: ApiDeps
    metrics: ApiMetrics
    keys: ApiKeyService
    actions: ActionVerifier


@dataclass
class Trading:
    app: FastAPI
    client: TestClient
    store: Store
    venue: HyperliquidTradingVenue
    vault: str
    manager: LocalAccount
    admin: LocalAccount
    roles: StaticRoleReader
    bindings: StaticVaultBindings
    wall: FakeClock
    mono: FakeClock
    sim: SimProcess
    chain_id: int
    venues: StaticVenues
    nonces: list[int] = field(default_factory=lambda: [0])

    def key(self, *scopes: Scope, bound: bool = True, vault: str | None = None) -> str:
        async def run() -> tuple[str, str]:
            plaintext, record = await self.app.state.services.keys.issue("desk-1", scopes)
            return plaintext, record.key_id

        plaintext, key_id = anyio.run(run)
        if bound:
            self.bindings.bind(key_id, vault or self.vault)
        return plaintext

    def sign_risk(
        self,
        template: dict[str, Any],
        expected_version: int,
        signer: LocalAccount | None = None,
        nonce: int | None = None,
        expiry: int | None = None,
        vault: str | None = None,
    ) -> dict[str, Any]:
        from api.trading.schemas import RiskTemplateIn

        self.nonces[0] += 1
        params = {
            "vault": to_checksum_address(vault or self.vault),
            "template": RiskTemplateIn.model_validate(template).canonical(),
            "expected_version": expected_version,
        }
        signed: SignedAction = sign_action(
            (signer or self.manager).key,
            chain_id=self.chain_id,
            vault=vault or self.vault,
            action="risk.template.set",
            params=params,
            nonce=self.nonces[0] if nonce is None else nonce,
            expiry=self.wall.now + 300 if expiry is None else expiry,
        )
        return signed.model_dump()

    def put_risk(
        self, key: str, template: dict[str, Any] | None = None, version: int = 0, **sign: Any
    ) -> Any:
        template = template or TEMPLATE
        headers = {"Authorization": f"Bearer {key}"}
        if version:
            headers["If-Match"] = f'"{version}"'
        body = {"template": template, "signed": self.sign_risk(template, version, **sign)}
        return self.client.put(f"/v1/vaults/{self.vault}/risk", json=body, headers=headers)

    def info(self, kind: str) -> Any:
        import httpx

        return httpx.post(self.sim.url + "/info", json={"type": kind, "user": self.venue.account}).json()


def build_app(settings: ApiSettings, api_deps: ApiDeps, trading_deps: TradingDeps) -> FastAPI:
    """The app as `api.app.create_app` assembles it, reduced to what the trading routes use."""
    app = FastAPI(title="trading-test")
    clock = api_deps.wall_clock
    app.state.services = TestServices(
        settings=settings,
        deps=api_deps,
        metrics=ApiMetrics(),
        keys=ApiKeyService(
            api_deps.key_store, KeyHasher(settings.key_pepper.get_secret_value().encode()), clock
        ),
        actions=ActionVerifier(
            chain_id=settings.chain_id,
            nonces=api_deps.nonce_store,
            roles=api_deps.role_reader,
            clock=clock,
            max_ttl_s=settings.signed_action_max_ttl_s,
        ),
    )
    install_error_handlers(app)
    for router in trading_routers(trading_deps):
        app.include_router(router)
    return app


def funded_venue(sim: SimProcess, usd: str = "100000") -> HyperliquidTradingVenue:
    wallet = eth_account.Account.create()
    sim.call("/sim/fund", {"user": wallet.address, "usd": usd})
    return HyperliquidTradingVenue(sim.url, wallet)


@pytest.fixture
def make_trading(sim: SimProcess, store: Store) -> Callable[..., Trading]:
    def make(
        *,
        store_: Store | None = None,
        rate: RatePolicy | None = None,
        admin_rate: RatePolicy | None = None,
        usd: str = "100000",
        vault: str | None = None,
        role_reader: Any = None,
        manager: LocalAccount | None = None,
        admin: LocalAccount | None = None,
    ) -> Trading:
        used_store = store_ or store
        loose = RatePolicy(per_ip=LOOSE, per_key=LOOSE)
        settings = ApiSettings(
            key_pepper=secrets.token_hex(32),
            login_secret=secrets.token_hex(32),
            rate_default=rate or loose,
            rate_admin=admin_rate or loose,
        )
        wall, mono = FakeClock(START_UNIX), FakeClock(10**12)
        roles = StaticRoleReader()
        vault = to_checksum_address(vault or "0x" + secrets.token_hex(20))
        manager = manager or eth_account.Account.create()
        admin = admin or eth_account.Account.create()
        roles.grant(vault, manager.address, ChainRole.MANAGER)
        roles.grant(vault, admin.address, ChainRole.ADMIN)
        venue = funded_venue(sim, usd)
        bindings = StaticVaultBindings()
        api_deps = ApiDeps(
            key_store=InMemoryKeyStore(),
            rate_limiter=InMemoryRateLimiter(clock=mono),
            nonce_store=InMemoryNonceStore(clock=wall),
            role_reader=role_reader or roles,
            wall_clock=wall,
        )
        venues = StaticVenues({vault: venue})
        tdeps = TradingDeps(
            store=used_store,
            venues=venues,
            bindings=bindings,
            stream_poll_s=0.05,
            stream_auth_timeout_s=1.0,
        )
        app = build_app(settings, api_deps, tdeps)
        client = TestClient(app, raise_server_exceptions=False)
        return Trading(
            app,
            client,
            used_store,
            venue,
            vault,
            manager,
            admin,
            roles,
            bindings,
            wall,
            mono,
            sim,
            settings.chain_id,
            venues,
        )

    return make


@pytest.fixture
def trading(make_trading: Callable[..., Trading]) -> Trading:
    return make_trading()
