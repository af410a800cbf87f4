"""The app wired to Redis for rate limits and nonces (the multi-worker setup), against the live server."""

from __future__ import annotations

import httpx
import pytest
from eth_account import Account

from api.auth.api_keys import Scope
from api.auth.nonces import RedisNonceStore
from api.auth.signed import ChainRole, sign_action
from api.probes import redis_probe
from api.ratelimit import RedisRateLimiter

pytestmark = pytest.mark.anyio
VAULT = "0x" + "ef" * 20
GUARDIAN = Account.from_key(b"\x07" * 32)


async def test_app_on_redis__429_retry_after_replay_409_and_ready(make_app, redis_client, roles, wall_clock):
    prefix = redis_client.test_prefix
    apps = [
        make_app(
            rate_limiter=RedisRateLimiter(redis_client, prefix=prefix + "rl:"),  # Redis server clock
            nonce_store=RedisNonceStore(redis_client, prefix=prefix + "nonce:"),
            probes=[redis_probe(redis_client)],
        )
        for _ in range(2)  # two "workers" sharing one Redis
    ]
    key, _ = await apps[0].state.services.keys.issue("desk-1", [Scope.READ, Scope.ADMIN])
    clients = [httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url="http://api") for a in apps]
    try:
        assert (await clients[0].get("/readyz")).json() == {"status": "ready", "checks": {"redis": "ok"}}
        statuses = [
            (await clients[0].get("/demo/whoami", headers={"X-API-Key": key})).status_code for _ in range(6)
        ]
        assert statuses == [200] * 5 + [429]
        refused = await clients[0].get("/demo/whoami", headers={"X-API-Key": key})
        assert refused.headers["Retry-After"] == "1"

        roles.grant(VAULT, GUARDIAN.address, ChainRole.GUARDIAN)
        signed = sign_action(
            GUARDIAN.key,
            chain_id=31337,
            vault=VAULT,
            action="vault.pause",
            params={"r": "x"},
            nonce=99,
            expiry=wall_clock.now + 60,
        )
        payload = {"params": {"r": "x"}, "signed": signed.model_dump()}
        key1, _ = await apps[1].state.services.keys.issue("ops", [Scope.ADMIN])
        first = await clients[1].post("/demo/admin/pause", headers={"X-API-Key": key1}, json=payload)
        assert first.status_code == 200, first.text
        key0, _ = await apps[0].state.services.keys.issue("ops", [Scope.ADMIN])
        replay = await clients[0].post("/demo/admin/pause", headers={"X-API-Key": key0}, json=payload)
        assert replay.status_code == 409 and replay.json()["code"] == "nonce_reused"
    finally:
        for c in clients:
            await c.aclose()
