"""Where a transaction's gas goes: `ape run bench_gas --profile KEY` folds the receipt's trace by opcode.

A development aid for the gas targets: Anvil's `debug_traceTransaction` struct logs, folded into
per-opcode and per-call-depth totals, every SSTORE with its cost (22,100 marks a fresh slot) and every
cold SLOAD with its slot (numbered slots as in `vyper -f layout`; mapping slots by their hash's start).
"""

from __future__ import annotations

from collections import Counter

import click
from ape import chain


def _frames(logs: list[dict]) -> tuple[Counter, Counter]:
    """Own gas per opcode and per call depth; a CALL's own cost excludes what its callee spent."""
    by_op: Counter = Counter()
    by_depth: Counter = Counter()
    for i, step in enumerate(logs[:-1]):
        nxt = logs[i + 1]
        if nxt["depth"] == step["depth"]:
            cost = step["gas"] - nxt["gas"]
        elif nxt["depth"] > step["depth"]:  # entered a callee: charge the call's static part only
            j = next((k for k in range(i + 1, len(logs)) if logs[k]["depth"] == step["depth"]), None)
            inner_start = nxt["gas"]
            inner_end = logs[j - 1]["gas"] - logs[j - 1]["gasCost"] if j else 0
            cost = (step["gas"] - logs[j]["gas"]) - (inner_start - inner_end) if j else step["gasCost"]
        else:
            cost = step["gasCost"]
        by_op[step["op"]] += cost
        by_depth[step["depth"]] += cost
    by_op[logs[-1]["op"]] += logs[-1]["gasCost"]
    return by_op, by_depth


def profile(receipt, label: str) -> None:
    trace = chain.provider.make_request(
        "debug_traceTransaction", [receipt.txn_hash, {"disableStorage": True, "disableMemory": True}]
    )
    logs = trace["structLogs"]
    by_op, by_depth = _frames(logs)
    execution = sum(by_op.values())
    click.echo(
        f"\n{label}: gasUsed {receipt.gas_used:,}; execution {execution:,}; "
        f"intrinsic+calldata+refund {receipt.gas_used - execution:,}"
    )
    for op, gas in by_op.most_common(18):
        count = sum(1 for s in logs if s["op"] == op)
        click.echo(f"  {op:<14} {gas:>8,}  x{count}")
    click.echo("  by depth: " + ", ".join(f"{d}: {g:,}" for d, g in sorted(by_depth.items())))
    stores = [(s["depth"], s["pc"], s["gasCost"]) for s in logs if s["op"] == "SSTORE"]
    click.echo(f"  SSTOREs (depth, pc, cost): {stores}")
    cold = [(s["depth"], _short(s["stack"][-1])) for s in logs if s["op"] == "SLOAD" and s["gasCost"] > 100]
    click.echo(f"  cold SLOADs (depth, slot): {cold}")


def _short(slot: str) -> str:
    """A storage slot as a small number, or the start of a hashed (mapping) slot."""
    value = int(slot, 16)
    return str(value) if value < 2**32 else f"{value:064x}"[:8] + ".."
