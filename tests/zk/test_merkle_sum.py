"""Merkle-sum trees: byte layout, round trips, and every rejection the on-chain verifier must mirror."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_utils import keccak
from hypothesis import given
from hypothesis import strategies as st

from zk import tags
from zk.errors import InvalidProofError, SumOverflowError, TreeError
from zk.merkle_sum import (
    Sum2Proof,
    Sum2Tree,
    SumProof,
    SumTree,
    check_proof,
    check_proof2,
    verify,
    verify2,
)

U256 = 2**256 - 1
ZERO = bytes(32)

# ------------------------------------------------------------------------------------------ naive reference


def _node1(a: tuple[bytes, int], b: tuple[bytes, int]) -> tuple[bytes, int]:
    types = ["bytes32", "bytes32", "uint256", "bytes32", "uint256"]
    return keccak(encode(types, [tags.SUM_NODE, a[0], a[1], b[0], b[1]])), a[1] + b[1]


def _node2(a: tuple[bytes, int, int], b: tuple[bytes, int, int]) -> tuple[bytes, int, int]:
    types = ["bytes32", "bytes32", "uint256", "uint256", "bytes32", "uint256", "uint256"]
    pre = encode(types, [tags.SUM2_NODE, a[0], a[1], a[2], b[0], b[1], b[2]])
    return keccak(pre), a[1] + b[1], a[2] + b[2]


def _naive_levels(leaves: list, depth: int, width: int) -> list[list]:
    empty = (ZERO,) + (0,) * width
    level = list(leaves) + [empty] * ((1 << depth) - len(leaves))
    levels = [level]
    node = _node1 if width == 1 else _node2
    for _ in range(depth):
        level = [node(level[i], level[i + 1]) for i in range(0, len(level), 2)]
        levels.append(level)
    return levels


leaf_hash = st.binary(min_size=32, max_size=32).filter(lambda b: b != ZERO)
small_sum = st.integers(0, 2**128)


@st.composite
def single_trees(draw: st.DrawFn) -> tuple[int, list[tuple[bytes, int]]]:
    depth = draw(st.integers(1, 6))
    leaves = draw(st.lists(st.tuples(leaf_hash, small_sum), max_size=1 << depth))
    return depth, leaves


@st.composite
def double_trees(draw: st.DrawFn) -> tuple[int, list[tuple[bytes, int, int]]]:
    depth = draw(st.integers(1, 5))
    leaves = draw(st.lists(st.tuples(leaf_hash, small_sum, small_sum), max_size=1 << depth))
    return depth, leaves


# ------------------------------------------------------------------------------------------------- layout


@given(single_trees())
def test_build__random_leaves__root_and_total_match_naive_eth_abi_tree(case: tuple) -> None:
    depth, leaves = case
    top = _naive_levels(leaves, depth, 1)[-1][0]
    tree = SumTree.build(leaves, depth)
    assert (tree.root, tree.total) == top


@given(double_trees())
def test_build2__random_leaves__root_and_totals_match_naive_eth_abi_tree(case: tuple) -> None:
    depth, leaves = case
    top = _naive_levels(leaves, depth, 2)[-1][0]
    tree = Sum2Tree.build(leaves, depth)
    assert (tree.root, tree.total_equity, tree.total_debt) == top
    assert tree.nav == top[1] - top[2]


def test_build__two_leaves_depth_one__root_is_tagged_hash_of_both_hashes_and_sums() -> None:
    a, b = keccak(b"a"), keccak(b"b")
    tree = SumTree.build([(a, 5), (b, 7)], 1)
    expected = keccak(tags.SUM_NODE + a + (5).to_bytes(32, "big") + b + (7).to_bytes(32, "big"))
    assert tree.root == expected
    assert tree.total == 12


def test_build__no_leaves__root_is_empty_subtree_and_total_zero() -> None:
    tree = SumTree.build([], 3)
    assert (tree.root, tree.total) == _naive_levels([], 3, 1)[-1][0]
    assert tree.total == 0


# ------------------------------------------------------------------------------------------------ round trip


@given(single_trees(), st.data())
def test_proof__any_filled_leaf__verifies_and_matches_naive_siblings(
    case: tuple, data: st.DataObject
) -> None:
    depth, leaves = case
    if not leaves:
        return
    tree = SumTree.build(leaves, depth)
    index = data.draw(st.integers(0, len(leaves) - 1))
    proof = tree.proof(index)
    levels = _naive_levels(leaves, depth, 1)
    assert list(proof.siblings) == [levels[k][(index >> k) ^ 1] for k in range(depth)]
    assert verify(leaves[index][0], leaves[index][1], proof, tree.root, tree.total, depth)
    assert SumProof.from_json(proof.to_json()) == proof


@given(double_trees(), st.data())
def test_proof2__any_filled_leaf__verifies(case: tuple, data: st.DataObject) -> None:
    depth, leaves = case
    if not leaves:
        return
    tree = Sum2Tree.build(leaves, depth)
    index = data.draw(st.integers(0, len(leaves) - 1))
    h, e, d = leaves[index]
    proof = tree.proof(index)
    assert tree.leaf(index) == (h, e, d)
    assert verify2(h, e, d, proof, tree.root, tree.total_equity, tree.total_debt, depth)
    assert Sum2Proof.from_json(proof.to_json()) == proof


# ----------------------------------------------------------------------------------------------- negatives

DEPTH = 4


@pytest.fixture
def tree() -> SumTree:
    return SumTree.build([(keccak(bytes([i])), 10 * i + 1) for i in range(11)], DEPTH)


def _reason(tree: SumTree, proof: SumProof, *, leaf: tuple[bytes, int] | None = None,
            root: bytes | None = None, total: int | None = None, depth: int = DEPTH) -> str:
    h, s = leaf if leaf is not None else tree.leaf(proof.index)
    assert not verify(h, s, proof, root or tree.root, tree.total if total is None else total, depth)
    with pytest.raises(InvalidProofError) as info:
        check_proof(h, s, proof, root or tree.root, tree.total if total is None else total, depth)
    return info.value.reason


def test_verify__honest_proof__accepted(tree: SumTree) -> None:
    h, s = tree.leaf(5)
    assert verify(h, s, tree.proof(5), tree.root, tree.total, DEPTH)


def test_verify__proof_shorter_than_depth__rejected(tree: SumTree) -> None:
    p = tree.proof(3)
    assert "wrong depth" in _reason(tree, SumProof(3, p.siblings[:-1]))


def test_verify__proof_longer_than_depth__rejected(tree: SumTree) -> None:
    p = tree.proof(3)
    assert "wrong depth" in _reason(tree, SumProof(3, p.siblings + ((ZERO, 0),)))


def test_verify__honest_proof_checked_at_other_depth__rejected(tree: SumTree) -> None:
    assert "wrong depth" in _reason(tree, tree.proof(3), depth=DEPTH + 1)


def test_verify__wrong_sibling_hash__rejected(tree: SumTree) -> None:
    p = tree.proof(2)
    sibs = list(p.siblings)
    sibs[1] = (keccak(b"not the sibling"), sibs[1][1])
    assert _reason(tree, SumProof(2, tuple(sibs))) == "root hash mismatch"


def test_verify__wrong_sibling_sum__rejected(tree: SumTree) -> None:
    p = tree.proof(2)
    sibs = list(p.siblings)
    sibs[2] = (sibs[2][0], sibs[2][1] + 1)
    assert _reason(tree, SumProof(2, tuple(sibs)), total=tree.total + 1) == "root hash mismatch"


def test_verify__sum_shifted_between_leaf_and_sibling__rejected(tree: SumTree) -> None:
    # Keeps the root sum unchanged: only hashing each child's sum catches this.
    p = tree.proof(4)
    h, s = tree.leaf(4)
    sibs = list(p.siblings)
    sibs[0] = (sibs[0][0], sibs[0][1] - 1)
    assert _reason(tree, SumProof(4, tuple(sibs)), leaf=(h, s + 1)) == "root hash mismatch"


def test_verify__wrong_leaf_sum__rejected(tree: SumTree) -> None:
    h, s = tree.leaf(6)
    assert _reason(tree, tree.proof(6), leaf=(h, s + 1)) == "root hash mismatch"


def test_verify__wrong_committed_total__rejected(tree: SumTree) -> None:
    assert _reason(tree, tree.proof(6), total=tree.total - 1) == "root sum mismatch"


def test_verify__proof_presented_at_sibling_index__rejected(tree: SumTree) -> None:
    p = tree.proof(6)
    h, s = tree.leaf(6)
    assert _reason(tree, SumProof(7, p.siblings), leaf=(h, s)) == "root hash mismatch"


def test_verify__empty_slot_with_real_siblings__rejected_as_member(tree: SumTree) -> None:
    # Slot 11 is empty; its true siblings recompute the real root, so only the empty-leaf rule stops it.
    sibs = tuple((h, s[0]) for h, s in [tree._record(k, (11 >> k) ^ 1) for k in range(DEPTH)])
    with pytest.raises(InvalidProofError, match="empty leaf"):
        check_proof(ZERO, 0, SumProof(11, sibs), tree.root, tree.total, DEPTH)
    with pytest.raises(TreeError):
        tree.proof(11)


def test_verify__sibling_sum_overflowing_uint256__rejected(tree: SumTree) -> None:
    p = tree.proof(1)
    sibs = ((p.siblings[0][0], U256),) + p.siblings[1:]
    assert "overflow" in _reason(tree, SumProof(1, sibs))


def test_verify__malformed_sibling__rejected(tree: SumTree) -> None:
    p = tree.proof(1)
    sibs = ((p.siblings[0][0][:31], p.siblings[0][1]),) + p.siblings[1:]
    assert "malformed" in _reason(tree, SumProof(1, sibs))


def test_verify__index_beyond_depth__rejected(tree: SumTree) -> None:
    assert "index" in _reason(tree, SumProof(1 << DEPTH, tree.proof(0).siblings), leaf=tree.leaf(0))


def test_verify2__debt_moved_to_sibling__rejected() -> None:
    leaves = [(keccak(bytes([i])), 100 + i, 10 + i) for i in range(5)]
    t = Sum2Tree.build(leaves, 3)
    h, e, d = leaves[0]
    p = t.proof(0)
    assert verify2(h, e, d, p, t.root, *t.total, 3)
    sibs = ((p.siblings[0][0], p.siblings[0][1], p.siblings[0][2] + d),) + p.siblings[1:]
    # Hiding this leaf's debt in its sibling keeps both totals; the per-child sums in the node catch it.
    with pytest.raises(InvalidProofError, match="root hash"):
        check_proof2(h, e, 0, Sum2Proof(0, sibs), t.root, *t.total, 3)
    assert not verify2(h, e, d, p, t.root, t.total_equity, t.total_debt + 1, 3)
    assert not verify2(h, e, d, Sum2Proof(0, p.siblings[:2]), t.root, *t.total, 3)


# ---------------------------------------------------------------------------------- sum-only forgery demo


def _naive_sum_only_parent(lh: bytes, rh: bytes, total: int) -> bytes:
    """A flawed design: the parent hashes the children's hashes and only their *total*."""
    return keccak(lh + rh + total.to_bytes(32, "big"))


