"""ProofVerifier: holder and position Merkle-sum proofs against the accepted NAV report."""

from __future__ import annotations

import dataclasses

import boa
import pytest

from tests.unit.proofs.helpers import (
    MAX_UINT,
    chain_id,
    compress_sum2_proof,
    compress_sum_proof,
    ctx_of,
    deploy_mock_oracle,
    h32,
    holder_args,
    load_vectors,
    position_args,
    report_with,
)
from zk.context import VaultContext
from zk.keccak import keccak256
from zk.leaves import (
    HolderLeaf,
    build_holder_tree,
    build_position_tree,
    holder_leaves,
    position_leaves,
)
from zk.merkle_sum import Sum2Proof, SumProof, SumTree

SALT_SECRET = keccak256(b"proofs-suite salt secret")
MOCK_VAULT = "0x000000000000000000000000000000000000dEaD"


def _holder_setup(n: int = 5, depth: int = 4, epoch: int = 3, vault: str = MOCK_VAULT):
    oracle = deploy_mock_oracle(vault)
    ctx = VaultContext.of(boa.env.evm.patch.chain_id, vault, epoch)
    holdings = [("0x" + keccak256(b"h%d" % i)[:20].hex(), 10**18 * (i + 1)) for i in range(n)]
    leaves = holder_leaves(ctx, holdings, SALT_SECRET)
    tree = build_holder_tree(ctx, leaves, depth)
    report = report_with(epoch=epoch, holder_root=tree.root, holder_sum=tree.total)
    oracle.accept(report.as_tuple())
    return oracle, report, leaves, tree


def _position_setup(epoch: int = 3, depth: int = 3):
    oracle = deploy_mock_oracle(MOCK_VAULT)
    ctx = VaultContext.of(boa.env.evm.patch.chain_id, MOCK_VAULT, epoch)
    rows = [
        (b"BTC".ljust(32, b"\0"), 2 * 10**8, 65_000 * 10**8, 130_000 * 10**8, 0),
        (b"ETH".ljust(32, b"\0"), -15 * 10**8, 3_200 * 10**8, 1_000 * 10**8, 48_000 * 10**8),
        (b"SOL".ljust(32, b"\0"), 100 * 10**8, 150 * 10**8, 15_000 * 10**8, 2_500 * 10**8),
    ]
    leaves = position_leaves(ctx, rows, SALT_SECRET)
    tree = build_position_tree(ctx, leaves, depth)
    report = report_with(
        epoch=epoch,
        position_root=tree.root,
        equity=tree.total_equity,
        debt=tree.total_debt,
        external_assets=tree.nav,
    )
    oracle.accept(report.as_tuple())
    return oracle, report, leaves, tree


# ------------------------------------------------------------------------------------------------ holders


def test_verify_holder__accepts_every_leaf_of_the_accepted_report(verifier):
    oracle, report, leaves, tree = _holder_setup()
    for i, leaf in enumerate(leaves):
        assert verifier.verify_holder(oracle.address, report.as_tuple(), *holder_args(leaf, tree.proof(i)))


def test_verify_holder__against_a_report_the_oracle_did_not_accept__is_false(verifier):
    oracle, report, leaves, tree = _holder_setup()
    other = dataclasses.replace(report, report_hash=keccak256(b"another document"))
    assert not verifier.verify_holder(
        oracle.address, other.as_tuple(), *holder_args(leaves[0], tree.proof(0))
    )


def test_verify_holder__with_wrong_shares_salt_or_account__is_false(verifier):
    oracle, report, leaves, tree = _holder_setup()
    proof = tree.proof(1)
    leaf = leaves[1]
    for bad in (
        dataclasses.replace(leaf, shares=leaf.shares + 1),
        dataclasses.replace(leaf, salt=b"\x01" * 32),
        dataclasses.replace(leaf, account=leaves[2].account),
    ):
        assert not verifier.verify_holder(oracle.address, report.as_tuple(), *holder_args(bad, proof))


