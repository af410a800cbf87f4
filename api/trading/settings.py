"""Trading settings from the environment (prefix `VAULTCRAFT_API_TRADING_`).

The venue signing key of each vault comes only from the environment, as JSON mapping vault address to a
32-byte hex key, e.g. `VAULTCRAFT_API_TRADING_VENUE_KEYS='{"0xVault...": "0x<64 hex>"}'`. Keys are
`SecretStr` (repr shows `**********`), validation errors never echo the input, and placeholders are refused.
"""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_KEY = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")


class TradingSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="VAULTCRAFT_API_TRADING_", extra="ignore", hide_input_in_errors=True
    )

    venue_url: str = "http://127.0.0.1:3001"
    venue_name: str = "hyperliquid"
    venue_timeout_s: float = Field(default=10.0, gt=0)
    venue_keys: dict[str, SecretStr] = Field(default_factory=dict, description="vault -> venue signing key")
    venue_accounts: dict[str, str] = Field(
        default_factory=dict, description="vault -> venue account traded (default: the signer's address)"
    )
    stream_poll_ms: int = Field(default=250, ge=20, le=60_000)
    stream_auth_timeout_s: float = Field(default=5.0, gt=0, le=60)

    @field_validator("venue_keys")
    @classmethod
    def _keys(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        out: dict[str, SecretStr] = {}
        for vault, key in value.items():
            if not _ADDRESS.match(vault):
                raise ValueError("venue_keys: every key must be a vault address")
            raw = key.get_secret_value().strip()
            if not _KEY.match(raw) or len(set(raw.removeprefix("0x").lower())) < 8:
                raise ValueError(f"venue_keys[{vault}]: not a 32-byte hex key, or a placeholder")
            out[vault.lower()] = SecretStr(raw if raw.startswith("0x") else "0x" + raw)
        return out

    @field_validator("venue_accounts")
    @classmethod
    def _accounts(cls, value: dict[str, str]) -> dict[str, str]:
        for vault, account in value.items():
            if not _ADDRESS.match(vault) or not _ADDRESS.match(account):
                raise ValueError("venue_accounts maps vault address -> account address")
        return {k.lower(): v.lower() for k, v in value.items()}
