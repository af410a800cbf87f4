"""Settings from `VAULTCRAFT_API_*`; placeholder or short secrets refused; secrets never in repr."""

from __future__ import annotations

import secrets

import pytest
from pydantic import ValidationError

from api.ratelimit import RateLimit
from api.settings import ApiSettings

GOOD = secrets.token_hex(32)


def test_from_env__prefix_and_nested_rate_limits(monkeypatch):
    monkeypatch.setenv("VAULTCRAFT_API_KEY_PEPPER", GOOD)
    monkeypatch.setenv("VAULTCRAFT_API_LOGIN_SECRET", secrets.token_hex(32))
    monkeypatch.setenv("VAULTCRAFT_API_CHAIN_ID", "8453")
    monkeypatch.setenv("VAULTCRAFT_API_RATE_ADMIN__PER_KEY__BURST", "3")
    settings = ApiSettings()
    assert settings.chain_id == 8453
    assert settings.rate_admin.per_key == RateLimit(burst=3, tokens=5, period_s=60)
    assert GOOD not in repr(settings) and GOOD not in str(settings.model_dump())


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "short",
        "changeme-changeme-changeme-changeme",
        "a" * 64,
        "my-secret-value-for-the-api-key-pepper!!",
    ],
)
def test_placeholder_or_short_secrets_refused(bad):
    with pytest.raises(ValidationError):
        ApiSettings(key_pepper=bad, login_secret=secrets.token_hex(32))


def test_missing_secret_refused(monkeypatch):
    monkeypatch.delenv("VAULTCRAFT_API_KEY_PEPPER", raising=False)
    monkeypatch.delenv("VAULTCRAFT_API_LOGIN_SECRET", raising=False)
    with pytest.raises(ValidationError):
        ApiSettings()


def test_unknown_policy_refused():
    settings = ApiSettings(key_pepper=GOOD, login_secret=secrets.token_hex(32))
    with pytest.raises(KeyError):
        settings.policy("nope")
