"""BN254 Pedersen commitments and the Schnorr sum proof."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_utils import keccak
from hypothesis import given
from hypothesis import strategies as st

from zk import tags
from zk.context import VaultContext
from zk.errors import CurveError, EncodingError, SchnorrError
from zk.pedersen import (
    INFINITY,
    G,
    G1Point,
    H,
    N,
    P,
    SchnorrProof,
    commit,
    point_add,
    point_mul,
    prove_sum,
    schnorr_challenge,
    sum_commitments,
    verify_sum,
)

pnl = st.integers(-(2**120), 2**120)
blinding = st.integers(1, N - 1)


def _independent_hash_to_curve(tag: bytes) -> tuple[int, int]:
    counter = 0
    while True:
        x = int.from_bytes(keccak(encode(["bytes32", "uint256"], [tag, counter])), "big") % P
        rhs = (pow(x, 3, P) + 3) % P
        if pow(rhs, (P - 1) // 2, P) == 1:  # Euler's criterion
            y = pow(rhs, (P + 1) // 4, P)
            return x, min(y, P - y)
        counter += 1


def test_generators__recomputed_independently__match_and_differ_from_standard_g1() -> None:
    assert (G.x, G.y) == _independent_hash_to_curve(tags.PEDERSEN_G)
    assert (H.x, H.y) == _independent_hash_to_curve(tags.PEDERSEN_H)
    assert G != H and (G.x, G.y) != (1, 2)
    assert G.y <= (P - 1) // 2 and H.y <= (P - 1) // 2
    assert point_mul(G, N) == INFINITY  # cofactor 1: every curve point has order n


@given(pnl, pnl, blinding, blinding)
def test_commit__two_commitments__add_homomorphically(a: int, b: int, r1: int, r2: int) -> None:
    assert point_add(commit(a, r1), commit(b, r2)) == commit(a + b, (r1 + r2) % N)


def test_commit__opposite_pnls__cancel_to_a_pure_blinding_commitment() -> None:
    assert sum_commitments([commit(-5, 11), commit(5, 22)]) == point_mul(H, 33)


@pytest.mark.parametrize("bad_r", [-1, N])
def test_commit__blinding_out_of_range__rejected(bad_r: int) -> None:
    with pytest.raises(CurveError):
        commit(1, bad_r)


def test_commit__pnl_outside_int256__rejected() -> None:
    with pytest.raises(EncodingError):
        commit(2**255, 1)


def test_point__off_curve__rejected_and_infinity_is_zero_zero() -> None:
    with pytest.raises(CurveError):
        G1Point(1, 3)
    with pytest.raises(CurveError):
        G1Point(P, 0)
    assert INFINITY.is_infinity and INFINITY.to_words() == bytes(64)
    assert G1Point.from_words(G.to_words()) == G
    assert sum_commitments([]) == INFINITY


# ------------------------------------------------------------------------------------------------- Schnorr


@pytest.fixture(scope="module")
def statement() -> tuple[VaultContext, list[G1Point], int, int]:
    ctx = VaultContext.of(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3", 7)
    values, rs = [1_250 * 10**8, -300 * 10**8, -17, 42], [101, 202, 303, N - 5]
    return ctx, [commit(v, r) for v, r in zip(values, rs, strict=True)], sum(values), sum(rs)


@pytest.fixture(scope="module")
def proof(statement: tuple) -> SchnorrProof:
    ctx, cs, total, rsum = statement
    return prove_sum(ctx, cs, total, rsum)


def test_schnorr__honest_proof__verifies(statement: tuple, proof: SchnorrProof) -> None:
    ctx, cs, total, _ = statement
    assert verify_sum(ctx, cs, total, proof)


def test_schnorr__challenge__equals_eth_abi_transcript(statement: tuple, proof: SchnorrProof) -> None:
    ctx, cs, total, _ = statement
    c_sum = sum_commitments(cs)
    digest = keccak(b"".join(c.x.to_bytes(32, "big") + c.y.to_bytes(32, "big") for c in cs))
    types = ["bytes32", "uint256", "address", "uint256", "int256"] + ["uint256"] * 4 + ["bytes32"]
    values = [tags.SCHNORR, ctx.chainid, ctx.vault, ctx.epoch, total, c_sum.x, c_sum.y, proof.t.x, proof.t.y,
              digest]
    e = int.from_bytes(keccak(encode(types, values)), "big") % N
    assert schnorr_challenge(ctx, total, c_sum, proof.t, cs) == e
    # The EVM check: s·H == T + e·(C_sum − V·G)
    rhs = point_add(proof.t, point_mul(point_add(c_sum, point_mul(G, (-total) % N)), e))
    assert point_mul(H, proof.s) == rhs


def test_schnorr__changed_total__rejected(statement: tuple, proof: SchnorrProof) -> None:
    ctx, cs, total, _ = statement
    assert not verify_sum(ctx, cs, total + 1, proof)
    assert not verify_sum(ctx, cs, total + N, proof)  # same residue mod n, other int256 in the transcript


def test_schnorr__changed_commitment_list__rejected(statement: tuple, proof: SchnorrProof) -> None:
    ctx, cs, total, _ = statement
    assert not verify_sum(ctx, cs[:-1], total, proof)
    assert not verify_sum(ctx, [cs[1], cs[0], *cs[2:]], total, proof)  # same sum, other list
    assert not verify_sum(ctx, [commit(1_250 * 10**8, 999), *cs[1:]], total, proof)


def test_schnorr__transcript_reused_for_other_epoch_or_vault__rejected(
    statement: tuple, proof: SchnorrProof
) -> None:
    ctx, cs, total, _ = statement
    assert not verify_sum(VaultContext(ctx.chainid, ctx.vault, ctx.epoch + 1), cs, total, proof)
    assert not verify_sum(VaultContext(ctx.chainid, b"\x01" * 20, ctx.epoch), cs, total, proof)
    assert not verify_sum(VaultContext(1, ctx.vault, ctx.epoch), cs, total, proof)


def test_schnorr__tampered_response__rejected(statement: tuple, proof: SchnorrProof) -> None:
    ctx, cs, total, _ = statement
    assert not verify_sum(ctx, cs, total, SchnorrProof(proof.t, (proof.s + 1) % N))
    assert not verify_sum(ctx, cs, total, SchnorrProof(proof.t, proof.s + N))
    assert not verify_sum(ctx, cs, total, SchnorrProof(INFINITY, proof.s))
    assert not verify_sum(ctx, cs, total, SchnorrProof(point_add(proof.t, H), proof.s))


def test_schnorr__prover_with_wrong_blinding_sum__refuses(statement: tuple) -> None:
    ctx, cs, total, rsum = statement
    with pytest.raises(SchnorrError):
        prove_sum(ctx, cs, total, rsum + 1)
    with pytest.raises(SchnorrError):
        prove_sum(ctx, cs, total + 1, rsum)


def test_schnorr__nonce__fresh_per_proof_and_deterministic_only_with_fixed_aux(statement: tuple) -> None:
    ctx, cs, total, rsum = statement
    assert prove_sum(ctx, cs, total, rsum).t != prove_sum(ctx, cs, total, rsum).t
    fixed = bytes(32)
    assert prove_sum(ctx, cs, total, rsum, aux_rand=fixed) == prove_sum(ctx, cs, total, rsum, aux_rand=fixed)


def test_schnorr__epoch_without_private_fills__proves_zero() -> None:
    ctx = VaultContext.of(1, b"\x02" * 20, 1)
    assert verify_sum(ctx, [], 0, prove_sum(ctx, [], 0, 0))
    assert not verify_sum(ctx, [], 1, prove_sum(ctx, [], 0, 0))
