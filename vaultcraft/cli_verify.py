"""`vaultcraft verify ...`: an investor checks a statement locally (zk/) and on-chain (ProofVerifier).

Exit codes: 0 both checks pass, 1 a check failed, 2 bad input or configuration (file, address, node).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from vaultcraft.verify import (
    Chain,
    ChainError,
    StatementError,
    Verdict,
    Web3Chain,
    load_statement_file,
    parse_holder_statement,
    parse_position_statement,
    verify_holder,
    verify_position,
)

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

app = typer.Typer(
    help="Check an investor statement against the accepted NAV report, locally and with an eth_call.",
    no_args_is_help=True,
)
console = Console()
errors = Console(stderr=True)

Rpc = Annotated[str, typer.Option("--rpc", help="JSON-RPC URL of any node of the vault's chain.")]
Verifier = Annotated[str, typer.Option("--verifier", help="ProofVerifier address.")]
Oracle = Annotated[str, typer.Option("--oracle", help="The vault's NavOracle address (Vault.nav_oracle()).")]
Statement = Annotated[
    Path, typer.Option("--statement", help="Statement JSON as the API serves it.", dir_okay=False)
]

# Tests swap this for a titanoboa-backed chain.
chain_factory = Web3Chain


def _show(kind: str, verdict: Verdict, rpc: str) -> int:
    table = Table(title=f"{kind} statement, chain {verdict.chain_id}")
    table.add_column("check")
    table.add_column("result")
    table.add_column("detail")
    yes, no = "[green]valid[/green]", "[red]INVALID[/red]"
    local_detail = verdict.local_reason or "root and sum match"
    table.add_row("local (zk/)", yes if verdict.local_ok else no, local_detail)
    table.add_row(
        "on-chain (ProofVerifier)",
        yes if verdict.onchain_ok else no,
        "in the report the oracle accepted" if verdict.onchain_ok else "verifier returned false",
    )
    console.print(table)
    for note in verdict.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    console.print("Repeat the on-chain check with any node:")
    console.print(f"  to:   {verdict.call.to}", soft_wrap=True)
    console.print(f"  data: {verdict.call.data}", soft_wrap=True)
    console.print(f"  curl -s -H 'content-type: application/json' -d '{verdict.call.json_rpc()}' {rpc}",
                  soft_wrap=True, markup=False)
    if verdict.ok:
        console.print(f"[green]OK[/green]: the {kind} leaf is in the accepted report")
        return EXIT_OK
    console.print(f"[red]FAILED[/red]: the {kind} statement does not verify")
    return EXIT_FAILED


def _run(kind: str, rpc: str, verifier: str, oracle: str, statement: Path) -> int:
    try:
        data = load_statement_file(statement)
        stmt = parse_holder_statement(data) if kind == "holder" else parse_position_statement(data)
        chain: Chain = chain_factory(rpc)
        check = verify_holder if kind == "holder" else verify_position
        verdict = check(chain, verifier, oracle, stmt)  # type: ignore[arg-type]
    except StatementError as exc:
        errors.print(f"verify: bad statement: {exc}", markup=False)
        return EXIT_BAD_INPUT
    except ChainError as exc:
        errors.print(f"verify: {exc}", markup=False)
        return EXIT_BAD_INPUT
    except ValueError as exc:  # a malformed --verifier / --oracle address
        errors.print(f"verify: bad address: {exc}", markup=False)
        return EXIT_BAD_INPUT
    return _show(kind, verdict, rpc)


@app.command("holder")
def holder(rpc: Rpc, verifier: Verifier, oracle: Oracle, statement: Statement) -> None:
    """Verify a holder statement (vault, epoch, holder, shares, salt, proof, report): the Merkle-sum path
    locally with zk/, then ProofVerifier.verify_holder by eth_call; prints the call to repeat anywhere."""
    raise typer.Exit(_run("holder", rpc, verifier, oracle, statement))


@app.command("position")
def position(rpc: Rpc, verifier: Verifier, oracle: Oracle, statement: Statement) -> None:
    """Verify a position statement (vault, epoch, instrument, size, mark_price, equity, debt, salt, proof,
    report): locally with zk/, then ProofVerifier.verify_position by eth_call."""
    raise typer.Exit(_run("position", rpc, verifier, oracle, statement))
