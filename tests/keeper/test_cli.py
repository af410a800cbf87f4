"""`vaultcraft keeper ...` as an operator meets it: help, config files, refusals with exit code 2."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from keeper.__main__ import _status_line, app

runner = CliRunner()


@pytest.mark.parametrize("command", [[], ["run"], ["migrate"], ["status"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_run_without_a_venue_key_exits_2_and_says_what_is_missing(tmp_path: Path, monkeypatch) -> None:
    for name in ("VAULTCRAFT_KEEPER_VENUE_PRIVATE_KEY", "VAULTCRAFT_KEEPER_VENUE_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "keeper.env"
    config.write_text(f"VAULTCRAFT_KEEPER_DATA_DIR={tmp_path}\n")
    result = runner.invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == 2
    assert "no venue key" in result.output


def test_config_file_values_are_used_and_chain_gaps_are_named(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("VAULTCRAFT_KEEPER_VENUE_PRIVATE_KEY", "0x" + "5a" * 32)
    config = tmp_path / "keeper.env"
    config.write_text(
        f"VAULTCRAFT_KEEPER_DATA_DIR={tmp_path}\nVAULTCRAFT_KEEPER_RPC_URL=http://127.0.0.1:1\n"
    )
    result = runner.invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == 2
    assert "VAULTCRAFT_KEEPER_DEPLOYMENT_FILE" in result.output and "VAULTCRAFT_KEEPER_VAULT" in result.output
    assert "5a5a5a" not in result.output  # the key never appears


def test_missing_config_file_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "--config", str(tmp_path / "nope.env")])
    assert result.exit_code == 2


def test_status_line_flags_alerts() -> None:
    status = {
        "is_leader": True,
        "ingest": {"ws_fills": 3, "reconciled_fills": 1},
        "chain": {
            "outbox": {"by_status": {"confirmed": 5, "sent": 1}},
            "nav_state": "quarantined",
            "alert": "epoch 7: report quarantined",
        },
    }
    line = _status_line(status)
    assert line.startswith("leader") and "confirmed=5 open=1" in line and "ALERT epoch 7" in line


def test_status_reads_heartbeats_from_the_store_and_exits_1_without_any(tmp_path: Path, monkeypatch) -> None:
    from keeper.store.repo import Store

    monkeypatch.setenv("VAULTCRAFT_KEEPER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("VAULTCRAFT_KEEPER_DB_URL", raising=False)
    assert runner.invoke(app, ["status"]).exit_code == 1  # nobody has reported
    store = Store.open(f"sqlite:///{tmp_path / 'keeper.db'}")
    store.heartbeat("host:9", "0x" + "22" * 20, True, {"chain": {"alert": None}}, time.time_ns() // 1_000_000)
    store.close()
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert '"holder": "host:9"' in result.output and '"is_leader": true' in result.output


def test_resume_dismisses_failed_reports_of_that_vault_only(tmp_path: Path, monkeypatch) -> None:
    from eth_utils import to_checksum_address

    from keeper.outbox.queue import enqueue
    from keeper.store.models import AuditLog, OutboxEntry
    from keeper.store.repo import Store

    vault, other = "0x" + "Ab" * 20, "0x" + "cd" * 20
    monkeypatch.setenv("VAULTCRAFT_KEEPER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("VAULTCRAFT_KEEPER_DB_URL", raising=False)
    store = Store.open(f"sqlite:///{tmp_path / 'keeper.db'}")
    with store.session() as session:
        for address, n in ((to_checksum_address(vault), 3), (to_checksum_address(other), 1)):
            for attempt in range(n):
                entry = enqueue(
                    session,
                    kind="nav",
                    vault=address,
                    dedupe_key=f"nav:{address}:7:{attempt}",
                    payload={},
                    now_ms=1,
                )
                entry.status = "failed"
    store.close()
    monkeypatch.setenv("VAULTCRAFT_KEEPER_VAULT", vault.lower())
    result = runner.invoke(app, ["resume"])
    assert result.exit_code == 0, result.output
    assert "dismissed 3" in result.output
    store = Store.open(f"sqlite:///{tmp_path / 'keeper.db'}")
    with store.session() as session:
        statuses = sorted((e.vault.lower() == other, e.status) for e in session.query(OutboxEntry))
        assert statuses == [(False, "dismissed")] * 3 + [(True, "failed")]
        assert session.query(AuditLog).filter(AuditLog.action == "keeper.resume").count() == 1
    store.close()


def test_resume_without_a_vault_exits_2(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("VAULTCRAFT_KEEPER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("VAULTCRAFT_KEEPER_VAULT", raising=False)
    assert runner.invoke(app, ["resume"]).exit_code == 2
