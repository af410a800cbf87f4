"""Schemathesis drives every documented operation with generated requests (authenticated with an admin
key) and checks each answer against the OpenAPI contract: documented status codes, response schemas
(including `ErrorBody` for every error), content types, and no 5xx."""

from __future__ import annotations

import secrets

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.app import create_app
from api.auth.api_keys import InMemoryKeyStore, Scope
from api.auth.nonces import InMemoryNonceStore
from api.auth.signed import StaticRoleReader
from api.container import ApiDeps
from api.kpis import InMemoryNavSeries, NavPoint
from api.ratelimit import InMemoryRateLimiter, RateLimit
from api.settings import ApiSettings, RatePolicy
from tests.api.demo_routes import router as demo_router

# titanoboa's pytest plugin snapshots its EVM around every fixture; schemathesis' lazy fixture resolution
# tears those down out of order. Nothing here touches the EVM, so opt out of boa's isolation.
pytestmark = pytest.mark.ignore_isolation

_LOOSE = RatePolicy(
    per_ip=RateLimit(burst=100_000, tokens=100_000, period_s=1),
    per_key=RateLimit(burst=100_000, tokens=100_000, period_s=1),
)


@pytest.fixture(scope="module")
def conformance_app():
    settings_ = ApiSettings(
        key_pepper=secrets.token_hex(32),
        login_secret=secrets.token_hex(32),
        rate_default=_LOOSE,
        rate_admin=_LOOSE,
    )
    deps = ApiDeps(
        key_store=InMemoryKeyStore(),
        rate_limiter=InMemoryRateLimiter(),
        nonce_store=InMemoryNonceStore(clock=lambda: 1_800_000_000),
        role_reader=StaticRoleReader(),
        wall_clock=lambda: 1_800_000_000,
        routers=[demo_router],
        nav_series=InMemoryNavSeries(
            {
                "0x" + "12" * 20: [
                    NavPoint(0, 10**18),
                    NavPoint(86_400, 11 * 10**17),
                    NavPoint(172_800, 105 * 10**16),
                ]
            }
        ),
    )
    return create_app(settings_, deps)


@pytest.fixture(scope="module")
def admin_key(conformance_app) -> str:
    import anyio

    async def issue() -> str:
        key, _ = await conformance_app.state.services.keys.issue("conformance", [Scope.ADMIN])
        return key

    return anyio.run(issue)


@pytest.fixture(scope="module")
def api_schema(conformance_app):
    return schemathesis.openapi.from_asgi("/openapi.json", conformance_app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.exclude(path="/demo/boom").parametrize()
@settings(max_examples=25, suppress_health_check=list(HealthCheck), deadline=None)
def test_every_operation_conforms_to_the_contract(case, admin_key):
    # `positive_data_acceptance` is excluded on purpose: schema-valid bodies can still break business rules
    # that JSON Schema cannot express (a params_hash that does not match the params, a signature by someone
    # else, a forged login challenge); those answer a declared 400/401/403, which the other checks verify.
    case.call_and_validate(headers={"X-API-Key": admin_key}, excluded_checks=[positive_data_acceptance])
