"""Shared vectors: the committed JSON is exactly what zk/vectors.py produces, and checks out independently."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from eth_abi import encode
from eth_utils import keccak

from zk import vectors
from zk.commitments import TradeFill
from zk.context import VaultContext
from zk.envelope import open_record
from zk.merkle_sum import Sum2Proof, SumProof, verify, verify2
from zk.pedersen import G1Point, SchnorrProof, verify_sum
from zk.view_keys import EpochKey, check_revealed_epoch_key

VECTOR_DIR = Path(__file__).parent / "vectors"


def _load(name: str) -> dict:
    return json.loads((VECTOR_DIR / name).read_text())


def _b(h: str) -> bytes:
    return bytes.fromhex(h[2:])


def _ctx(data: dict) -> VaultContext:
    c = data["context"]
    return VaultContext.of(c["chainid"], c["vault"], c["epoch"])


def test_vectors__regenerated__byte_identical_to_committed_files() -> None:
    for name, text in vectors.expected_files().items():
        assert (VECTOR_DIR / name).read_text() == text, f"{name} is stale: run python -m zk.vectors"
    assert vectors.main(["--check"]) == 0


def test_vectors_check__edited_file__fails(tmp_path: Path) -> None:
    for name in vectors.expected_files():
        shutil.copy(VECTOR_DIR / name, tmp_path / name)
    path = tmp_path / vectors.MERKLE_FILE
    path.write_text(path.read_text().replace('"depth": 4', '"depth": 5'))
    assert vectors.main(["--check", "--dir", str(tmp_path)]) == 1
    assert vectors.main(["--dir", str(tmp_path)]) == 0
    assert vectors.main(["--check", "--dir", str(tmp_path)]) == 0


def test_merkle_vectors__holder_tree__leaves_and_proofs_check_out_with_eth_abi() -> None:
    data = _load(vectors.MERKLE_FILE)
    ctx, tree = _ctx(data), data["holder_tree"]
    leaves = tree["leaves"]
    for lf in leaves:
        inner = keccak(encode(
            ["bytes32", "uint256", "address", "uint256", "address", "uint256", "bytes32"],
            [_b(tree["leaf_tag"]), ctx.chainid, ctx.vault, ctx.epoch, _b(lf["account"]), int(lf["shares"]),
             _b(lf["salt"])],
        ))
        assert (_b(lf["inner_hash"]), _b(lf["leaf_hash"])) == (inner, keccak(inner))
    assert int(tree["total"]) == sum(int(lf["shares"]) for lf in leaves)
    assert len(tree["proofs"]) == 2
    for pj in tree["proofs"]:
        proof, lf = SumProof.from_json(pj), leaves[pj["index"]]
        assert verify(_b(lf["leaf_hash"]), int(lf["shares"]), proof, _b(tree["root"]), int(tree["total"]),
                      tree["depth"])


def test_merkle_vectors__position_tree__proofs_verify_and_nav_adds_up() -> None:
    data = _load(vectors.MERKLE_FILE)
    tree = data["position_tree"]
    eq, debt = int(tree["total_equity"]), int(tree["total_debt"])
    assert int(tree["nav"]) == eq - debt
    for pj in tree["proofs"]:
        lf = tree["leaves"][pj["index"]]
        assert verify2(_b(lf["leaf_hash"]), int(lf["equity"]), int(lf["debt"]), Sum2Proof.from_json(pj),
                       _b(tree["root"]), eq, debt, tree["depth"])


def test_commitment_vectors__trades_records_and_schnorr__check_out() -> None:
    data = _load(vectors.COMMITMENTS_FILE)
    ctx = _ctx(data)
    env = data["envelope"]
    epoch_key = EpochKey(ctx, _b(env["epoch_key"]))
    assert check_revealed_epoch_key(ctx, epoch_key.secret, _b(env["epoch_key_commitment"]))
    head = bytes(32)
    rows = zip(data["trades"], env["records"], data["chain"]["public_heads"], strict=True)
    for trade, rec, public_head in rows:
        f = trade["fill"]
        fill = TradeFill(f["seq"], f["ts"], _b(f["venue"]), _b(f["instrument"]), f["side"], int(f["qty"]),
                         int(f["price"]), int(f["fee"]), _b(f["venue_fill_id_hash"]), _b(f["salt"]))
        commitment = _b(trade["commitment"])
        assert open_record(epoch_key, fill.seq, commitment, _b(rec["ciphertext"])) == fill
        head = keccak(head + commitment + keccak(b""))
        assert head == _b(public_head)
    ped = data["pedersen"]
    points = [G1Point(*map(int, c["C"])) for c in ped["commitments"]]
    proof = SchnorrProof(G1Point(*map(int, ped["schnorr"]["t"])), int(ped["schnorr"]["s"]))
    assert verify_sum(ctx, points, int(ped["total_pnl"]), proof)
    assert not verify_sum(ctx, points, int(ped["total_pnl"]) + 1, proof)
