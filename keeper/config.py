"""Keeper settings (pydantic-settings, env prefix VAULTCRAFT_KEEPER_).

Secrets (the venue signing key) come only from the environment or a key file and are held as SecretStr;
`venue_private_key()` refuses placeholders so a demo key can never be run by accident.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

_KEY = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")
_PLACEHOLDERS = {"", "changeme", "change-me", "placeholder", "0x" + "0" * 64, "0" * 64, "xxx"}


class ConfigError(ValueError):
    """Settings that must not be used to start the keeper."""


class KeeperSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VAULTCRAFT_KEEPER_", extra="ignore")

    # Store: an explicit SQLAlchemy URL (postgresql://...) or, by default, SQLite (WAL) in data_dir.
    db_url: str | None = None
    data_dir: Path = Path("data")

    venue_name: str = "hyperliquid"
    venue_url: str = "http://127.0.0.1:3001"
    # Address whose fills are mirrored (a vault or sub-account); defaults to the signer's address.
    venue_account: str | None = None
    venue_private_key: SecretStr | None = None
    venue_key_file: Path | None = None

    # Ack fallback: a fill announced by an order ack but not seen on the socket within this time is
    # fetched by REST (userFillsByTime).
    ack_fill_timeout_ms: int = Field(default=2_000, ge=1)
    # Periodic incremental REST reconciliation (catches fills of resting orders the socket dropped).
    rest_poll_interval_s: float = Field(default=5.0, gt=0)
    # Periodic full reconciliation of venue positions against the store.
    position_reconcile_interval_s: float = Field(default=60.0, gt=0)
    # Each REST pass re-reads this much history before the checkpoint (inclusive bounds, dedupe by tid).
    reconcile_overlap_ms: int = Field(default=2_000, ge=0)
    # Largest page the venue returns for userFillsByTime (a full page means "there may be more").
    fills_page_cap: int = Field(default=2_000, ge=1)
    # Leader lease.
    lease_name: str = "keeper-leader"
    lease_ttl_ms: int = Field(default=15_000, ge=100)

    log_level: str = "info"

    def resolved_db_url(self) -> str:
        if self.db_url:
            return self.db_url
        return f"sqlite:///{(self.data_dir / 'keeper.db').resolve()}"

    def venue_private_key_hex(self) -> str:
        """The signing key from env or key file; raises ConfigError when missing or a placeholder."""
        raw: str | None = None
        if self.venue_private_key is not None:
            raw = self.venue_private_key.get_secret_value()
        elif self.venue_key_file is not None:
            try:
                raw = self.venue_key_file.read_text().strip()
            except OSError as exc:
                message = f"cannot read venue key file {self.venue_key_file}: {exc.strerror}"
                raise ConfigError(message) from exc
        if raw is None:
            raise ConfigError(
                "no venue key: set VAULTCRAFT_KEEPER_VENUE_PRIVATE_KEY or VAULTCRAFT_KEEPER_VENUE_KEY_FILE"
            )
        if raw.strip().lower() in _PLACEHOLDERS or not _KEY.match(raw.strip()):
            raise ConfigError("venue key is a placeholder or not a 32-byte hex key; refusing to start")
        key = raw.strip()
        return key if key.startswith("0x") else "0x" + key
