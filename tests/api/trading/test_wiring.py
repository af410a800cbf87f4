"""The routers mounted by the real `api.app.create_app` through `ApiDeps.routers`: OpenAPI documents them
with `ErrorBody` errors, and an order placed through that app reaches the simulator."""

from __future__ import annotations

import secrets

from fastapi.testclient import TestClient

from api.app import create_app
from api.auth.api_keys import InMemoryKeyStore, Scope
from api.auth.nonces import InMemoryNonceStore
from api.auth.signed import StaticRoleReader
from api.container import ApiDeps
from api.ratelimit import InMemoryRateLimiter
from api.settings import ApiSettings
from api.trading import StaticVaultBindings, TradingDeps, trading_routers
from api.trading.venue import StaticVenues
from tests.api.trading.conftest import funded_venue


def test_create_app__mounts_trading_routers_and_documents_errors(sim, store):
    venue = funded_venue(sim)
    vault = "0x" + "5a" * 20
    bindings = StaticVaultBindings()
    trading = TradingDeps(store=store, venues=StaticVenues({vault: venue}), bindings=bindings)
    settings = ApiSettings(key_pepper=secrets.token_hex(32), login_secret=secrets.token_hex(32))
    deps = ApiDeps(
        key_store=InMemoryKeyStore(),
        rate_limiter=InMemoryRateLimiter(),
        nonce_store=InMemoryNonceStore(clock=lambda: 1_800_000_000),
        role_reader=StaticRoleReader(),
        routers=trading_routers(trading),
    )
    app = create_app(settings, deps)
    schema = app.openapi()
    for path in (
        "/v1/vaults/{vault}/risk",
        "/v1/vaults/{vault}/orders",
        "/v1/vaults/{vault}/orders/drafts",
        "/v1/vaults/{vault}/orders/{oid}",
        "/v1/vaults/{vault}/orders/open",
        "/v1/vaults/{vault}/exec/positions",
        "/v1/vaults/{vault}/exec/fills",
    ):
        assert path in schema["paths"], path
    post = schema["paths"]["/v1/vaults/{vault}/orders"]["post"]["responses"]
    assert {"201", "401", "403", "404", "409", "422", "429", "503"} <= set(post)
    assert post["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")

    import anyio

    async def issue() -> str:
        plaintext, record = await app.state.services.keys.issue("desk-1", [Scope.ADMIN])
        return plaintext

    key = anyio.run(issue)
    client = TestClient(app, raise_server_exceptions=False)
    # no template yet: the order is refused before the venue sees it
    refused = client.post(
        f"/v1/vaults/{vault}/orders",
        json={"coin": "ETH", "side": "buy", "size": "0.1", "type": "market"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert refused.status_code == 409 and refused.json()["details"]["reason"] == "risk.no_template"
