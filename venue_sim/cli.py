"""Command line: `vaultcraft venue-sim serve ...` (mounted by the main CLI) or `python -m venue_sim ...`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import typer

from venue_sim.config import SimConfig
from venue_sim.server import run

app = typer.Typer(help="Local Hyperliquid-compatible venue simulator (HTTP /info, /exchange, WS /ws).")


@app.callback()
def _main() -> None:
    """Local Hyperliquid-compatible venue simulator (HTTP /info, /exchange, WS /ws)."""


def _rate(value: str) -> Decimal:
    try:
        rate = Decimal(value)
    except InvalidOperation as exc:
        raise typer.BadParameter(f"not a decimal: {value!r}") from exc
    if not 0 <= rate <= 1:
        raise typer.BadParameter("must be between 0 and 1")
    return rate


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int = typer.Option(3001, help="TCP port; SDK base_url is http://HOST:PORT."),
    seed: int = typer.Option(1, help="Seed of the deterministic price paths and WS drop decisions."),
    drop_rate: str = typer.Option(
        "0", help="Fraction (0..1) of userFills/orderUpdates WS messages silently dropped."
    ),
    delay_ms: int = typer.Option(0, min=0, help="Delay added to every WS message, in ms."),
    step_clock: bool = typer.Option(
        False, "--step-clock", help="Freeze simulated time; advance only via POST /sim/advance {\"ms\": n}."
    ),
    tick_ms: int = typer.Option(1000, min=1, help="Price-path tick length in ms."),
    start_time_ms: int | None = typer.Option(
        None, help="Simulated start time (ms since epoch); default is the wall clock at start-up."
    ),
    log_level: str = typer.Option("warning", help="uvicorn log level."),
) -> None:
    """Serve the simulator until interrupted."""
    config = SimConfig(
        seed=seed,
        ws_drop_rate=_rate(drop_rate),
        ws_delay_ms=delay_ms,
        step_clock=step_clock,
        tick_ms=tick_ms,
        start_time_ms=start_time_ms,
    )
    typer.echo(f"venue-sim listening on http://{host}:{port} (seed={seed}, step_clock={step_clock})")
    run(host, port, config, log_level=log_level)
