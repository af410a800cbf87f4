"""API settings from the environment (prefix `VAULTCRAFT_API_`, nested fields with `__`).

Secrets are `SecretStr` (never printed by repr/logs) and the service refuses to start with a short or
placeholder value. Example: `VAULTCRAFT_API_KEY_PEPPER=$(openssl rand -hex 32)`,
`VAULTCRAFT_API_RATE_ADMIN__PER_KEY__BURST=3`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.ratelimit import RateLimit

_PLACEHOLDER_MARKERS = (
    "changeme",
    "change-me",
    "change_me",
    "placeholder",
    "example",
    "secret",
    "xxxx",
    "todo",
)
MIN_SECRET_CHARS = 32


def check_secret(value: SecretStr) -> SecretStr:
    raw = value.get_secret_value()
    if len(raw) < MIN_SECRET_CHARS:
        raise ValueError(f"secret must be at least {MIN_SECRET_CHARS} characters")
    lowered = raw.lower()
    if any(marker in lowered for marker in _PLACEHOLDER_MARKERS) or len(set(raw)) < 8:
        raise ValueError("secret looks like a placeholder; generate one (e.g. `openssl rand -hex 32`)")
    return value


def default_db_url() -> str:
    """The keeper's embedded default store (`keeper.config.KeeperSettings`: data/keeper.db)."""
    return f"sqlite:///{Path('data/keeper.db').resolve()}"


class StoreSettings(BaseSettings):
    """Only the store URL (for CLI commands that need no secrets, e.g. `vaultcraft api audit-log`)."""

    model_config = SettingsConfigDict(env_prefix="VAULTCRAFT_API_", extra="ignore")

    db_url: str | None = None

    def resolved_db_url(self) -> str:
        return self.db_url or default_db_url()


class RatePolicy(BaseModel, frozen=True):
    """One bucket per client IP and, once authenticated, one per API key."""

    per_ip: RateLimit
    per_key: RateLimit


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="VAULTCRAFT_API_",
        env_nested_delimiter="__",
        extra="ignore",
        nested_model_default_partial_update=True,  # one nested env var overrides one field, not the model
    )

    chain_id: int = Field(default=31337, ge=1)
    key_pepper: SecretStr = Field(description="Server pepper for API key hashes (HMAC-SHA256 key).")
    login_secret: SecretStr = Field(description="HMAC key that makes login challenges unforgeable.")
    signed_action_max_ttl_s: int = Field(default=600, ge=1, description="Longest accepted expiry horizon.")
    login_challenge_ttl_s: int = Field(default=300, ge=1)
    readiness_timeout_s: float = Field(default=2.0, gt=0)
    trust_forwarded_for: bool = Field(
        default=False, description="Take the client IP from X-Forwarded-For (only behind a trusted proxy)."
    )
    rate_default: RatePolicy = RatePolicy(
        per_ip=RateLimit(burst=120, tokens=60, period_s=1), per_key=RateLimit(burst=60, tokens=30, period_s=1)
    )
    rate_admin: RatePolicy = RatePolicy(
        per_ip=RateLimit(burst=10, tokens=10, period_s=60), per_key=RateLimit(burst=5, tokens=5, period_s=60)
    )

    # --- read side: store, chain, deployment (api/server.py builds the real ports from these) ---------
    db_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the keeper store; default SQLite data/keeper.db."
    )
    rpc_url: SecretStr = Field(
        default=SecretStr("http://127.0.0.1:8545"), description="JSON-RPC URL (may embed a provider key)."
    )
    deployment_file: Path = Field(
        default=Path("deployments/local.json"), description="`ape run deploy` output: addresses and ABIs."
    )
    redis_url: SecretStr | None = Field(
        default=None, description="Redis for shared rate limits and nonces; in-process when unset."
    )
    venue_accounts: dict[str, list[str]] = Field(
        default_factory=dict, description="Vault address -> venue accounts trading for it (public vaults)."
    )
    session_ttl_s: int = Field(default=900, ge=1, description="Lifetime of a holder session token.")
    head_cache_s: float = Field(default=1.0, ge=0, description="How long a chain head/vault read is reused.")
    status_cache_s: float = Field(
        default=0.25, ge=0, description="How long one /v1/status store snapshot is reused (0 = never)."
    )
    events_max_blocks: int = Field(default=10_000, ge=1, description="Most blocks one events page scans.")

    def resolved_db_url(self) -> str:
        return self.db_url or default_db_url()

    _check_pepper = field_validator("key_pepper", "login_secret")(check_secret)

    def policy(self, name: str) -> RatePolicy:
        policies = {"default": self.rate_default, "admin": self.rate_admin}
        if name not in policies:
            raise KeyError(f"unknown rate policy {name!r}")
        return policies[name]
