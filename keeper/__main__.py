"""`python -m keeper run`: the ingest half of the daemon (settings from VAULTCRAFT_KEEPER_* env)."""

from __future__ import annotations

import asyncio
import signal

import typer

from keeper.config import ConfigError, KeeperSettings
from keeper.daemon import Keeper

app = typer.Typer(help="VaultCraft keeper daemon.")


@app.callback()
def _main() -> None:
    """VaultCraft keeper daemon."""


@app.command()
def run() -> None:
    """Ingest venue fills into the store until SIGINT/SIGTERM."""
    try:
        keeper = Keeper.build(KeeperSettings())
    except ConfigError as exc:
        typer.echo(f"keeper: {exc}", err=True)
        raise typer.Exit(2) from exc

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await keeper.run(stop)

    asyncio.run(main())


@app.command()
def migrate() -> None:
    """Bring the store to the newest schema."""
    from keeper.store.migrations import upgrade

    upgrade(KeeperSettings().resolved_db_url())


if __name__ == "__main__":
    app()
