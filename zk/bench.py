"""Throughput numbers for the zk library (a benchmark that prints, not a test).

    python -c "import zk.bench; zk.bench.run()"
"""

from __future__ import annotations

import os
import time

from .abi import bytes32_from_text
from .audit import TradeEvent, audit_trade_log, decrypt_for_audit
from .commitments import Side, TradeFill, chain_heads
from .context import VaultId
from .envelope import seal_record, wrap_epoch_key
from .hpke import AuditorPrivateKey
from .keccak import BACKEND
from .leaves import HolderLeaf
from .merkle_sum import SumTree
from .view_keys import VaultRootKey


def _fills(n: int) -> list[TradeFill]:
    return [
        TradeFill(
            seq=i + 1,
            ts=1_767_225_600 + i,
            venue=bytes32_from_text("hl"),
            instrument=bytes32_from_text("BTC"),
            side=Side(i % 2),
            qty=(i + 1) * 1_000,
            price=6_500_000_000_000 + i,
            fee=-(i % 7),
            venue_fill_id_hash=os.urandom(32),
            salt=os.urandom(32),
        )
        for i in range(n)
    ]


def run(n_leaves: int = 1_000_000, depth: int = 20, n_records: int = 5_000) -> dict[str, float | int | str]:
    vault = VaultId.of(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
    ctx = vault.at(1)
    results: dict[str, float | int | str] = {"keccak_backend": BACKEND, "merkle_leaves": n_leaves}

    leaves = [(os.urandom(32), i + 1) for i in range(n_leaves)]
    t0 = time.perf_counter()
    SumTree.build(leaves, depth)
    results["merkle_build_1m_leaves_s"] = round(time.perf_counter() - t0, 3)
    del leaves

    sample = [HolderLeaf(os.urandom(20), i, os.urandom(32)) for i in range(10_000)]
    t0 = time.perf_counter()
    for lf in sample:
        lf.leaf_hash(ctx)
    results["holder_leaf_hash_us"] = round((time.perf_counter() - t0) / len(sample) * 1e6, 2)

    epoch_key = VaultRootKey.generate(vault).epoch_key(1, 1_767_225_600)
    auditor = AuditorPrivateKey.generate()
    t0 = time.perf_counter()
    for _ in range(100):
        wrap_epoch_key(epoch_key, auditor.public_key())
    results["hpke_wrap_epoch_key_us"] = round((time.perf_counter() - t0) / 100 * 1e6, 1)

    fills = _fills(n_records)
    t0 = time.perf_counter()
    sealed = [seal_record(epoch_key, f) for f in fills]
    results["hpke_seal_per_record_us"] = round((time.perf_counter() - t0) / n_records * 1e6, 2)

    heads = chain_heads([(s.commitment, s.ciphertext_hash) for s in sealed])
    events = [
        TradeEvent(s.seq, s.commitment, s.ciphertext_hash, h) for s, h in zip(sealed, heads, strict=True)
    ]
    t0 = time.perf_counter()
    records = [decrypt_for_audit(epoch_key, ev, s.ciphertext) for ev, s in zip(events, sealed, strict=True)]
    report = audit_trade_log(vault, events, records, expected_head=heads[-1], expected_count=n_records)
    results["audit_decrypt_check_per_record_us"] = round((time.perf_counter() - t0) / n_records * 1e6, 2)
    if not report.ok:  # a benchmark over broken data would measure the wrong path
        raise RuntimeError(f"benchmark audit failed: {report.by_kind()}")

    for key, value in results.items():
        print(f"{key}: {value}")  # noqa: T201 - a benchmark reports by printing
    return results


if __name__ == "__main__":
    run()
