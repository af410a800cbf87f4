"""End to end through `create_app` with the test-only demo router: auth, scopes, signed admin actions,
rate limits and every error path, with the JSON error shape checked each time."""

from __future__ import annotations

import httpx
import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from fastapi.testclient import TestClient

from api.auth.api_keys import Scope
from api.auth.signed import ChainRole, sign_action
from api.container import ReadinessProbe
from api.errors import ErrorBody, ErrorCode
from api.ratelimit import US_PER_S

VAULT = "0x" + "cd" * 20
GUARDIAN = Account.from_key(b"\x05" * 32)


def assert_error(response: httpx.Response, status: int, code: ErrorCode) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    ErrorBody.model_validate(body)
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code.value
    return body


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_healthz__ok(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz__all_probes_ok(make_app):
    async def ok() -> bool:
        return True

    client = TestClient(make_app(probes=[ReadinessProbe("db", ok), ReadinessProbe("redis", ok)]))
    assert client.get("/readyz").json() == {"status": "ready", "checks": {"db": "ok", "redis": "ok"}}


def test_readyz__failing_or_hanging_probe_gives_503_without_leaking(make_app, settings):
    import asyncio

    async def broken() -> None:
        raise ConnectionError("postgres://admin:pw@db/vaultcraft refused")

    async def hangs() -> None:
        await asyncio.sleep(10)

    async def ok() -> None:
        return None

    settings.readiness_timeout_s = 0.05
    client = TestClient(
        make_app(
            probes=[ReadinessProbe("db", broken), ReadinessProbe("chain", hangs), ReadinessProbe("redis", ok)]
        )
    )
    body = assert_error(client.get("/readyz"), 503, ErrorCode.NOT_READY)
    assert body["details"] == {"checks": {"db": "failed", "chain": "timeout", "redis": "ok"}}
    assert "pw" not in str(body)


def test_missing_key__401_with_www_authenticate(client):
    response = client.get("/demo/whoami")
    assert_error(response, 401, ErrorCode.UNAUTHENTICATED)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Authorization", "X-API-Key"])
def test_valid_key__accepted_in_either_header(client, issue_key, header):
    key = issue_key(Scope.READ)
    value = f"Bearer {key}" if header == "Authorization" else key
    body = client.get("/demo/whoami", headers={header: value}).json()
    assert body["scopes"] == ["read"] and body["actor"].endswith(":desk-1")


def test_bad_key__401_same_answer_for_malformed_unknown_and_wrong(client, issue_key):
    key = issue_key(Scope.READ)
    wrong = key[:-1] + ("A" if key[-1] != "A" else "B")
    bodies = [
        assert_error(client.get("/demo/whoami", headers=bearer(k)), 401, ErrorCode.INVALID_API_KEY)
        for k in ("garbage", "vc_0123456789abcdef_" + "x" * 43, wrong)
    ]
    assert len({b["message"] for b in bodies}) == 1


def test_conflicting_keys_in_both_headers__401(client, issue_key):
    a, b = issue_key(Scope.READ), issue_key(Scope.READ)
    response = client.get("/demo/whoami", headers={**bearer(a), "X-API-Key": b})
    assert_error(response, 401, ErrorCode.INVALID_API_KEY)


def test_missing_scope__403_not_401(client, issue_key):
    key = issue_key(Scope.READ)
    body = assert_error(
        client.post("/demo/orders", headers=bearer(key), json={"client_order_id": "a", "size": 1}),
        403,
        ErrorCode.INSUFFICIENT_SCOPE,
    )
    assert body["details"] == {"required": "trade"}


def test_expired_key__401(client, issue_key, wall_clock):
    key = issue_key(Scope.READ, expires_at=wall_clock.now + 1)
    assert client.get("/demo/whoami", headers=bearer(key)).status_code == 200
    wall_clock.advance(1)
    assert_error(client.get("/demo/whoami", headers=bearer(key)), 401, ErrorCode.INVALID_API_KEY)


def test_orders__201_then_409_duplicate_then_404_unknown(client, issue_key):
    key = issue_key(Scope.TRADE, Scope.READ)
    order = {"client_order_id": "o-1", "size": 5}
    created = client.post("/demo/orders", headers=bearer(key), json=order)
    assert created.status_code == 201 and created.json()["actor"].startswith("api_key:")
    assert_error(client.post("/demo/orders", headers=bearer(key), json=order), 409, ErrorCode.CONFLICT)
    assert client.get("/demo/orders/o-1", headers=bearer(key)).json()["size"] == 5
    assert_error(client.get("/demo/orders/o-2", headers=bearer(key)), 404, ErrorCode.NOT_FOUND)


def test_validation__422_lists_locations_and_never_echoes_input(client, issue_key):
    key = issue_key(Scope.TRADE)
    body = assert_error(
        client.post(
            "/demo/orders", headers=bearer(key), json={"client_order_id": "sk_live_SECRET", "size": -1}
        ),
        422,
        ErrorCode.VALIDATION_FAILED,
    )
    assert body["details"][0]["loc"] == ["body", "size"]
    assert "SECRET" not in str(body)
    assert_error(
        client.post(
            "/demo/orders",
            headers=bearer(key),
            content=b"{not json",
        ),
        422,
        ErrorCode.VALIDATION_FAILED,
    )


def test_unknown_route_404_and_wrong_method_405(client):
    assert_error(client.get("/nope"), 404, ErrorCode.NOT_FOUND)
    assert_error(client.delete("/healthz"), 405, ErrorCode.METHOD_NOT_ALLOWED)


def test_unhandled_exception__500_without_internals(client, issue_key):
    from structlog.testing import capture_logs

    key = issue_key(Scope.READ)
    with capture_logs() as logs:
        response = client.get("/demo/boom", headers=bearer(key))
    body = assert_error(response, 500, ErrorCode.INTERNAL)
    [entry] = [e for e in logs if e["event"] == "unhandled_exception"]
    assert entry["incident"] == body["details"]["incident"] and "RuntimeError" in entry["traceback"]
    assert key not in str(entry)  # the API key never reaches the log
    assert body["message"] == "internal error" and set(body["details"]) == {"incident"}
    assert (
        "hunter2" not in response.text and "/srv" not in response.text and "RuntimeError" not in response.text
    )


def test_rate_limit__per_key_429_with_integer_retry_after_then_recovers(client, issue_key, mono_clock):
    key = issue_key(Scope.READ)  # per-key: burst 5, 1 token/s
    for _ in range(5):
        assert client.get("/demo/whoami", headers=bearer(key)).status_code == 200
    response = client.get("/demo/whoami", headers=bearer(key))
    body = assert_error(response, 429, ErrorCode.RATE_LIMITED)
    assert response.headers["Retry-After"] == "1" and body["details"] == {"retry_after_s": 1, "bucket": "key"}
    other = issue_key(Scope.READ, owner="desk-2")
    assert client.get("/demo/whoami", headers=bearer(other)).status_code == 200  # other keys unaffected
    mono_clock.advance(US_PER_S)
    assert client.get("/demo/whoami", headers=bearer(key)).status_code == 200


def test_rate_limit__per_ip_throttles_unauthenticated_guessing(client, mono_clock):
    codes = [client.get("/demo/whoami", headers=bearer("vc_guess")).status_code for _ in range(51)]
    assert codes[:50] == [401] * 50 and codes[50] == 429


def test_rate_limit__forwarded_for_uses_the_proxy_appended_entry(make_app, settings):
    settings.trust_forwarded_for = True
    client = TestClient(make_app())
    spoof = [
        client.get("/demo/whoami", headers={"X-Forwarded-For": f"10.0.0.{i}, 203.0.113.9"}) for i in range(51)
    ]
    assert spoof[-1].status_code == 429  # forged left-hand entries do not give fresh buckets
    assert client.get("/demo/whoami", headers={"X-Forwarded-For": "203.0.113.10"}).status_code == 401


def test_admin__signed_action_end_to_end_then_replay_409(client, issue_key, roles, wall_clock):
    roles.grant(VAULT, GUARDIAN.address, ChainRole.GUARDIAN)
    key = issue_key(Scope.ADMIN, owner="ops")
    params = {"reason": "venue outage"}
    signed = sign_action(
        GUARDIAN.key,
        chain_id=31337,
        vault=VAULT,
        action="vault.pause",
        params=params,
        nonce=1,
        expiry=wall_clock.now + 60,
    )
    payload = {"params": params, "signed": signed.model_dump()}
    ok = client.post("/demo/admin/pause", headers=bearer(key), json=payload)
    assert ok.status_code == 200, ok.text
    assert ok.json()["signer_actor"] == f"signer:{GUARDIAN.address}:guardian"
    assert_error(
        client.post("/demo/admin/pause", headers=bearer(key), json=payload), 409, ErrorCode.NONCE_REUSED
    )


def test_admin__tampered_params_400_and_non_holder_403(client, issue_key, wall_clock):
    key = issue_key(Scope.ADMIN, owner="ops")
    signed = sign_action(
        GUARDIAN.key,
        chain_id=31337,
        vault=VAULT,
        action="vault.pause",
        params={"reason": "a"},
        nonce=2,
        expiry=wall_clock.now + 60,
    )
    tampered = {"params": {"reason": "b"}, "signed": signed.model_dump()}
    assert_error(
        client.post("/demo/admin/pause", headers=bearer(key), json=tampered), 400, ErrorCode.BAD_REQUEST
    )
    honest = {"params": {"reason": "a"}, "signed": signed.model_dump()}
    assert_error(
        client.post("/demo/admin/pause", headers=bearer(key), json=honest), 403, ErrorCode.ROLE_REQUIRED
    )


def test_admin__needs_admin_scope_and_has_its_own_lower_limit(client, issue_key, wall_clock):
    trade_key = issue_key(Scope.TRADE)
    assert_error(
        client.post("/demo/admin/pause", headers=bearer(trade_key), json={}),
        403,
        ErrorCode.INSUFFICIENT_SCOPE,
    )
    key = issue_key(Scope.ADMIN, owner="ops")  # admin per-key: burst 2 then 1/min
    codes = [client.post("/demo/admin/pause", headers=bearer(key), json={}).status_code for _ in range(3)]
    assert codes == [422, 422, 429]
    response = client.post("/demo/admin/pause", headers=bearer(key), json={})
    assert response.headers["Retry-After"] == "60"
    # the default policy still serves this key on normal routes
    assert client.get("/demo/whoami", headers=bearer(key)).status_code == 200


def test_login__challenge_and_verify_via_http(client):
    investor = Account.from_key(b"\x06" * 32)
    message = client.get("/demo/login/challenge", params={"address": investor.address}).json()["message"]
    signature = "0x" + bytes(Account.sign_message(encode_defunct(text=message), investor.key).signature).hex()
    assert client.post("/demo/login", json={"message": message, "signature": signature}).json() == {
        "address": investor.address
    }
    assert_error(
        client.post("/demo/login", json={"message": message, "signature": signature}),
        409,
        ErrorCode.NONCE_REUSED,
    )
    assert_error(
        client.get("/demo/login/challenge", params={"address": "0x12"}), 422, ErrorCode.VALIDATION_FAILED
    )
    forged = {"message": "please sign in", "signature": "0x" + "11" * 65}
    assert_error(client.post("/demo/login", json=forged), 400, ErrorCode.BAD_REQUEST)


def test_undecodable_body__400_not_500(client):
    response = client.post("/demo/login", content=b"\xff\xfe{", headers={"Content-Type": "application/json"})
    assert_error(response, 400, ErrorCode.BAD_REQUEST)


@pytest.mark.anyio
async def test_async_client__auth_and_rate_limit_over_asgi(app):
    key, _ = await app.state.services.keys.issue("desk-1", [Scope.READ])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
        statuses = [(await http.get("/demo/whoami", headers=bearer(key))).status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429]
        assert (await http.get("/demo/whoami")).status_code == 401


def test_two_apps_share_no_state(make_app, issue_key):
    key = issue_key(Scope.READ)  # issued on the `app` fixture's store
    other = TestClient(make_app())
    assert_error(other.get("/demo/whoami", headers=bearer(key)), 401, ErrorCode.INVALID_API_KEY)
