"""GET/PUT /v1/vaults/{vault}/risk through the app: API key + EIP-712 signature by the on-chain manager or
admin (StaticRoleReader), optimistic concurrency, replay/expiry refusals, and the audit trail."""

from __future__ import annotations

import eth_account
import pytest

from api.auth.api_keys import Scope
from api.errors import ErrorCode
from api.ratelimit import RateLimit
from api.settings import RatePolicy
from keeper.store.models import RiskTemplate
from tests.api.trading.conftest import TEMPLATE
from tests.api.trading.helpers import assert_error, bearer


def test_put_then_get__versioned_with_etag_and_audited(make_trading, any_store):
    t = make_trading(store_=any_store)
    risk_key, read_key = t.key(Scope.RISK), t.key(Scope.READ)
    created = t.put_risk(risk_key)
    assert created.status_code == 200, created.text
    assert created.headers["ETag"] == '"1"' and created.json()["version"] == 1
    got = t.client.get(f"/v1/vaults/{t.vault}/risk", headers=bearer(read_key))
    assert got.status_code == 200 and got.headers["ETag"] == '"1"'
    assert got.json()["template"]["allowed_instruments"] == ["BTC", "ETH"]
    assert got.json()["updated_by"] == f"signer:{t.manager.address}:manager"

    changed = {**TEMPLATE, "max_leverage": 3}
    updated = t.put_risk(risk_key, changed, version=1)
    assert updated.status_code == 200 and updated.json()["version"] == 2
    with t.store.session() as s:
        row = s.get(RiskTemplate, t.vault.lower())
        assert row is not None and row.version == 2 and row.template["max_leverage"] == 3
    entries = t.store.audit_entries("risk.template.set")
    assert [e.detail["result"] for e in entries] == ["ok", "ok"]
    assert entries[0].actor == f"signer:{t.manager.address}:manager"
    assert len(entries[0].detail["params_digest"]) == 64 and entries[0].detail["api_key"]


def test_put__admin_signature_accepted(trading):
    response = trading.put_risk(trading.key(Scope.RISK), signer=trading.admin)
    assert response.status_code == 200, response.text
    assert response.json()["updated_by"] == f"signer:{trading.admin.address}:admin"


def test_put__stale_if_match_is_409_and_changes_nothing(trading):
    key = trading.key(Scope.RISK)
    assert trading.put_risk(key).status_code == 200
    assert trading.put_risk(key, {**TEMPLATE, "max_leverage": 2}, version=1).status_code == 200
    stale = trading.put_risk(key, {**TEMPLATE, "max_leverage": 4}, version=1)
    body = assert_error(stale, 409, ErrorCode.CONFLICT, "risk.version_mismatch")
    assert body["details"]["current_version"] == 2
    again = trading.put_risk(key)  # no If-Match = create only
    assert_error(again, 409, ErrorCode.CONFLICT, "risk.version_mismatch")
    reader = trading.key(Scope.READ)
    assert (
        trading.client.get(f"/v1/vaults/{trading.vault}/risk", headers=bearer(reader)).json()["version"] == 2
    )
    results = [e.detail["result"] for e in trading.store.audit_entries("risk.template.set")]
    assert results == ["ok", "ok", "version_conflict", "version_conflict"]


def test_put__replayed_signature_refused_409(trading):
    key = trading.key(Scope.RISK)
    body = {"template": TEMPLATE, "signed": trading.sign_risk(TEMPLATE, 0)}
    url = f"/v1/vaults/{trading.vault}/risk"
    assert trading.client.put(url, json=body, headers=bearer(key)).status_code == 200
    replay = trading.client.put(url, json=body, headers=bearer(key))
    assert_error(replay, 409, ErrorCode.NONCE_REUSED)
    results = [e.detail["result"] for e in trading.store.audit_entries("risk.template.set")]
    assert results == ["ok", "refused:nonce_reused"]


def test_put__expired_signature_refused_401(trading):
    response = trading.put_risk(trading.key(Scope.RISK), expiry=trading.wall.now - 1)
    assert_error(response, 401, ErrorCode.SIGNATURE_EXPIRED)


def test_put__signer_without_role_refused_403(trading):
    attacker = eth_account.Account.create()
    response = trading.put_risk(trading.key(Scope.RISK), signer=attacker)
    body = assert_error(response, 403, ErrorCode.ROLE_REQUIRED)
    assert body["details"]["roles"] == ["manager", "admin"]
    [entry] = trading.store.audit_entries("risk.template.set")
    assert entry.detail["result"] == "refused:role_required" and entry.actor.startswith("api_key:")


