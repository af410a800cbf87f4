"""`vaultcraft audit ...`: an auditor decrypts a private vault's trade records and checks them on-chain.

Exit codes: 0 everything decrypted / matched, 1 a record or the chain does not match, 2 bad input or
configuration (files, key file, addresses, node).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from vaultcraft.audit import (
    AuditInputError,
    Opened,
    Status,
    check_against_chain,
    epoch_key_commitments,
    load_auditor_key,
    load_json,
    open_records,
    parse_records,
    parse_wraps,
    read_trade_log,
    unwrap_epoch_keys,
    vault_context,
)
from vaultcraft.verify import Chain, ChainError, Web3Chain

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

app = typer.Typer(help="Decrypt private-vault trade records and check them against the chain.",
                  no_args_is_help=True)
console = Console()
errors = Console(stderr=True)

# Tests swap this for a titanoboa-backed chain.
chain_factory = Web3Chain

KeyFile = Annotated[
    Path, typer.Option("--key-file", help="Auditor key file (vaultcraft.auditor-key.v1).", dir_okay=False)
]
Records = Annotated[
    Path, typer.Option("--records", help="JSON [{seq, epoch, commitment, ciphertext}].", dir_okay=False)
]
Wraps = Annotated[
    Path, typer.Option("--wraps", help="Key wraps JSON: [{epoch, auditor_key, wrap}].", dir_okay=False)
]


def _fill_row(item: Opened) -> list[str]:
    r, f = item.record, item.fill
    colour = "green" if item.status == Status.OK else "red"
    status = f"[{colour}]{item.status}[/{colour}]"
    if f is None:
        return [str(r.seq), str(r.epoch), status, "", "", "", "", ""]
    data = item.to_json()["fill"]
    return [str(r.seq), str(r.epoch), status, data["instrument"], data["side"], _units(f.qty),
            _units(f.price), _units(f.fee)]


def _units(value: int, decimals: int = 8) -> str:
    """A 1e8-scaled integer as an exact decimal string (no floats)."""
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 10**decimals)
    text = f"{whole}.{frac:0{decimals}d}".rstrip("0").rstrip(".")
    return sign + text


def _write_private(path: Path, text: str) -> None:
    """Decrypted fills are confidential: the output file is created 0600 (an existing file is replaced)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")


@app.command("decrypt")
def decrypt(
    key_file: KeyFile,
    records: Records,
    wraps: Wraps,
    vault: Annotated[str, typer.Option("--vault", help="The private vault's address.")],
    chain_id: Annotated[int | None, typer.Option("--chain-id", help="Chain id (or give --rpc).")] = None,
    rpc: Annotated[str | None, typer.Option("--rpc", help="Read the chain id from this node.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Where to write the decrypted records (JSON, mode 0600).",
                                      dir_okay=False)] = Path("audit-decrypted.json"),
) -> None:
    """Unwrap the epoch keys addressed to the auditor's X25519 key, decrypt every record, recompute each
    commitment; print a table and write JSON. Exit 1 if any record has no key, does not open or mismatches."""
    try:
        if chain_id is None:
            if rpc is None:
                raise AuditInputError("give --chain-id or --rpc")
            chain_id = chain_factory(rpc).chain_id()
        vid = vault_context(chain_id, vault)
        key = load_auditor_key(key_file)
        recs = parse_records(load_json(records))
        wraps_in = parse_wraps(load_json(wraps))
    except (AuditInputError, ChainError) as exc:
        errors.print(f"audit: {exc}", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    keys, problems = unwrap_epoch_keys(key, wraps_in, vid)
    opened = open_records(recs, keys, vid)
    table = Table(title=f"{len(opened)} records of {vid.vault.hex()} on chain {chain_id}")
    for column in ("seq", "epoch", "status", "instrument", "side", "qty", "price", "fee"):
        numeric = column in ("seq", "epoch", "qty", "price", "fee")
        table.add_column(column, justify="right" if numeric else "left")
    for item in opened:
        table.add_row(*_fill_row(item))
    console.print(table)
    for p in problems:
        console.print(f"[red]epoch {p.epoch} key[/red]: {p.detail}")
    console.print(f"epoch keys unwrapped: {sorted(keys) or 'none'}")
    _write_private(out, json.dumps([item.to_json() for item in opened], indent=2))
    console.print(f"wrote {out}")
    bad = [item for item in opened if item.status != Status.OK]
    if bad or problems:
        console.print(f"[red]FAILED[/red]: {len(bad)} of {len(opened)} records did not check out")
        raise typer.Exit(EXIT_FAILED)
    console.print(f"[green]OK[/green]: all {len(opened)} records decrypted and match their commitments")


@app.command("check")
def check(
    rpc: Annotated[str, typer.Option("--rpc", help="JSON-RPC URL of a node of the vault's chain.")],
    trade_log: Annotated[str, typer.Option("--trade-log", help="The vault's TradeLog address.")],
    key_file: KeyFile,
    records: Records,
    wraps: Wraps,
    from_block: Annotated[int, typer.Option("--from-block", help="First block to read events from.")] = 0,
    registry: Annotated[
        str | None,
        typer.Option("--registry", help="AuditorRegistry: also check each unwrapped epoch key against its "
                                        "on-chain commitment."),
    ] = None,
) -> None:
    """Rebuild the hash chain from the TradeLog's on-chain events, recompute every commitment from the
    decrypted records, and compare with the log's head and count (eth_call). Exit 1 on any mismatch."""
    try:
        chain: Chain = chain_factory(rpc)
        state = read_trade_log(chain, trade_log, from_block)
        if not state.is_private:
            raise AuditInputError(f"{trade_log} is a public vault's log: its fills are on-chain in clear")
        vid = vault_context(chain.chain_id(), state.vault)
        key = load_auditor_key(key_file)
        recs = parse_records(load_json(records))
        wraps_in = parse_wraps(load_json(wraps))
        commitments = None
        if registry is not None:
            commitments = epoch_key_commitments(chain, registry, state.vault, [w.epoch for w in wraps_in])
    except (AuditInputError, ChainError) as exc:
        errors.print(f"audit: {exc}", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except ValueError as exc:  # a malformed --trade-log / --registry address
        errors.print(f"audit: bad address: {exc}", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    keys, problems = unwrap_epoch_keys(key, wraps_in, vid, commitments)
    result = check_against_chain(state, recs, keys, vid, problems)
    report = result.report
    console.print(f"trade log {trade_log} (vault {state.vault}): {state.count} entries on-chain, "
                  f"head 0x{state.head.hex()}")
    console.print(f"replayed {report.count} events, checked {report.checked} records, "
                  f"head 0x{report.head.hex()}")
    if report.issues:
        table = Table(title=f"{len(report.issues)} mismatches")
        for column in ("kind", "seq", "detail"):
            table.add_column(column)
        for issue in report.issues:
            table.add_row(issue.kind.value, str(issue.seq), issue.detail)
        console.print(table)
    for p in problems:
        console.print(f"[red]epoch {p.epoch} key[/red]: {p.detail}")
    if not result.ok:
        console.print("[red]FAILED[/red]: the records do not match the on-chain trade log")
        raise typer.Exit(EXIT_FAILED)
    console.print("[green]OK[/green]: every commitment and the hash chain match the on-chain head")
