"""`vaultcraft keeper ...` / `python -m keeper ...`: run the daemon, migrate the store, print status.

Settings come from VAULTCRAFT_KEEPER_* environment variables and, with `--config FILE`, from a dotenv-style
file (environment wins). Secrets belong in the environment or key files, never in the config file.
Exit codes: 0 clean stop, 2 bad configuration.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from pathlib import Path

import typer

from keeper import logs
from keeper.config import ConfigError, KeeperSettings
from keeper.daemon import Keeper

app = typer.Typer(
    help="VaultCraft keeper daemon: mirror venue fills on-chain, post NAV epochs.", no_args_is_help=True
)
ConfigOption = typer.Option(
    None,
    "--config",
    "-c",
    help="dotenv-style settings file (VAULTCRAFT_KEEPER_*=...).",
    exists=True,
    dir_okay=False,
)
log = logs.get_logger("keeper.cli")


def _settings(config: Path | None) -> KeeperSettings:
    return KeeperSettings(_env_file=config) if config else KeeperSettings()  # type: ignore[call-arg]


async def _report_status(keeper: Keeper, stop: asyncio.Event, every_s: float) -> None:
    while not stop.is_set():
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every_s)
        with contextlib.suppress(Exception):
            log.info("keeper_status", **keeper.status())


@app.command()
def run(
    config: Path | None = ConfigOption,
    status_every_s: float = typer.Option(10.0, help="Seconds between keeper_status log lines."),
) -> None:
    """Ingest venue fills, mirror them on-chain and post NAV epochs until SIGINT/SIGTERM."""
    try:
        keeper = Keeper.build(_settings(config))
    except ConfigError as exc:
        typer.echo(f"keeper: {exc}", err=True)
        raise typer.Exit(2) from exc

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await asyncio.gather(keeper.run(stop), _report_status(keeper, stop, status_every_s))

    asyncio.run(main())


@app.command()
def migrate(config: Path | None = ConfigOption) -> None:
    """Bring the store to the newest schema (Alembic)."""
    from keeper.store.migrations import upgrade

    upgrade(_settings(config).resolved_db_url())


@app.command()
def status(config: Path | None = ConfigOption) -> None:
    """Print the store's view (ingest checkpoint, leader, outbox backlog) as JSON."""
    try:
        keeper = Keeper.build(_settings(config))
    except ConfigError as exc:
        typer.echo(f"keeper: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(json.dumps(keeper.status(), indent=2, default=str))


if __name__ == "__main__":
    app()