def test_verify_holder__with_a_wrong_sibling_hash_or_sum__is_false(verifier):
    oracle, report, leaves, tree = _holder_setup()
    proof = tree.proof(2)
    for k in range(len(proof.siblings)):
        h, s = proof.siblings[k]
        for sib in ((keccak256(h), s), (h, s + 1), (h, max(s - 1, 0)) if s else (h, 1)):
            sibs = list(proof.siblings)
            sibs[k] = sib
            bad = SumProof(proof.index, tuple(sibs))
            assert not verifier.verify_holder(oracle.address, report.as_tuple(), *holder_args(leaves[2], bad))


def test_verify_holder__with_a_shifted_sum_between_siblings__is_false(verifier):
    """Moving value from one side to the other keeps the total but changes the hashed split."""
    oracle, report, leaves, tree = _holder_setup()
    proof = tree.proof(0)
    leaf = dataclasses.replace(leaves[0], shares=leaves[0].shares + 5)
    (h, s), *rest = proof.siblings
    bad = SumProof(0, ((h, s - 5), *rest))
    assert not verifier.verify_holder(oracle.address, report.as_tuple(), *holder_args(leaf, bad))


def test_verify_holder__with_a_wrong_index__is_false(verifier):
    oracle, report, leaves, tree = _holder_setup()
    proof = tree.proof(1)
    for index in (0, 3, 1 + 16, 2**32 + 1):
        bad = SumProof(index, proof.siblings)
        assert not verifier.verify_holder(oracle.address, report.as_tuple(), *holder_args(leaves[1], bad))


def test_verify_holder__with_a_proof_one_level_short_or_long__is_false(verifier):
    oracle, report, leaves, tree = _holder_setup(depth=4)
    proof = tree.proof(0)
    short = SumProof(0, proof.siblings[:-1])
    long = SumProof(0, (*proof.siblings, (b"\x00" * 32, 0)))
    for bad in (short, long):
        assert not verifier.verify_holder(oracle.address, report.as_tuple(), *holder_args(leaves[0], bad))


def test_verify_holder__with_mismatched_or_empty_sibling_arrays__is_false(verifier):
    oracle, report, leaves, tree = _holder_setup()
    account, shares, salt, index, hashes, sums = holder_args(leaves[0], tree.proof(0))
    call = verifier.verify_holder
    assert not call(oracle.address, report.as_tuple(), account, shares, salt, index, hashes, sums[:-1])
    assert not call(oracle.address, report.as_tuple(), account, shares, salt, index, hashes[:-1], sums)
    assert not call(oracle.address, report.as_tuple(), account, shares, salt, 0, [], [])


def test_verify_holder__with_sibling_sums_that_overflow__is_false_not_a_revert(verifier):
    oracle, report, leaves, tree = _holder_setup()
    account, shares, salt, index, hashes, sums = holder_args(leaves[0], tree.proof(0))
    sums[0] = MAX_UINT
    assert not verifier.verify_holder(
        oracle.address, report.as_tuple(), account, shares, salt, index, hashes, sums
    )


def test_verify_holder__binds_the_oracle_vault_and_the_chain(verifier):
    oracle, report, leaves, tree = _holder_setup()
    args = holder_args(leaves[0], tree.proof(0))
    other_vault = deploy_mock_oracle("0x000000000000000000000000000000000000bEEF")
    other_vault.accept(report.as_tuple())
    assert verifier.verify_holder(oracle.address, report.as_tuple(), *args)
    assert not verifier.verify_holder(other_vault.address, report.as_tuple(), *args)
    with chain_id(boa.env.evm.patch.chain_id + 1):
        assert not verifier.verify_holder(oracle.address, report.as_tuple(), *args)


def test_verify_holder__on_a_one_leaf_depth_one_tree__accepts_it(verifier):
    oracle, report, leaves, tree = _holder_setup(n=1, depth=1)
    assert verifier.verify_holder(oracle.address, report.as_tuple(), *holder_args(leaves[0], tree.proof(0)))


