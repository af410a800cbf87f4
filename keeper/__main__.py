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
import sys
import time
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from keeper import logs
from keeper.config import ConfigError, KeeperSettings
from keeper.daemon import Keeper
from keeper.metrics import KeeperMetrics
from keeper.outbox.queue import OPEN

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


def _status_line(status: dict[str, Any]) -> str:
    ingest, chain = status.get("ingest") or {}, status.get("chain") or {}
    queue = (chain.get("outbox") or {}).get("by_status", {})
    parts = [
        "leader" if status.get("is_leader") else "standby",
        f"fills ws={ingest.get('ws_fills', 0)} rest={ingest.get('reconciled_fills', 0)}",
        f"outbox confirmed={queue.get('confirmed', 0)} open={sum(queue.get(k, 0) for k in OPEN)}",
        f"nav={chain.get('nav_state')}",
    ]
    if chain.get("alert") or chain.get("chain_error"):
        parts.append(f"ALERT {chain.get('alert') or chain.get('chain_error')}")
    return " | ".join(parts)


async def _report_status(keeper: Keeper, stop: asyncio.Event, every_s: float) -> None:
    """A keeper_status JSON log line every `every_s`; on a terminal, also a one-line summary on stderr; with
    a metrics port, the Prometheus gauges."""
    console = Console(stderr=True) if sys.stderr.isatty() else None
    metrics = None
    if keeper.settings.metrics_port is not None:
        metrics = KeeperMetrics()
        metrics.serve(keeper.settings.metrics_port, keeper.settings.metrics_host)
    while not stop.is_set():
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every_s)
        with contextlib.suppress(Exception):
            status = keeper.status()
            log.info("keeper_status", **status)
            if metrics is not None:
                metrics.update(status, time.time_ns() // 1_000_000)
            if console is not None:
                console.print(_status_line(status), markup=False, highlight=False)


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
def resume(config: Path | None = ConfigOption) -> None:
    """Clear a NAV halt after fixing its cause: the vault's failed report intents stop counting.

    The keeper halts after NAV_MAX_FAILURES failed reports for one epoch (see `status`); the failed
    intents stay in the outbox, marked `dismissed`, and the action is written to the audit log.
    """
    from sqlalchemy import update

    from keeper.store.models import OutboxEntry
    from keeper.store.repo import Store

    settings = _settings(config)
    if settings.vault is None:
        typer.echo("keeper: set VAULTCRAFT_KEEPER_VAULT to the vault whose halt to clear", err=True)
        raise typer.Exit(2)
    from eth_utils import to_checksum_address

    vault = to_checksum_address(settings.vault)  # intents are keyed by the checksummed address
    store = Store.open(settings.resolved_db_url())
    try:
        now_ms = time.time_ns() // 1_000_000
        with store.session() as session:
            dismissed = session.execute(
                update(OutboxEntry)
                .where(
                    OutboxEntry.dedupe_key.startswith(f"nav:{settings.vault}:"),
                    OutboxEntry.status == "failed",
                )
                .values(status="dismissed", updated_ms=now_ms)
            ).rowcount
        store.audit("operator", "keeper.resume", {"vault": vault, "dismissed": dismissed}, now_ms)
    finally:
        store.close()
    typer.echo(f"dismissed {dismissed} failed report intent(s) of {vault}")


@app.command()
def status(
    config: Path | None = ConfigOption,
    max_age_s: float = typer.Option(60.0, help="Ignore keepers whose last heartbeat is older than this."),
) -> None:
    """Print the running keepers' latest heartbeats (leader, ingest, outbox, writer, alerts) as JSON.

    Reads only the store (VAULTCRAFT_KEEPER_DB_URL / DATA_DIR); no secrets or node needed. Exit 1 when no
    keeper has reported within --max-age-s, or when any reports an alert.
    """
    from keeper.store.repo import Store

    store = Store.open(_settings(config).resolved_db_url())
    try:
        now_ms = time.time_ns() // 1_000_000
        beats = store.heartbeats(int(max_age_s * 1000), now_ms)
    finally:
        store.close()
    out = [
        {
            "holder": b.holder,
            "vault": b.vault,
            "is_leader": b.is_leader,
            "age_ms": now_ms - b.at_ms,
            **b.status,
        }
        for b in beats
    ]
    typer.echo(json.dumps(out, indent=2, default=str))
    alerts = [b for b in out if (b.get("chain") or {}).get("alert")]
    if not out or alerts:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
