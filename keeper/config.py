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
    # Prometheus metrics (vaultcraft_keeper_*) on this loopback port; unset = not served.
    metrics_port: int | None = Field(default=None, ge=1, le=65_535)
    metrics_host: str = "127.0.0.1"

    # Chain: the node, the deployment file written by `ape run deploy`, and the vault this keeper serves.
    rpc_url: str | None = None
    deployment_file: Path | None = None
    vault: str | None = None
    keeper_keys: SecretStr | None = None
    keeper_keys_file: Path | None = None
    # HMAC key for holder/position/trade salts (32 bytes hex): lets the keeper regenerate any statement.
    salt_secret: SecretStr | None = None
    salt_secret_file: Path | None = None
    # Private vaults: the vault root view key file (zk.keyfiles format); auditors get per-epoch wraps of it.
    view_root_key_file: Path | None = None
    confirmations: int = Field(default=1, ge=1)
    epoch_interval_s: int = Field(default=3_600, ge=1)
    nav_max_failures: int = Field(default=3, ge=1)
    # Re-snapshot an out-of-bounds NAV for this long before posting it into quarantine (transfers in flight).
    nav_out_of_bounds_grace_s: int = Field(default=30, ge=0)
    chain_tick_ms: int = Field(default=200, ge=10)
    rebroadcast_after_ms: int = Field(default=5_000, ge=100)

    @property
    def lease_key(self) -> str:
        """One leader per vault: keepers of different vaults may share a store."""
        return f"{self.lease_name}:{self.vault.lower()}" if self.vault else self.lease_name

    def resolved_db_url(self) -> str:
        if self.db_url:
            return self.db_url
        return f"sqlite:///{(self.data_dir / 'keeper.db').resolve()}"

    def venue_private_key_hex(self) -> str:
        """The venue signing key from env or key file; raises ConfigError when missing or a placeholder."""
        raw = _read_secret(self.venue_private_key, self.venue_key_file,
                           "VENUE_PRIVATE_KEY", "VENUE_KEY_FILE", "venue key")
        return _hex_key(raw, "venue key")

    # --- chain side (outbox, trade log, NAV); off when rpc_url is unset ------------------------------------

    @property
    def chain_enabled(self) -> bool:
        return self.rpc_url is not None

    def keeper_keys_hex(self) -> list[str]:
        """Keeper keys (comma-separated): the first sends transactions; all sign NAV reports."""
        raw = _read_secret(self.keeper_keys, self.keeper_keys_file,
                           "KEEPER_KEYS", "KEEPER_KEYS_FILE", "keeper keys")
        keys = [_hex_key(part, "keeper key") for part in raw.replace("\n", ",").split(",") if part.strip()]
        if not keys:
            raise ConfigError("keeper keys: none given")
        return keys

    def salt_secret_bytes(self) -> bytes:
        raw = _read_secret(self.salt_secret, self.salt_secret_file,
                           "SALT_SECRET", "SALT_SECRET_FILE", "salt secret")
        return bytes.fromhex(_hex_key(raw, "salt secret")[2:])

    def chain_config(self) -> tuple[str, Path, str]:
        """(rpc_url, deployment_file, vault) or ConfigError naming what is missing."""
        missing = [name for name in ("rpc_url", "deployment_file", "vault") if getattr(self, name) is None]
        if missing:
            names = ", ".join(f"VAULTCRAFT_KEEPER_{m.upper()}" for m in missing)
            raise ConfigError(f"chain settings missing: {names}")
        assert self.rpc_url is not None and self.deployment_file is not None and self.vault is not None
        return self.rpc_url, self.deployment_file, self.vault


def _read_secret(value: SecretStr | None, path: Path | None, env: str, file_env: str, what: str) -> str:
    if value is not None:
        return value.get_secret_value()
    if path is not None:
        try:
            return path.read_text().strip()
        except OSError as exc:
            raise ConfigError(f"cannot read {what} file {path}: {exc.strerror}") from exc
    raise ConfigError(f"no {what}: set VAULTCRAFT_KEEPER_{env} or VAULTCRAFT_KEEPER_{file_env}")


def _hex_key(raw: str, what: str) -> str:
    key = raw.strip()
    if key.lower() in _PLACEHOLDERS or not _KEY.match(key):
        raise ConfigError(f"{what} is a placeholder or not a 32-byte hex value; refusing to start")
    return key if key.startswith("0x") else "0x" + key
