"""Settings from env (prefix VAULTCRAFT_KEEPER_), key handling, and log redaction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import structlog

from keeper.config import ConfigError, KeeperSettings
from keeper.logs import REDACTED, processors

KEY = "0x" + "4f" * 32


def test_settings__env_prefix__read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VAULTCRAFT_KEEPER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("VAULTCRAFT_KEEPER_ACK_FILL_TIMEOUT_MS", "750")
    settings = KeeperSettings()
    assert settings.ack_fill_timeout_ms == 750
    assert settings.resolved_db_url() == f"sqlite:///{tmp_path.resolve() / 'keeper.db'}"
    monkeypatch.setenv("VAULTCRAFT_KEEPER_DB_URL", "postgresql://u@h/db")
    assert KeeperSettings().resolved_db_url() == "postgresql://u@h/db"


def test_venue_key__from_env_or_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VAULTCRAFT_KEEPER_VENUE_PRIVATE_KEY", KEY)
    settings = KeeperSettings()
    assert settings.venue_private_key_hex() == KEY
    assert KEY not in repr(settings) and KEY not in str(settings.model_dump())
    monkeypatch.delenv("VAULTCRAFT_KEEPER_VENUE_PRIVATE_KEY")
    key_file = tmp_path / "venue.key"
    key_file.write_text(KEY[2:] + "\n")
    monkeypatch.setenv("VAULTCRAFT_KEEPER_VENUE_KEY_FILE", str(key_file))
    assert KeeperSettings().venue_private_key_hex() == KEY


@pytest.mark.parametrize("bad", ["changeme", "0x" + "0" * 64, "0x1234"])
def test_venue_key__placeholder_or_malformed__refused(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv("VAULTCRAFT_KEEPER_VENUE_PRIVATE_KEY", bad)
    with pytest.raises(ConfigError, match="placeholder"):
        KeeperSettings().venue_private_key_hex()


def test_venue_key__missing__clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VAULTCRAFT_KEEPER_VENUE_PRIVATE_KEY", raising=False)
    monkeypatch.delenv("VAULTCRAFT_KEEPER_VENUE_KEY_FILE", raising=False)
    with pytest.raises(ConfigError, match="no venue key"):
        KeeperSettings().venue_private_key_hex()


def test_log_redaction__key_never_rendered() -> None:
    lines: list[str] = []
    logger = structlog.wrap_logger(
        structlog.ReturnLogger(), processors=processors(secrets=[KEY]),
    )
    nested = {"api_key": "k", "n": KEY[2:]}
    lines.append(logger.info("boot", private_key=KEY, note=f"using {KEY}", nested=nested))
    lines.append(logger.info("err", error=ValueError(f"bad key {KEY}")))
    text = "\n".join(lines)
    assert KEY not in text and KEY[2:] not in text
    event = json.loads(lines[0])
    assert event["private_key"] == REDACTED and event["nested"]["api_key"] == REDACTED
    assert event["note"] == f"using {REDACTED}" and event["nested"]["n"] == REDACTED
