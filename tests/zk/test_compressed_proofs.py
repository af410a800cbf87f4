"""Compressed proofs: a zero sibling hash means the empty subtree of that height, as on-chain."""

from hypothesis import given
from hypothesis import strategies as st

from zk.merkle_sum import ZERO32, Sum2Proof, Sum2Tree, SumProof, SumTree, verify, verify2


@given(st.integers(min_value=1, max_value=5), st.data())
def test_sparse_holder_proof__compressed__still_verifies(n, data):
    leaves = [(bytes([i + 1]) * 32, data.draw(st.integers(1, 10**12))) for i in range(n)]
    tree = SumTree.build(leaves, 8)
    index = data.draw(st.integers(0, n - 1))
    proof = tree.proof(index)
    compressed = SumProof(index, tuple((ZERO32, 0) if s == 0 else (h, s) for h, s in proof.siblings))
    assert any(h == ZERO32 for h, _ in compressed.siblings)  # 8 levels, at most 5 leaves
    assert verify(leaves[index][0], leaves[index][1], compressed, tree.root, tree.total, 8)


def test_compressed_sibling__with_nonzero_sum__rejected():
    tree = SumTree.build([(b"\x01" * 32, 5)], 3)
    proof = SumProof(0, ((ZERO32, 1),) + tree.proof(0).siblings[1:])
    assert not verify(b"\x01" * 32, 5, proof, tree.root, tree.total, 3)


def test_position_proof__compressed__verifies():
    tree = Sum2Tree.build([(b"\x02" * 32, 7, 3)], 4)
    proof = tree.proof(0)
    compressed = Sum2Proof(0, tuple((ZERO32, 0, 0) if (e, d) == (0, 0) else (h, e, d)
                                    for h, e, d in proof.siblings))
    assert verify2(b"\x02" * 32, 7, 3, compressed, tree.root, 7, 3, 4)
