"""Venue keys come from the environment only, are SecretStr, and never show up in reprs or errors."""

from __future__ import annotations

import json

import eth_account
import pytest
from pydantic import ValidationError

from api.trading.settings import TradingSettings
from api.trading.venue import LazySettingsVenues

VAULT = "0x" + "Ab" * 20


def test_venue_keys__from_env_as_secrets(monkeypatch, sim):
    wallet = eth_account.Account.create()
    key_hex = wallet.key.hex()
    monkeypatch.setenv("VAULTCRAFT_API_TRADING_VENUE_KEYS", json.dumps({VAULT: key_hex}))
    monkeypatch.setenv("VAULTCRAFT_API_TRADING_VENUE_URL", sim.url)
    settings = TradingSettings()
    assert key_hex.removeprefix("0x") not in repr(settings) + str(settings.model_dump())
    venue = LazySettingsVenues(settings).venue_for(VAULT.upper().replace("0X", "0x"))
    assert venue is not None and venue.account == wallet.address.lower()
    assert LazySettingsVenues(settings).venue_for("0x" + "00" * 20) is None


@pytest.mark.parametrize("bad", ["0x" + "0" * 64, "changeme", "0x" + "ab" * 32, "12" * 31])
def test_venue_keys__placeholders_refused_without_echo(monkeypatch, bad):
    monkeypatch.setenv("VAULTCRAFT_API_TRADING_VENUE_KEYS", json.dumps({VAULT: bad}))
    with pytest.raises(ValidationError) as exc:
        TradingSettings()
    assert bad not in str(exc.value)


def test_venue_key__never_in_logs_answers_or_audit(monkeypatch, sim, store, capsys, caplog):
    """Orders through a settings-built venue: the key appears in no log line, answer or audit row."""
    import logging

    from api.auth.api_keys import Scope
    from api.trading import StaticVaultBindings, TradingDeps
    from tests.api.trading.conftest import TEMPLATE, build_app

    caplog.set_level(logging.DEBUG)
    wallet = eth_account.Account.create()
    key_hex = wallet.key.hex().removeprefix("0x")
    sim.call("/sim/fund", {"user": wallet.address, "usd": "100000"})
    monkeypatch.setenv("VAULTCRAFT_API_TRADING_VENUE_KEYS", json.dumps({VAULT: key_hex}))
    monkeypatch.setenv("VAULTCRAFT_API_TRADING_VENUE_URL", sim.url)
    import secrets

    import anyio
    from fastapi.testclient import TestClient

    from api.auth.api_keys import InMemoryKeyStore
    from api.auth.nonces import InMemoryNonceStore
    from api.auth.signed import StaticRoleReader
    from api.container import ApiDeps
    from api.ratelimit import InMemoryRateLimiter
    from api.settings import ApiSettings
    from api.trading.schemas import RiskTemplateIn

    bindings = StaticVaultBindings()
    tdeps = TradingDeps(store=store, venues=LazySettingsVenues(TradingSettings()), bindings=bindings)
    tdeps.repo.replace_template(VAULT, RiskTemplateIn.model_validate(TEMPLATE).canonical(), 0, "test", 1)
    settings = ApiSettings(key_pepper=secrets.token_hex(32), login_secret=secrets.token_hex(32))
    api_deps = ApiDeps(
        key_store=InMemoryKeyStore(),
        rate_limiter=InMemoryRateLimiter(),
        nonce_store=InMemoryNonceStore(clock=lambda: 1_800_000_000),
        role_reader=StaticRoleReader(),
    )
    app = build_app(settings, api_deps, tdeps)

    async def issue() -> str:
        plaintext, record = await app.state.services.keys.issue("desk", [Scope.TRADE])
        bindings.bind(record.key_id, VAULT)
        return plaintext

    api_key = anyio.run(issue)
    client = TestClient(app, raise_server_exceptions=False)
    answers = []
    for order in (
        {"coin": "ETH", "side": "buy", "size": "0.1", "type": "market"},
        {"coin": "ETH", "side": "buy", "size": "50", "type": "market"},  # risk refusal
        {"coin": "ETH", "side": "buy", "size": "0.1", "type": "market", "reduce_only": True},  # venue refusal
    ):
        answers.append(
            client.post(
                f"/v1/vaults/{VAULT}/orders", json=order, headers={"Authorization": f"Bearer {api_key}"}
            )
        )
    assert [a.status_code for a in answers] == [201, 422, 422]
    captured = capsys.readouterr()
    everything = captured.out + captured.err + caplog.text + "".join(a.text for a in answers)
    everything += json.dumps([e.detail for e in store.audit_entries()]) + "".join(
        e.actor for e in store.audit_entries()
    )
    assert key_hex not in everything and key_hex.lower() not in everything.lower()
