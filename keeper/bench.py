"""Micro-benchmark: parse + dedupe + store of venue fills into SQLite (batch inserts).

Run: `python -c "from keeper.bench import ingest_fills_per_s; ingest_fills_per_s()"`. Prints and returns
fills/s. Each batch of 2,000 wire fills (the venue's page size) is parsed from its JSON shape, then stored
with the idempotent insert; 10% of the fills are re-delivered to exercise the dedupe path.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from keeper.store.repo import Store
from keeper.venues.hyperliquid_wire import parse_fill

BATCH = 2_000


def _wire_fill(i: int) -> dict[str, Any]:
    return {
        "coin": ("BTC", "ETH", "SOL")[i % 3], "px": f"{60000 + i % 997}.5", "sz": "0.00123",
        "side": "AB"[i % 2],
        "time": 1_700_000_000_000 + i, "startPosition": "1.25", "dir": "Open Long", "closedPnl": "0.0",
        "hash": "0x" + f"{i:064x}", "oid": 1_000_000 + i // 3, "crossed": True, "fee": "0.033975",
        "tid": 10_000_000 + i, "feeToken": "USDC",
    }


def ingest_fills_per_s(n: int = 100_000, db_dir: Path | None = None) -> float:
    wire = [_wire_fill(i) for i in range(n)]
    with tempfile.TemporaryDirectory(dir=db_dir) as tmp:
        store = Store.open(f"sqlite:///{tmp}/bench.db")
        try:
            start = time.perf_counter()
            delivered = 0
            for lo in range(0, n, BATCH):
                batch = wire[lo : lo + BATCH]
                replay = wire[max(0, lo - BATCH // 10) : lo]  # re-delivered tail of the previous batch
                fills = [parse_fill(raw) for raw in replay + batch]
                store.ingest_fills("bench", "0xbench", fills, "rest", 0)
                delivered += len(fills)
            elapsed = time.perf_counter() - start
            stored = store.fill_count("bench")
        finally:
            store.close()
    if stored != n:
        raise AssertionError(f"stored {stored} fills, expected {n}")
    rate = n / elapsed
    print(f"ingest: {n} fills ({delivered} deliveries) in {elapsed:.2f} s = {rate:,.0f} fills/s (SQLite WAL)")  # noqa: T201 - a benchmark prints its figure
    return rate


if __name__ == "__main__":
    ingest_fills_per_s()
