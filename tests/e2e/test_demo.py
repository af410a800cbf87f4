"""`vaultcraft demo` is the product's front door: run it as a user would and check what it claims."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.fixtures.venue_process import REPO


def test_demo_runs_end_to_end_and_its_summary_holds(tmp_path: Path) -> None:
    out = tmp_path / "summary.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "vaultcraft.cli",
            "demo",
            "--json",
            str(out),
            "--workdir",
            str(tmp_path / "run"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads(out.read_text())
    assert summary["ok"] is True
    for vault in ("vcPUB", "vcPRV"):
        rows = [r for r in summary["epochs"] if r["vault"] == vault]
        prices = [int(r["share_price"]) for r in rows]
        assert any(int(r["performance_fee"]) > 0 for r in rows), f"{vault}: no profitable epoch"
        assert any(b < a for a, b in zip(prices, prices[1:], strict=False)), f"{vault}: no losing epoch"
        assert summary["fills_mirrored"][vault] >= 2
    assert summary["proofs_verified"] == 2
    assert summary["records_decrypted"] >= 2
    assert int(summary["redeemed_assets"]) > 0
    assert summary["gas_keeper_txs"] > 0 and summary["gas_demo_txs"] > 0
    assert "demo failed" not in result.stdout


def test_demo_help_names_its_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vaultcraft.cli", "demo", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    for option in ("--json", "--keep-running", "--workdir"):
        assert option in result.stdout
