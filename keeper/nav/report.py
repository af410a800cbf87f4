"""Pure epoch-close computation: trees, the NavReport, its signatures and each holder's statement.

No I/O, so `make bench-keeper` times exactly this (epoch_close_10k_positions_100k_holders_s).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from keeper.nav.valuation import PositionRow
from vaultcraft.protocol import NavReport, nav_report_typed_data
from zk.abi import parse_address
from zk.context import VaultContext
from zk.leaves import build_position_tree, holder_leaf_hashes, position_leaves
from zk.merkle_sum import SumTree
from zk.salts import holder_salts

HOLDER_DEPTH = 20  # 1,048,576 holders
POSITION_DEPTH = 16  # 65,536 instruments


@dataclass(frozen=True)
class Snapshot:
    ctx: VaultContext
    timestamp: int
    holdings: Sequence[tuple[str, int]]  # (checksum address, shares), any order
    positions: Sequence[PositionRow]
    trade_head: bytes
    trade_count: int
    custody_out: int
    custody_in: int


@dataclass(frozen=True)
class StatementData:
    holder: str
    shares: int
    leaf: str
    salt: str
    proof: dict[str, Any]


@dataclass(frozen=True)
class BuiltReport:
    report: NavReport
    struct_hash: bytes
    signatures: list[bytes]
    statements: list[StatementData]


def report_document(snapshot: Snapshot, position_root: bytes, holder_root: bytes) -> bytes:
    """The canonical off-chain report (keccak'd into `report_hash`)."""
    doc = {
        "version": 1,
        "chainid": snapshot.ctx.chainid,
        "vault": snapshot.ctx.vault_hex,
        "epoch": snapshot.ctx.epoch,
        "timestamp": snapshot.timestamp,
        "positions": [
            [p.instrument.rstrip(b"\0").decode(), str(p.size), str(p.mark_price), str(p.equity), str(p.debt)]
            for p in snapshot.positions
        ],
        "position_root": "0x" + position_root.hex(),
        "holder_root": "0x" + holder_root.hex(),
        "trade_count": snapshot.trade_count,
        "trade_head": "0x" + snapshot.trade_head.hex(),
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


class _Lap:
    """Stage stopwatch; a no-op unless the caller passed a dict."""

    def __init__(self, out: dict[str, float] | None) -> None:
        self._out = out
        self._t = time.perf_counter()

    def __call__(self, stage: str) -> None:
        if self._out is not None:
            now = time.perf_counter()
            self._out[stage] = self._out.get(stage, 0.0) + now - self._t
            self._t = now


def build_report(
    snapshot: Snapshot,
    salt_secret: bytes,
    oracle: str,
    keeper_keys: Sequence[str],
    *,
    timings: dict[str, float] | None = None,
) -> BuiltReport:
    """`timings`, if given, receives the wall time of each stage in seconds (for `make bench-keeper`)."""
    lap = _Lap(timings)
    ctx = snapshot.ctx
    holdings = sorted((h for h in snapshot.holdings if h[1] > 0), key=lambda h: h[0].lower())
    # Holder leaves as plain columns (no per-holder object): equal to zk.leaves.holder_leaves + leaf_hash.
    accounts = [parse_address(address) for address, _ in holdings]
    shares = [amount for _, amount in holdings]
    h_salts = holder_salts(salt_secret, ctx, accounts)
    h_hashes = holder_leaf_hashes(ctx, accounts, shares, h_salts)  # hashed once: tree and statements
    holder_tree = SumTree.build(list(zip(h_hashes, shares, strict=True)), HOLDER_DEPTH)
    lap("holder leaves + tree")
    p_leaves = position_leaves(
        ctx, [(p.instrument, p.size, p.mark_price, p.equity, p.debt) for p in snapshot.positions], salt_secret
    )
    position_tree = build_position_tree(ctx, p_leaves, POSITION_DEPTH)
    lap("position leaves + tree")
    equity, debt = position_tree.total
    report = NavReport(
        epoch=ctx.epoch,
        external_assets=equity - debt,
        equity=equity,
        debt=debt,
        position_root=position_tree.root,
        holder_root=holder_tree.root,
        holder_sum=holder_tree.total,
        trade_head=snapshot.trade_head,
        trade_count=snapshot.trade_count,
        custody_out=snapshot.custody_out,
        custody_in=snapshot.custody_in,
        report_hash=keccak(report_document(snapshot, position_tree.root, holder_tree.root)),
        timestamp=snapshot.timestamp,
    )
    lap("report document")
    typed = nav_report_typed_data(report, ctx.chainid, oracle)
    signable = encode_typed_data(full_message=typed)
    signed = sorted(
        ((Account.from_key(k).address, Account.sign_message(signable, k).signature) for k in keeper_keys),
        key=lambda pair: int(pair[0], 16),
    )
    lap("EIP-712 signing")
    proofs = holder_tree.proofs_json(range(len(h_hashes)))  # == holder_tree.proof(i).to_json() for each i
    statements = [
        StatementData(holder=address, shares=amount, leaf="0x" + h.hex(), salt="0x" + salt.hex(), proof=proof)
        for (address, amount), h, salt, proof in zip(holdings, h_hashes, h_salts, proofs, strict=True)
    ]
    lap("statements + proofs")
    return BuiltReport(report, bytes(signable.body), [bytes(s) for _, s in signed], statements)


def report_json(report: NavReport) -> dict[str, str]:
    """NavReport fields for the store and the API: ints as decimal strings, bytes as 0x-hex."""
    out = {}
    for f in fields(report):
        value = getattr(report, f.name)
        out[f.name] = "0x" + value.hex() if isinstance(value, bytes) else str(value)
    return out


def report_from_json(data: dict[str, str]) -> NavReport:
    kwargs: dict[str, Any] = {}
    for f in fields(NavReport):
        raw = data[f.name]
        kwargs[f.name] = bytes.fromhex(raw[2:]) if raw.startswith("0x") else int(raw)
    return NavReport(**kwargs)