def test_verify_holder__an_empty_slot__is_never_a_member(verifier):
    """An empty slot is (0x00..00, 0); no holder fields hash to it."""
    oracle, report, leaves, tree = _holder_setup(n=3, depth=2)
    empty_proof = SumProof(
        3, (tree.leaf(2), tree.proof(2).siblings[1])
    )  # slot 3's path: leaf 2, then node(0, 1)
    leaf = HolderLeaf(b"\x00" * 20, 0, b"\x00" * 32)
    assert not verifier.verify_holder(oracle.address, report.as_tuple(), *holder_args(leaf, empty_proof))


def test_verify_holder__at_depth_32__accepts_it(verifier):
    oracle, report, leaves, tree = _holder_setup(n=2, depth=32)
    assert verifier.verify_holder(oracle.address, report.as_tuple(), *holder_args(leaves[1], tree.proof(1)))


# ------------------------------------------------------------------------------------------------ positions


def test_verify_position__accepts_every_leaf_of_the_accepted_report(verifier):
    oracle, report, leaves, tree = _position_setup()
    for i, leaf in enumerate(leaves):
        assert verifier.verify_position(
            oracle.address, report.as_tuple(), *position_args(leaf, tree.proof(i))
        )


def test_verify_position__with_a_tampered_field_or_sibling__is_false(verifier):
    oracle, report, leaves, tree = _position_setup()
    leaf, proof = leaves[1], tree.proof(1)
    for bad in (
        dataclasses.replace(leaf, size=-leaf.size),
        dataclasses.replace(leaf, mark_price=leaf.mark_price + 1),
        dataclasses.replace(leaf, equity=leaf.equity + 1),
        dataclasses.replace(leaf, debt=leaf.debt - 1),
        dataclasses.replace(leaf, instrument=b"XRP".ljust(32, b"\0")),
    ):
        assert not verifier.verify_position(oracle.address, report.as_tuple(), *position_args(bad, proof))
    args = list(position_args(leaf, proof))
    for slot in (7, 8, 9):
        tampered = [list(a) if isinstance(a, list) else a for a in args]
        first = tampered[slot][0]
        tampered[slot][0] = keccak256(first) if slot == 7 else first + 1
        assert not verifier.verify_position(oracle.address, report.as_tuple(), *tampered)


def test_verify_position__with_debt_moved_into_a_sibling__is_false(verifier):
    """Equity and debt of both children are hashed: shifting debt sideways keeps totals, not the root."""
    oracle, report, leaves, tree = _position_setup()
    args = list(position_args(leaves[1], tree.proof(1)))
    args[4] -= 10**8
    args[9] = [args[9][0] + 10**8, *args[9][1:]]
    assert not verifier.verify_position(oracle.address, report.as_tuple(), *args)


def test_verify_position__with_wrong_depth_or_mismatched_arrays__is_false(verifier):
    oracle, report, leaves, tree = _position_setup()
    args = list(position_args(leaves[0], tree.proof(0)))
    for slot in (7, 8, 9):
        bad = list(args)
        bad[slot] = bad[slot][:-1]
        assert not verifier.verify_position(oracle.address, report.as_tuple(), *bad)
    short = list(args)
    short[7], short[8], short[9] = args[7][:-1], args[8][:-1], args[9][:-1]
    assert not verifier.verify_position(oracle.address, report.as_tuple(), *short)


def test_verify_position__with_an_overflowing_sibling_sum__is_false_not_a_revert(verifier):
    oracle, report, leaves, tree = _position_setup()
    args = list(position_args(leaves[0], tree.proof(0)))
    args[9] = [MAX_UINT, *args[9][1:]]
    assert not verifier.verify_position(oracle.address, report.as_tuple(), *args)


def test_verify_position__against_an_unaccepted_report__is_false(verifier):
    oracle, report, leaves, tree = _position_setup()
    other = dataclasses.replace(report, timestamp=report.timestamp + 1)
    assert not verifier.verify_position(
        oracle.address, other.as_tuple(), *position_args(leaves[0], tree.proof(0))
    )


