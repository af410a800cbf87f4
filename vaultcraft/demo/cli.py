"""`vaultcraft demo`: run the scenario, print the summary; optionally write JSON or keep the stack up."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from vaultcraft.demo.script import Demo
from vaultcraft.demo.stack import DemoStack
from vaultcraft.localnet import REPO

MAX_ERROR_CHARS = 400


def demo(
    json_file: Annotated[
        Path | None, typer.Option("--json", help="Also write the summary as JSON here.")
    ] = None,
    keep_running: Annotated[
        bool, typer.Option("--keep-running", help="Leave the stack up until Ctrl-C.")
    ] = False,
    workdir: Annotated[Path | None, typer.Option(help="Run directory (default: .demo/run-<time>).")] = None,
) -> None:
    """The whole system on the embedded default: Anvil, venue simulator, keepers, SQLite; no configuration.

    Exit codes: 0 every step succeeded, 1 a step failed (the message names it; logs are in the run directory).
    """
    console = Console()
    run_dir = workdir or REPO / ".demo" / f"run-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    stack = DemoStack(run_dir.resolve())
    scenario = Demo(stack, console)
    code = 0
    try:
        summary = scenario.run()
        assert scenario.actors is not None
        decimals = 6
        console.print(summary.table(decimals))
        console.print(summary.totals(decimals))
        if json_file is not None:
            summary.write(json_file)
            console.print(f"summary written to {json_file}")
        if keep_running:
            _print_next(console, stack)
            while True:
                stack.check_alive()
                time.sleep(1)
    except KeyboardInterrupt:
        pass
    except Exception as exc:  # every failure ends the demo with a message and exit 1, never a traceback
        _report_failure(console, stack.workdir, exc)
        if json_file is not None and scenario.summary is not None:
            scenario.summary.write(json_file)
        code = 1
    finally:
        stack.close()
    raise typer.Exit(code)


def _report_failure(console: Console, workdir: Path, exc: Exception) -> None:
    """One readable line on the console; the whole error (it can carry kilobytes of calldata) in a file."""
    text = f"{type(exc).__name__}: {exc}"
    if len(text) > MAX_ERROR_CHARS:
        error_file = workdir / "demo-error.txt"
        try:
            error_file.parent.mkdir(parents=True, exist_ok=True)
            error_file.write_text(text + "\n")
            where = f"whole error: {error_file}"
        except OSError as write_error:  # an unwritable run folder may be why the demo failed
            where = f"whole error not saved: {write_error}"
        text = f"{text[:MAX_ERROR_CHARS]}... ({where})"
    console.print(f"[bold red]demo failed:[/] {text}")
    console.print(f"logs: {workdir}")


def _print_next(console: Console, stack: DemoStack) -> None:
    assert stack.anvil is not None
    console.print(f"\nstack is up (Ctrl-C stops it). chain: {stack.anvil.url}  venue: {stack.sim_url}")
    if stack.api_url:
        console.print(f"API: {stack.api_url}/docs   status: curl {stack.api_url}/v1/status")
    console.print(f"deployment: {stack.deployment_file}")
    console.print(f"keeper status: VAULTCRAFT_KEEPER_DB_URL={stack.db_url} vaultcraft keeper status")
