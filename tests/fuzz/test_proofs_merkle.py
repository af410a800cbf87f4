"""Property tests: on-chain Merkle-sum verification agrees with zk/merkle_sum.py on random trees.

Every real proof also verifies in compressed form (empty-subtree siblings sent as zero hashes).

For random holder/position trees (depth 1..10, random sums up to 2**200) every real proof verifies, and a
random single mutation (leaf field, sibling hash or sum, index, depth) never does — on-chain and in Python.
"""

from __future__ import annotations

import dataclasses

import boa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.proofs.helpers import (
    compress_sum2_proof,
    compress_sum_proof,
    deploy_mock_oracle,
    deployer,
    holder_args,
    position_args,
    report_with,
)
from zk.context import VaultContext
from zk.keccak import keccak256
from zk.leaves import HolderLeaf, PositionLeaf, build_holder_tree, build_position_tree
from zk.merkle_sum import Sum2Proof, SumProof, verify, verify2

VAULT = "0x00000000000000000000000000000000c0ffee00"
EPOCH = 11


@pytest.fixture(scope="module")
def verifier():
    """Module-scoped: titanoboa's pytest plugin rolls back everything a test deploys."""
    return deployer("ProofVerifier").deploy()


def _ctx():
    return VaultContext.of(boa.env.evm.patch.chain_id, VAULT, EPOCH)


@st.composite
def holder_trees(draw):
    depth = draw(st.integers(1, 10))
    n = draw(st.integers(1, min(2**depth, 12)))
    shares = draw(st.lists(st.integers(0, 2**200), min_size=n, max_size=n))
    seed = draw(st.binary(min_size=4, max_size=4))
    leaves = [
        HolderLeaf(keccak256(seed + bytes([i]))[:20], s, keccak256(b"salt" + seed + bytes([i])))
        for i, s in enumerate(shares)
    ]
    index = draw(st.integers(0, n - 1))
    return depth, leaves, index


@st.composite
def position_trees(draw):
    depth = draw(st.integers(1, 8))
    n = draw(st.integers(1, min(2**depth, 8)))
    leaves = [
        PositionLeaf(
            keccak256(b"inst%d" % i),
            draw(st.integers(-(2**255), 2**255 - 1)),
            draw(st.integers(0, 2**128)),
            draw(st.integers(0, 2**200)),
            draw(st.integers(0, 2**200)),
            keccak256(b"psalt%d" % i),
        )
        for i in range(n)
    ]
    return depth, leaves, draw(st.integers(0, n - 1))


def _mutate_sum_proof(proof: SumProof, depth: int, kind: str, k: int) -> SumProof:
    sibs = list(proof.siblings)
    k %= depth
    if kind == "hash":
        sibs[k] = (keccak256(sibs[k][0] + b"x"), sibs[k][1])
    elif kind == "sum":
        sibs[k] = (sibs[k][0], sibs[k][1] + 1)
    elif kind == "index":
        return SumProof(proof.index ^ (1 << k), proof.siblings)
    elif kind == "short":
        sibs = sibs[:-1]
    else:  # long
        sibs = [*sibs, (b"\x00" * 32, 0)]
    return SumProof(proof.index, tuple(sibs))


@settings(max_examples=40)
@given(
    holder_trees(),
    st.sampled_from(["hash", "sum", "index", "short", "long", "shares", "salt"]),
    st.integers(0, 31),
)
def test_verify_holder__agrees_with_zk_on_random_trees_and_mutations(verifier, tree_case, mutation, k):
    depth, leaves, index = tree_case
    with boa.env.anchor():
        ctx = _ctx()
        tree = build_holder_tree(ctx, leaves, depth)
        oracle = deploy_mock_oracle(VAULT)
        report = report_with(epoch=EPOCH, holder_root=tree.root, holder_sum=tree.total)
        oracle.accept(report.as_tuple())
        leaf, proof = leaves[index], tree.proof(index)
        assert verifier.verify_holder(oracle.address, report.as_tuple(), *holder_args(leaf, proof))
        compressed = compress_sum_proof(proof, depth)
        assert verifier.verify_holder(oracle.address, report.as_tuple(), *holder_args(leaf, compressed))
        if mutation == "shares":
            leaf = dataclasses.replace(leaf, shares=leaf.shares + 1)
        elif mutation == "salt":
            leaf = dataclasses.replace(leaf, salt=keccak256(leaf.salt))
        else:
            proof = _mutate_sum_proof(proof, depth, mutation, k)
        onchain = verifier.verify_holder(oracle.address, report.as_tuple(), *holder_args(leaf, proof))
        offchain = verify(leaf.leaf_hash(ctx), leaf.shares, proof, tree.root, tree.total, depth)
        assert onchain is False and offchain is False


@settings(max_examples=25)
@given(
    position_trees(),
    st.sampled_from(["hash", "equity", "debt", "index", "short", "size"]),
    st.integers(0, 31),
)
def test_verify_position__agrees_with_zk_on_random_trees_and_mutations(verifier, tree_case, mutation, k):
    depth, leaves, index = tree_case
    with boa.env.anchor():
        ctx = _ctx()
        tree = build_position_tree(ctx, leaves, depth)
        oracle = deploy_mock_oracle(VAULT)
        report = report_with(
            epoch=EPOCH, position_root=tree.root, equity=tree.total_equity, debt=tree.total_debt
        )
        oracle.accept(report.as_tuple())
        leaf, proof = leaves[index], tree.proof(index)
        assert verifier.verify_position(oracle.address, report.as_tuple(), *position_args(leaf, proof))
        compressed = compress_sum2_proof(proof, depth)
        assert verifier.verify_position(oracle.address, report.as_tuple(), *position_args(leaf, compressed))
        sibs = list(proof.siblings)
        k %= depth
        if mutation == "hash":
            sibs[k] = (keccak256(sibs[k][0] + b"x"), sibs[k][1], sibs[k][2])
        elif mutation == "equity":
            sibs[k] = (sibs[k][0], sibs[k][1] + 1, sibs[k][2])
        elif mutation == "debt":
            sibs[k] = (sibs[k][0], sibs[k][1], sibs[k][2] + 1)
        elif mutation == "short":
            sibs = sibs[:-1]
        elif mutation == "size":
            leaf = dataclasses.replace(leaf, size=leaf.size + 1 if leaf.size < 2**255 - 1 else leaf.size - 1)
        proof = Sum2Proof(proof.index ^ (1 << k) if mutation == "index" else proof.index, tuple(sibs))
        onchain = verifier.verify_position(oracle.address, report.as_tuple(), *position_args(leaf, proof))
        offchain = verify2(
            leaf.leaf_hash(ctx),
            leaf.equity,
            leaf.debt,
            proof,
            tree.root,
            tree.total_equity,
            tree.total_debt,
            depth,
        )
        assert onchain is False and offchain is False