# ------------------------------------------------------------------------------------------------ vectors


def test_verify_holder_and_position__accept_the_shared_vectors():
    vectors = load_vectors("merkle_sum_v1.json")
    ctx = vectors["context"]
    from tests.unit.proofs.helpers import deployer

    with boa.env.anchor(), chain_id(ctx["chainid"]):
        verifier = deployer("ProofVerifier").deploy()
        oracle = deploy_mock_oracle(ctx["vault"])
        ht, pt = vectors["holder_tree"], vectors["position_tree"]
        report = report_with(
            epoch=ctx["epoch"],
            holder_root=h32(ht["root"]),
            holder_sum=int(ht["total"]),
            position_root=h32(pt["root"]),
            equity=int(pt["total_equity"]),
            debt=int(pt["total_debt"]),
            external_assets=int(pt["nav"]),
        )
        oracle.accept(report.as_tuple())
        for proof in ht["proofs"]:
            leaf = ht["leaves"][proof["index"]]
            ok = verifier.verify_holder(
                oracle.address,
                report.as_tuple(),
                leaf["account"],
                int(leaf["shares"]),
                h32(leaf["salt"]),
                proof["index"],
                [h32(s["hash"]) for s in proof["siblings"]],
                [int(s["sum"]) for s in proof["siblings"]],
            )
            assert ok
        for proof in pt["proofs"]:
            leaf = pt["leaves"][proof["index"]]
            ok = verifier.verify_position(
                oracle.address,
                report.as_tuple(),
                h32(leaf["instrument"]),
                int(leaf["size"]),
                int(leaf["mark_price"]),
                int(leaf["equity"]),
                int(leaf["debt"]),
                h32(leaf["salt"]),
                proof["index"],
                [h32(s["hash"]) for s in proof["siblings"]],
                [int(s["equity"]) for s in proof["siblings"]],
                [int(s["debt"]) for s in proof["siblings"]],
            )
            assert ok


# ------------------------------------------------------------------------------------------------ real oracle


def test_verify_holder__against_the_real_nav_oracle__accepts_each_investor(
    protocol, verifier, depositor, second_depositor, manager
):
    """End to end: investors' real balances -> zk holder tree -> signed report -> on-chain proof."""
    unit = protocol.unit
    protocol.onboard({manager: 1_000 * unit, depositor: 5_000 * unit, second_depositor: 2_500 * unit})
    vault = protocol.vault
    holders = sorted(
        {
            manager,
            depositor,
            second_depositor,
            protocol.fee_recipient,
            protocol.protocol_recipient,
            vault.address,
        }
    )
    holdings = [(a, vault.balanceOf(a)) for a in holders if vault.balanceOf(a)]
    assert sum(s for _, s in holdings) == vault.totalSupply()
    ctx = ctx_of(vault.address, vault.epoch())
    leaves = holder_leaves(ctx, holdings, SALT_SECRET)
    tree = build_holder_tree(ctx, leaves, 20)
    assert protocol.settle(holder_root=tree.root)
    accepted = [log for log in protocol.oracle.get_logs() if type(log).__name__ == "ReportAccepted"]
    report_tuple = tuple(accepted[-1].report)
    for i, leaf in enumerate(leaves):
        assert verifier.verify_holder(
            protocol.oracle.address, report_tuple, *holder_args(leaf, tree.proof(i))
        )
    tampered = list(report_tuple)
    tampered[6] += 1  # holder_sum
    assert not verifier.verify_holder(
        protocol.oracle.address, tuple(tampered), *holder_args(leaves[0], tree.proof(0))
    )


