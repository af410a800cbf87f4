"""Generate (or --check) the shared test vectors the Vyper verifiers load.

    python -m zk.vectors            # rewrite tests/zk/vectors/*.json
    python -m zk.vectors --check    # exit 1 if the files differ from what this code produces

All inputs are fixed constants, so the output is byte-for-byte reproducible. uint256/int256 values are
decimal strings (JSON numbers lose precision past 2**53 in most parsers); hashes are 0x-hex.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from . import tags
from .abi import bytes32_from_text
from .commitments import (
    EMPTY_CIPHERTEXT_HASH,
    Side,
    TradeFill,
    chain_heads,
    trade_commitment,
    venue_fill_id_hash,
)
from .context import VaultContext
from .envelope import record_aad, seal_record
from .keccak import keccak256
from .leaves import build_holder_tree, build_position_tree, holder_leaves, position_leaves
from .merkle_sum import _zero_subtrees
from .pedersen import G, H, commit, prove_sum, schnorr_challenge, sum_commitments
from .salts import trade_salt
from .view_keys import EpochKey, epoch_key_commitment

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "tests" / "zk" / "vectors"
MERKLE_FILE = "merkle_sum_v1.json"
COMMITMENTS_FILE = "commitments_v1.json"

CTX = VaultContext.of(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3", 7)
SALT_SECRET = keccak256(b"vaultcraft.test-vectors.salt-secret (public, never use in production)")
EPOCH_KEY_SECRET = keccak256(b"vaultcraft.test-vectors.epoch-key (public, never use in production)")
E8 = 10**8


def _h(b: bytes) -> str:
    return "0x" + b.hex()


def _context() -> dict[str, Any]:
    return {"chainid": CTX.chainid, "vault": _h(CTX.vault), "epoch": CTX.epoch}


def _holder_tree() -> dict[str, Any]:
    depth = 4
    shares = [1, 2, 3, 10**18, 5 * 10**17, 7, 0, 123456789, 10**24, 42, 999]
    accounts = [keccak256(b"holder" + bytes([i]))[:20] for i in range(len(shares))]
    leaves = holder_leaves(CTX, zip(accounts, shares, strict=True), SALT_SECRET)
    tree = build_holder_tree(CTX, leaves, depth)
    return {
        "depth": depth,
        "node_tag": _h(tags.SUM_NODE),
        "leaf_tag": _h(tags.HOLDER_LEAF),
        "empty_subtree_hashes": [_h(z) for z in _zero_subtrees(tags.SUM_NODE, 1, depth)],
        "leaves": [
            {
                "index": i,
                "account": _h(lf.account),
                "shares": str(lf.shares),
                "salt": _h(lf.salt),
                "inner_hash": _h(lf.inner_hash(CTX)),
                "leaf_hash": _h(lf.leaf_hash(CTX)),
            }
            for i, lf in enumerate(leaves)
        ],
        "root": _h(tree.root),
        "total": str(tree.total),
        "proofs": [tree.proof(i).to_json() for i in (0, 10)],
    }


def _position_tree() -> dict[str, Any]:
    depth = 3
    rows = [
        (bytes32_from_text("BTC"), 2 * E8, 65_000 * E8, 130_000 * E8, 0),
        (bytes32_from_text("ETH"), -15 * E8, 3_200 * E8, 1_000 * E8, 48_000 * E8),
        (bytes32_from_text("SOL"), 100 * E8, 150 * E8, 15_000 * E8, 2_500 * E8),
        (bytes32_from_text("USDC"), 0, E8, 250_000 * E8, 0),
        (bytes32_from_text("DOGE"), -50_000 * E8, 12_345_678, 0, 6_172 * E8 + 83_900_000),
    ]
    leaves = position_leaves(CTX, rows, SALT_SECRET)
    tree = build_position_tree(CTX, leaves, depth)
    return {
        "depth": depth,
        "node_tag": _h(tags.SUM2_NODE),
        "leaf_tag": _h(tags.POSITION_LEAF),
        "empty_subtree_hashes": [_h(z) for z in _zero_subtrees(tags.SUM2_NODE, 2, depth)],
        "leaves": [
            {
                "index": i,
                "instrument": _h(lf.instrument),
                "size": str(lf.size),
                "mark_price": str(lf.mark_price),
                "equity": str(lf.equity),
                "debt": str(lf.debt),
                "salt": _h(lf.salt),
                "inner_hash": _h(lf.inner_hash(CTX)),
                "leaf_hash": _h(lf.leaf_hash(CTX)),
            }
            for i, lf in enumerate(leaves)
        ],
        "root": _h(tree.root),
        "total_equity": str(tree.total_equity),
        "total_debt": str(tree.total_debt),
        "nav": str(tree.nav),
        "proofs": [tree.proof(i).to_json() for i in (1, 4)],
    }


def merkle_vectors() -> dict[str, Any]:
    return {
        "version": 1,
        "description": "VaultCraft Merkle-sum vectors (zk/vectors.py). Amounts are decimal strings.",
        "context": _context(),
        "holder_tree": _holder_tree(),
        "position_tree": _position_tree(),
    }


def _fills() -> list[TradeFill]:
    specs = [
        ("hl", "BTC", Side.BUY, "0.5", "65000.1", "1.625", "fill-1"),
        ("hl", "ETH", Side.SELL, "3", "3200", "-0.48", "fill-2"),
        ("hl", "BTC", Side.SELL, "0.25", "65100.12345678", "0.81375154", "fill-3"),
    ]
    return [
        TradeFill.from_amounts(
            seq=seq,
            ts=1_767_225_600 + 60 * seq,
            venue=bytes32_from_text(venue),
            instrument=bytes32_from_text(inst),
            side=side,
            qty=qty,
            price=price,
            fee=fee,
            venue_fill_id_hash=venue_fill_id_hash(fid),
            salt=trade_salt(SALT_SECRET, CTX, seq),
        )
        for seq, (venue, inst, side, qty, price, fee, fid) in enumerate(specs, start=1)
    ]


def _fill_json(f: TradeFill) -> dict[str, Any]:
    return {
        "seq": f.seq,
        "ts": f.ts,
        "venue": _h(f.venue),
        "instrument": _h(f.instrument),
        "side": int(f.side),
        "qty": str(f.qty),
        "price": str(f.price),
        "fee": str(f.fee),
        "venue_fill_id_hash": _h(f.venue_fill_id_hash),
        "salt": _h(f.salt),
    }


def commitment_vectors() -> dict[str, Any]:
    fills = _fills()
    commitments = [trade_commitment(f, CTX) for f in fills]
    epoch_key = EpochKey(CTX, EPOCH_KEY_SECRET)
    sealed = [seal_record(epoch_key, f) for f in fills]
    public_heads = chain_heads([(c, EMPTY_CIPHERTEXT_HASH) for c in commitments])
    private_heads = chain_heads([(s.commitment, s.ciphertext_hash) for s in sealed])

    pnls = [1_250 * E8, -300 * E8, -17]
    blindings = [int.from_bytes(keccak256(b"blinding" + bytes([i])), "big") % (2**252) for i in range(3)]
    points = [commit(v, r) for v, r in zip(pnls, blindings, strict=True)]
    total = sum(pnls)
    proof = prove_sum(CTX, points, total, sum(blindings), aux_rand=bytes(32))
    c_sum = sum_commitments(points)
    return {
        "version": 1,
        "description": "VaultCraft trade commitment, hash chain, envelope and Pedersen/Schnorr vectors.",
        "context": _context(),
        "tags": {name.lower(): _h(getattr(tags, name)) for name in (
            "HOLDER_LEAF", "POSITION_LEAF", "SUM_NODE", "SUM2_NODE", "TRADE", "PEDERSEN_G", "PEDERSEN_H",
            "SCHNORR", "EPOCH_KEY_COMMIT",
        )},
        "trades": [
            {"fill": _fill_json(f), "commitment": _h(c)} for f, c in zip(fills, commitments, strict=True)
        ],
        "chain": {
            "seq_start": 1,
            "head0": _h(bytes(32)),
            "empty_ciphertext_hash": _h(EMPTY_CIPHERTEXT_HASH),
            "public_heads": [_h(h) for h in public_heads],
            "private_heads": [_h(h) for h in private_heads],
        },
        "envelope": {
            "epoch_key": _h(EPOCH_KEY_SECRET),
            "epoch_key_commitment": _h(epoch_key_commitment(CTX, EPOCH_KEY_SECRET)),
            "records": [
                {
                    "seq": s.seq,
                    "aad": _h(record_aad(CTX, s.seq, s.commitment)),
                    "ciphertext": _h(s.ciphertext),
                    "ciphertext_hash": _h(s.ciphertext_hash),
                }
                for s in sealed
            ],
        },
        "pedersen": {
            "G": G.to_json(),
            "H": H.to_json(),
            "commitments": [
                {"pnl": str(v), "blinding": str(r), "C": p.to_json()}
                for v, r, p in zip(pnls, blindings, points, strict=True)
            ],
            "sum": c_sum.to_json(),
            "total_pnl": str(total),
            "schnorr": {
                **proof.to_json(),
                "e": str(schnorr_challenge(CTX, total, c_sum, proof.t, points)),
            },
        },
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2) + "\n"


def expected_files() -> dict[str, str]:
    return {MERKLE_FILE: render(merkle_vectors()), COMMITMENTS_FILE: render(commitment_vectors())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="compare, don't write; exit 1 on difference")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="vector directory")
    args = parser.parse_args(argv)
    stale = []
    for name, text in expected_files().items():
        path = args.dir / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if stale:
        sys.stderr.write(f"stale vectors: {', '.join(stale)} (run python -m zk.vectors)\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
