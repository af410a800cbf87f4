"""ProofVerifier.pedersen_check: the on-chain half of zk/pedersen.py (BN254 precompiles, same transcript)."""

from __future__ import annotations

import boa
import pytest

from tests.unit.proofs.helpers import chain_id, deployer, load_vectors
from zk.context import VaultContext
from zk.pedersen import G, G1Point, H, N, P, commit, point_add, prove_sum, random_blinding

VAULT = "0x000000000000000000000000000000000000dEaD"
EPOCH = 9
AUX = b"\x07" * 32


def _statement(pnls, vault=VAULT, epoch=EPOCH):
    ctx = VaultContext.of(boa.env.evm.patch.chain_id, vault, epoch)
    blindings = [random_blinding() for _ in pnls]
    points = [commit(v, r) for v, r in zip(pnls, blindings, strict=True)]
    proof = prove_sum(ctx, points, sum(pnls), sum(blindings), aux_rand=AUX)
    return points, proof


def _args(points, total, proof, vault=VAULT, epoch=EPOCH):
    return (vault, epoch, [[p.x, p.y] for p in points], total, [proof.t.x, proof.t.y], proof.s)


def test_generators__equal_zk_pedersen_g_and_h(verifier):
    g, h = verifier.generators()
    assert (tuple(g), tuple(h)) == ((G.x, G.y), (H.x, H.y))


def test_pedersen_check__accepts_a_zk_proof_for_mixed_sign_pnls(verifier):
    pnls = [125_000_000_000, -300_000_000_017, 42, -(2**200), 2**200]
    points, proof = _statement(pnls)
    assert verifier.pedersen_check(*_args(points, sum(pnls), proof))


def test_pedersen_check__accepts_the_shared_vector():
    vectors = load_vectors("commitments_v1.json")
    ctx, ped = vectors["context"], vectors["pedersen"]
    with boa.env.anchor(), chain_id(ctx["chainid"]):
        verifier = deployer("ProofVerifier").deploy()
        points = [[int(c["C"][0]), int(c["C"][1])] for c in ped["commitments"]]
        t = [int(x) for x in ped["schnorr"]["t"]]
        assert verifier.pedersen_check(
            ctx["vault"], ctx["epoch"], points, int(ped["total_pnl"]), t, int(ped["schnorr"]["s"])
        )
        assert not verifier.pedersen_check(
            ctx["vault"], ctx["epoch"], points, int(ped["total_pnl"]) + 1, t, int(ped["schnorr"]["s"])
        )


def test_pedersen_check__with_a_wrong_total__is_false(verifier):
    pnls = [10, 20, -5]
    points, proof = _statement(pnls)
    for total in (sum(pnls) + 1, sum(pnls) - 1, -sum(pnls), sum(pnls) + N):
        if -(2**255) <= total < 2**255:
            assert not verifier.pedersen_check(*_args(points, total, proof))


def test_pedersen_check__bound_to_vault_epoch_and_chain(verifier):
    pnls = [7, 8]
    points, proof = _statement(pnls)
    assert not verifier.pedersen_check(
        *_args(points, 15, proof, vault="0x000000000000000000000000000000000000bEEF")
    )
    assert not verifier.pedersen_check(*_args(points, 15, proof, epoch=EPOCH + 1))
    with chain_id(boa.env.evm.patch.chain_id + 1):
        assert not verifier.pedersen_check(*_args(points, 15, proof))


def test_pedersen_check__with_reordered_dropped_or_replaced_commitments__is_false(verifier):
    pnls = [1, 2, 3]
    points, proof = _statement(pnls)
    assert not verifier.pedersen_check(*_args(points[::-1], 6, proof))  # same sum, different transcript
    assert not verifier.pedersen_check(*_args(points[:2], 6, proof))
    assert not verifier.pedersen_check(*_args([*points[:2], commit(3, 1)], 6, proof))


def test_pedersen_check__with_a_tampered_proof__is_false(verifier):
    pnls = [100, -40]
    points, proof = _statement(pnls)
    vault, epoch, pts, total, t, s = _args(points, 60, proof)
    assert not verifier.pedersen_check(vault, epoch, pts, total, t, (s + 1) % N)
    other_t = point_add(proof.t, H)
    assert not verifier.pedersen_check(vault, epoch, pts, total, [other_t.x, other_t.y], s)


def test_pedersen_check__with_s_not_below_the_group_order__is_false(verifier):
    """s and s + n act the same in ecMul; only the canonical s < n is accepted (no malleability)."""
    pnls = [5]
    points, proof = _statement(pnls)
    vault, epoch, pts, total, t, s = _args(points, 5, proof)
    assert verifier.pedersen_check(vault, epoch, pts, total, t, s)
    assert not verifier.pedersen_check(vault, epoch, pts, total, t, s + N)


def test_pedersen_check__with_t_at_infinity_or_off_curve__is_false_not_a_revert(verifier):
    points, proof = _statement([5])
    vault, epoch, pts, total, _, s = _args(points, 5, proof)
    assert not verifier.pedersen_check(vault, epoch, pts, total, [0, 0], s)
    assert not verifier.pedersen_check(vault, epoch, pts, total, [1, 1], s)
    assert not verifier.pedersen_check(vault, epoch, pts, total, [G.x, P - G.y + P], s)


def test_pedersen_check__with_an_off_curve_or_out_of_field_commitment__is_false_not_a_revert(verifier):
    points, proof = _statement([5, 6])
    vault, epoch, pts, total, t, s = _args(points, 11, proof)
    for bad in ([1, 2], [pts[0][0], pts[0][1] + P], [P, 0]):
        assert not verifier.pedersen_check(vault, epoch, [bad, pts[1]], total, t, s)


def test_pedersen_check__accepts_a_commitment_at_infinity(verifier):
    infinity = G1Point(0, 0)
    ctx = VaultContext.of(boa.env.evm.patch.chain_id, VAULT, EPOCH)
    r = random_blinding()
    proof = prove_sum(ctx, [infinity, commit(0, r)], 0, r, aux_rand=AUX)
    assert verifier.pedersen_check(*_args([infinity, commit(0, r)], 0, proof))


@pytest.mark.parametrize("total", [-(2**255), 2**255 - 1])
def test_pedersen_check__reduces_extreme_int256_totals_like_zk(verifier, total):
    points, proof = _statement([total])
    assert verifier.pedersen_check(*_args(points, total, proof))