def test_verify_holder__for_an_epoch_with_no_report__is_false(protocol, verifier):
    tree = SumTree.build([(keccak256(b"x"), 1)], 1)
    report = report_with(epoch=protocol.vault.epoch(), holder_root=tree.root, holder_sum=1)
    leaf = HolderLeaf(b"\x11" * 20, 1, b"\x22" * 32)
    assert not verifier.verify_holder(
        protocol.oracle.address, report.as_tuple(), *holder_args(leaf, tree.proof(0))
    )


def test_verify_position__a_holder_leaf_is_not_a_position_leaf(verifier):
    """Typed leaves: the holder tag never verifies in the position tree (and vice versa)."""
    oracle, report, leaves, tree = _position_setup()
    account_like = HolderLeaf(b"\x01" * 20, leaves[0].equity, leaves[0].salt)
    args = position_args(leaves[0], tree.proof(0))
    assert not verifier.verify_holder(
        oracle.address,
        report.as_tuple(),
        *holder_args(account_like, SumProof(0, tuple((h, e) for h, e in zip(args[7], args[8], strict=True)))),
    )


@pytest.mark.parametrize("depth", [2, 8, 20])
def test_verify_holder__at_several_depths__accepts_the_last_leaf_and_rejects_its_neighbour_slot(
    verifier, depth
):
    oracle, report, leaves, tree = _holder_setup(n=3, depth=depth)
    assert verifier.verify_holder(oracle.address, report.as_tuple(), *holder_args(leaves[2], tree.proof(2)))
    moved = SumProof(3, tree.proof(2).siblings)
    assert not verifier.verify_holder(oracle.address, report.as_tuple(), *holder_args(leaves[2], moved))


# ---------------------------------------------------------------------------------------- compressed proofs


def test_verify_holder__with_empty_subtree_siblings_sent_as_zero__accepts_it(verifier):
    oracle, report, leaves, tree = _holder_setup(n=3, depth=20)
    proof = tree.proof(2)
    compressed = compress_sum_proof(proof, 20)
    assert sum(1 for h, _ in compressed.siblings if h == b"\x00" * 32) == 19
    assert verifier.verify_holder(oracle.address, report.as_tuple(), *holder_args(leaves[2], compressed))


def test_verify_holder__with_a_zero_sibling_hash_but_nonzero_sum__is_false(verifier):
    oracle, report, leaves, tree = _holder_setup(n=3, depth=6)
    sibs = list(compress_sum_proof(tree.proof(2), 6).siblings)
    sibs[3] = (b"\x00" * 32, 1)
    assert not verifier.verify_holder(
        oracle.address, report.as_tuple(), *holder_args(leaves[2], SumProof(2, tuple(sibs)))
    )


def test_verify_holder__with_a_real_sibling_replaced_by_zero__is_false(verifier):
    oracle, report, leaves, tree = _holder_setup(n=4, depth=3)
    sibs = list(tree.proof(0).siblings)
    sibs[1] = (b"\x00" * 32, 0)
    leaf = dataclasses.replace(leaves[0], shares=leaves[0].shares + tree.proof(0).siblings[1][1])
    assert not verifier.verify_holder(
        oracle.address, report.as_tuple(), *holder_args(leaf, SumProof(0, tuple(sibs)))
    )


def test_verify_position__with_empty_subtree_siblings_sent_as_zero__accepts_it_and_rejects_nonzero_sums(
    verifier,
):
    oracle, report, leaves, tree = _position_setup(depth=6)
    compressed = compress_sum2_proof(tree.proof(2), 6)
    assert any(h == b"\x00" * 32 for h, _, _ in compressed.siblings)
    assert verifier.verify_position(oracle.address, report.as_tuple(), *position_args(leaves[2], compressed))
    sibs = list(compressed.siblings)
    k = next(i for i, (h, _, _) in enumerate(sibs) if h == b"\x00" * 32)
    for bad in ((b"\x00" * 32, 1, 0), (b"\x00" * 32, 0, 1)):
        sibs[k] = bad
        assert not verifier.verify_position(
            oracle.address, report.as_tuple(), *position_args(leaves[2], Sum2Proof(2, tuple(sibs)))
        )