def test_put__signature_over_other_params_refused_400(trading):
    key = trading.key(Scope.RISK)
    body = {"template": {**TEMPLATE, "max_leverage": 50}, "signed": trading.sign_risk(TEMPLATE, 0)}
    response = trading.client.put(f"/v1/vaults/{trading.vault}/risk", json=body, headers=bearer(key))
    assert_error(response, 400, ErrorCode.BAD_REQUEST)


def test_put__signature_for_another_vault_refused_400(trading):
    other = "0x" + "ab" * 20
    body = {"template": TEMPLATE, "signed": trading.sign_risk(TEMPLATE, 0, vault=other)}
    response = trading.client.put(
        f"/v1/vaults/{trading.vault}/risk", json=body, headers=bearer(trading.key(Scope.RISK))
    )
    assert_error(response, 400, ErrorCode.BAD_REQUEST)


def test_put__malformed_if_match_400(trading):
    key = trading.key(Scope.RISK)
    body = {"template": TEMPLATE, "signed": trading.sign_risk(TEMPLATE, 0)}
    response = trading.client.put(
        f"/v1/vaults/{trading.vault}/risk", json=body, headers={**bearer(key), "If-Match": "yesterday"}
    )
    assert_error(response, 400, ErrorCode.BAD_REQUEST)


@pytest.mark.parametrize(
    "patch",
    [
        {"max_order_notional": 1000.5},  # a float
        {"max_order_notional": "1.123456789"},  # more than 8 decimals
        {"max_order_notional": "0"},
        {"max_leverage": 0},
        {"allowed_instruments": []},
        {"allowed_instruments": ["ETH", "ETH"]},
        {"surprise": 1},
    ],
)
def test_put__bad_template_is_422(trading, patch):
    body = {"template": {**TEMPLATE, **patch}, "signed": trading.sign_risk(TEMPLATE, 0)}
    response = trading.client.put(
        f"/v1/vaults/{trading.vault}/risk", json=body, headers=bearer(trading.key(Scope.RISK))
    )
    assert_error(response, 422, ErrorCode.VALIDATION_FAILED)


def test_auth__missing_401_wrong_scope_403_unbound_403_admin_ok(trading):
    url = f"/v1/vaults/{trading.vault}/risk"
    assert_error(trading.client.get(url), 401, ErrorCode.UNAUTHENTICATED)
    assert_error(trading.client.get(url, headers=bearer("vc_nope")), 401, ErrorCode.INVALID_API_KEY)
    read_only = trading.key(Scope.READ)
    body = {"template": TEMPLATE, "signed": trading.sign_risk(TEMPLATE, 0)}
    assert_error(
        trading.client.put(url, json=body, headers=bearer(read_only)), 403, ErrorCode.INSUFFICIENT_SCOPE
    )
    unbound = trading.key(Scope.RISK, Scope.READ, bound=False)
    assert_error(trading.client.get(url, headers=bearer(unbound)), 403, ErrorCode.FORBIDDEN)
    assert_error(trading.client.put(url, json=body, headers=bearer(unbound)), 403, ErrorCode.FORBIDDEN)
    admin = trading.key(Scope.ADMIN, bound=False)
    assert trading.client.put(url, json=body, headers=bearer(admin)).status_code == 200


def test_get__no_template_404_and_bad_vault_422(trading):
    key = trading.key(Scope.READ)
    assert_error(
        trading.client.get(f"/v1/vaults/{trading.vault}/risk", headers=bearer(key)),
        404,
        ErrorCode.NOT_FOUND,
        "risk.no_template",
    )
    assert_error(
        trading.client.get("/v1/vaults/0x1234/risk", headers=bearer(key)), 422, ErrorCode.VALIDATION_FAILED
    )


def test_put__admin_rate_policy_429_with_retry_after(make_trading):
    tight = RatePolicy(
        per_ip=RateLimit(burst=100, tokens=100, period_s=1), per_key=RateLimit(burst=2, tokens=1, period_s=60)
    )
    t = make_trading(admin_rate=tight)
    key = t.key(Scope.RISK)
    statuses = [t.put_risk(key, version=v).status_code for v in (0, 1)]
    assert statuses == [200, 200]
    limited = t.put_risk(key, version=2)
    assert_error(limited, 429, ErrorCode.RATE_LIMITED)
    assert int(limited.headers["Retry-After"]) >= 1