def _naive_sum_only_verify(leaf: tuple[bytes, int], sibling: tuple[bytes, int], leaf_is_left: bool,
                           root: bytes, total: int) -> bool:
    (h, s), (sh, ss) = leaf, sibling
    pair = (h, sh) if leaf_is_left else (sh, h)
    return _naive_sum_only_parent(*pair, s + ss) == root and s + ss == total


def test_verify__sum_only_forgery__rejected() -> None:
    alice, bob = (keccak(b"alice:600"), 600), (keccak(b"bob:400"), 400)
    claimed = 600  # the prover hides Bob's 400 of liabilities: the true total is 1000

    # Flawed tree: one root, and each user is shown a sibling sum chosen to make their own check add up.
    naive_root = _naive_sum_only_parent(alice[0], bob[0], claimed)
    assert _naive_sum_only_verify(alice, (bob[0], claimed - alice[1]), True, naive_root, claimed)
    assert _naive_sum_only_verify(bob, (alice[0], claimed - bob[1]), False, naive_root, claimed)

    # Ours: the parent hashes each child's sum, so a root that satisfies Alice's view of Bob's sum fixes it.
    forged_root = _node1((alice[0], alice[1]), (bob[0], claimed - alice[1]))[0]
    alice_proof = SumProof(0, ((bob[0], claimed - alice[1]),))
    bob_proof = SumProof(1, ((alice[0], claimed - bob[1]),))
    assert verify(alice[0], alice[1], alice_proof, forged_root, claimed, 1)  # Alice alone is fooled, but …
    assert not verify(bob[0], bob[1], bob_proof, forged_root, claimed, 1)  # … Bob's true leaf cannot be
    honest_bob = SumProof(1, ((alice[0], alice[1]),))
    assert not verify(bob[0], bob[1], honest_bob, forged_root, claimed, 1)  # shown under the same root


