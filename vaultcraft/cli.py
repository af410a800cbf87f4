"""The `vaultcraft` command line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import typer

from keeper.__main__ import app as keeper_app
from vaultcraft.cli_audit import app as audit_app
from vaultcraft.cli_verify import app as verify_app
from vaultcraft.demo.cli import demo
from venue_sim.cli import app as venue_sim_app

app = typer.Typer(help="VaultCraft: trading vaults with on-chain NAV proofs.", no_args_is_help=True)
app.add_typer(venue_sim_app, name="venue-sim", help="Run the local Hyperliquid-compatible venue simulator.")
app.add_typer(keeper_app, name="keeper", help="Run the keeper daemon, migrate its store, show its status.")
app.add_typer(verify_app, name="verify", help="Check an investor statement locally and on-chain.")
app.add_typer(audit_app, name="audit", help="Decrypt private-vault trade records and check them on-chain.")
app.add_typer(__import__("vaultcraft.cli_api").cli_api.app, name="api", help="The HTTP API and its keys.")

app.command()(demo)

ROOT = Path(__file__).resolve().parent.parent


def _ape(*args: str) -> int:
    ape = shutil.which("ape")
    if ape is None:
        typer.echo("vaultcraft: `ape` not found; run `make setup` and use the project's .venv", err=True)
        return 2
    if shutil.which("anvil") is None:
        typer.echo("vaultcraft: `anvil` not on PATH; run `make setup` (installs @foundry-rs/anvil)", err=True)
        return 2
    return subprocess.call([ape, *args], cwd=ROOT, env=os.environ.copy())


@app.command()
def deploy(network: str = typer.Option("ethereum:local:foundry", help="Ape network choice.")) -> None:
    """Deploy factory, invite gate and a public and a private vault; writes deployments/<network>.json."""
    raise typer.Exit(_ape("run", "deploy", "--network", network))


if __name__ == "__main__":
    sys.exit(app())
