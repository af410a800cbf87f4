"""Property tests: TradeLog's chain equals zk.commitments for any split of fills into batches, NavOracle
accepts a report's trade claim exactly when the linked log covers it, and the on-chain Schnorr check equals
zk.pedersen.verify_sum for random PnL sets."""

from __future__ import annotations

import boa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fixtures.boa_protocol import deploy_protocol
from tests.unit.proofs.helpers import ctx_of, deployer, fill_tuple, make_fill
from zk.commitments import EMPTY_CIPHERTEXT_HASH, chain_heads, trade_commitment
from zk.context import VaultContext
from zk.pedersen import commit, prove_sum, random_blinding, verify_sum


# Module-scoped: titanoboa's pytest plugin rolls back everything a test itself deploys.
@pytest.fixture(scope="module")
def public_protocol():
    return deploy_protocol()


@pytest.fixture(scope="module")
def verifier():
    return deployer("ProofVerifier").deploy()


@settings(max_examples=15)
@given(st.lists(st.integers(1, 40), min_size=1, max_size=5), st.data())
def test_post_fills__any_batch_split__gives_the_zk_chain_and_covers_each_batch_end(
    public_protocol, batch_sizes, data
):
    p = public_protocol
    with boa.env.anchor():
        log = deployer("TradeLog").deploy(p.vault.address)
        epoch = p.vault.epoch()
        total = sum(batch_sizes)
        sides = data.draw(st.lists(st.integers(0, 1), min_size=total, max_size=total))
        fees = data.draw(st.lists(st.integers(-(10**12), 10**12), min_size=total, max_size=total))
        fills = [make_fill(s, s, side=sides[s - 1], fee=fees[s - 1]) for s in range(1, total + 1)]
        ctx = ctx_of(p.vault.address, epoch)
        heads = chain_heads([(trade_commitment(f, ctx), EMPTY_CIPHERTEXT_HASH) for f in fills])
        seq = 1
        for size in batch_sizes:
            log.post_fills(
                seq, epoch, [fill_tuple(f) for f in fills[seq - 1 : seq - 1 + size]], sender=p.keeper
            )
            seq += size
            assert log.covers(heads[seq - 2], seq - 1)
        assert (log.trade_count(), log.head()) == (total, heads[-1])


@settings(max_examples=20)
@given(st.lists(st.integers(-(2**250), 2**250), min_size=1, max_size=12), st.integers(-3, 3))
def test_pedersen_check__agrees_with_zk_verify_sum(verifier, pnls, skew):
    ctx = VaultContext.of(boa.env.evm.patch.chain_id, "0x00000000000000000000000000000000c0ffee00", 4)
    blindings = [random_blinding() for _ in pnls]
    points = [commit(v, r) for v, r in zip(pnls, blindings, strict=True)]
    proof = prove_sum(ctx, points, sum(pnls), sum(blindings))
    claimed = sum(pnls) + skew
    onchain = verifier.pedersen_check(
        ctx.vault_hex, ctx.epoch, [[q.x, q.y] for q in points], claimed, [proof.t.x, proof.t.y], proof.s
    )
    assert onchain is verify_sum(ctx, points, claimed, proof)
    assert onchain is (skew == 0)


@settings(max_examples=15)
@given(st.lists(st.integers(1, 6), min_size=0, max_size=4), st.data())
def test_post_report__accepts_a_trade_claim_exactly_when_the_linked_log_covers_it(
    public_protocol, batch_sizes, data
):
    """NavOracle's trade-claim rule is TradeLog.covers, for any batch split and any (head, count) claim."""
    p = public_protocol
    with boa.env.anchor():
        log = deployer("TradeLog").deploy(p.vault.address)
        p.oracle.set_trade_log(log.address, sender=p.admin)
        epoch = p.vault.epoch()
        total = sum(batch_sizes)
        fills = [make_fill(s, s) for s in range(1, total + 1)]
        ctx = ctx_of(p.vault.address, epoch)
        heads = chain_heads([(trade_commitment(f, ctx), EMPTY_CIPHERTEXT_HASH) for f in fills])
        seq = 1
        for size in batch_sizes:
            batch = [fill_tuple(f) for f in fills[seq - 1 : seq - 1 + size]]
            log.post_fills(seq, epoch, batch, sender=p.keeper)
            seq += size
        count = data.draw(st.integers(0, total + 2), label="count")
        head = data.draw(st.sampled_from([b"\x00" * 32, b"\x5a" * 32, *heads]), label="head")
        covered = log.covers(head, count)
        boa.env.time_travel(seconds=3_600)
        report = p.report(trade_head=head, trade_count=count)
        if covered:
            assert p.post(report)
            assert p.oracle.reported_trade_count() == count
        else:
            with boa.reverts("nav: trade log does not cover report"):
                p.post(report)