# --------------------------------------------------------------------------------------------- build errors


def test_build__more_leaves_than_capacity__rejected() -> None:
    with pytest.raises(TreeError):
        SumTree.build([(keccak(bytes([i])), 1) for i in range(5)], 2)


@pytest.mark.parametrize("depth", [0, 33, True])
def test_build__depth_outside_1_to_32__rejected(depth: int) -> None:
    with pytest.raises(TreeError):
        SumTree.build([], depth)


def test_build__zero_leaf_hash__rejected() -> None:
    with pytest.raises(TreeError):
        SumTree.build([(ZERO, 5)], 2)


@pytest.mark.parametrize("bad", [-1, 2**256, True])
def test_build__leaf_sum_outside_uint256__rejected(bad: int) -> None:
    with pytest.raises(TreeError):
        SumTree.build([(keccak(b"x"), bad)], 2)


def test_build__node_sum_overflowing_uint256__rejected() -> None:
    with pytest.raises(SumOverflowError):
        SumTree.build([(keccak(b"x"), U256), (keccak(b"y"), 1)], 2)
    with pytest.raises(SumOverflowError):
        Sum2Tree.build([(keccak(b"x"), 0, U256), (keccak(b"y"), 0, 1)], 1)


@pytest.mark.slow
def test_build__depth_20_with_thousands_of_leaves__proofs_verify_at_both_ends() -> None:
    leaves = [(keccak(i.to_bytes(4, "big")), i) for i in range(3000)]
    tree = SumTree.build(leaves, 20)
    assert tree.total == sum(range(3000))
    for i in (0, 1, 1499, 2999):
        assert verify(*leaves[i], tree.proof(i), tree.root, tree.total, 20)
    assert not verify(*leaves[0], tree.proof(1), tree.root, tree.total, 20)


@given(st.integers(1, 32))
def test_build__single_leaf_at_any_depth__verifies(depth: int) -> None:
    tree = SumTree.build([(keccak(b"only"), 9)], depth)
    assert verify(keccak(b"only"), 9, tree.proof(0), tree.root, 9, depth)


@pytest.mark.parametrize(
    "bad",
    [{"index": 0}, {"index": -1, "siblings": []}, {"index": 0, "siblings": [{"hash": "0x12", "sum": "1"}]},
     {"index": 0, "siblings": [{"hash": "0x" + "11" * 32, "sum": 1.5}]}],
)
def test_proof_from_json__malformed__rejected_with_encoding_error(bad: dict) -> None:
    from zk.errors import EncodingError

    with pytest.raises(EncodingError):
        SumProof.from_json(bad)
