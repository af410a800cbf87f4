"""TradeLog: the per-vault hash chain of fills agrees byte for byte with zk/commitments.py."""

from __future__ import annotations

import boa
import pytest

from tests.fixtures.boa_protocol import actor, events, one_event
from tests.unit.proofs.helpers import (
    chain_id,
    ctx_of,
    deploy_mock_oracle,
    deploy_mock_vault,
    deployer,
    fill_tuple,
    h32,
    load_vectors,
    make_fill,
)
from zk.commitments import EMPTY_CIPHERTEXT_HASH, TradeFill, chain_heads, trade_commitment
from zk.envelope import seal_record
from zk.keccak import keccak256
from zk.view_keys import EpochKey

ZERO32 = b"\x00" * 32


@pytest.fixture
def public_log(protocol):
    return deployer("TradeLog").deploy(protocol.vault.address)


@pytest.fixture
def private_log(private_protocol):
    return deployer("TradeLog").deploy(private_protocol.vault.address)


def _public_heads(protocol, fills, epoch=None):
    ctx = ctx_of(protocol.vault.address, protocol.vault.epoch() if epoch is None else epoch)
    return chain_heads([(trade_commitment(f, ctx), EMPTY_CIPHERTEXT_HASH) for f in fills])


def _sealed(protocol, fills):
    ctx = ctx_of(protocol.vault.address, protocol.vault.epoch())
    key = EpochKey(ctx, keccak256(b"test epoch key"))
    return [seal_record(key, f) for f in fills]


# ------------------------------------------------------------------------------------------------ deployment


def test_constructor__reads_oracle_and_privacy_from_the_vault(protocol, private_protocol):
    public = deployer("TradeLog").deploy(protocol.vault.address)
    private = deployer("TradeLog").deploy(private_protocol.vault.address)
    assert (public.vault(), public.oracle(), public.is_private()) == (
        protocol.vault.address,
        protocol.oracle.address,
        False,
    )
    assert private.is_private() is True
    assert (public.trade_count(), public.head()) == (0, ZERO32)


def test_constructor__with_zero_vault__reverts():
    with boa.reverts("tradelog: zero vault"):
        deployer("TradeLog").deploy("0x0000000000000000000000000000000000000000")


# ------------------------------------------------------------------------------------------------ public


def test_post_fills__extends_the_chain_exactly_as_zk_commitments(protocol, public_log):
    fills = [make_fill(s, s) for s in range(1, 6)]
    public_log.post_fills(1, protocol.vault.epoch(), [fill_tuple(f) for f in fills], sender=protocol.keeper)
    heads = _public_heads(protocol, fills)
    assert public_log.head() == heads[-1]
    assert public_log.trade_count() == 5
    assert public_log.head_at(5) == heads[-1]


def test_post_fills__emits_every_fill_in_clear_and_one_batch_event(protocol, public_log):
    fills = [make_fill(1, 0, side=0), make_fill(2, 1, side=1, fee=-7)]
    epoch = protocol.vault.epoch()
    public_log.post_fills(1, epoch, [fill_tuple(f) for f in fills], sender=protocol.keeper)
    filled = events(public_log, "TradeFilled")
    assert [
        (
            e.seq,
            e.epoch,
            e.ts,
            e.venue,
            e.instrument,
            e.side,
            e.qty,
            e.price,
            e.fee,
            e.venue_fill_id_hash,
            e.salt,
        )
        for e in filled
    ] == [(f.seq, epoch, *fill_tuple(f)) for f in fills]
    batch = one_event(public_log, "TradesPosted")
    assert (batch.first_seq, batch.epoch, batch.size, batch.trade_count, batch.head, batch.keeper) == (
        1,
        epoch,
        2,
        2,
        _public_heads(protocol, fills)[-1],
        protocol.keeper,
    )


def test_post_fills__in_several_batches__matches_one_long_chain_and_records_each_batch_end(
    protocol, public_log
):
    fills = [make_fill(s, s) for s in range(1, 11)]
    heads = _public_heads(protocol, fills)
    epoch = protocol.vault.epoch()
    for start, end in ((1, 3), (4, 4), (5, 10)):
        public_log.post_fills(
            start, epoch, [fill_tuple(f) for f in fills[start - 1 : end]], sender=protocol.keeper
        )
    assert public_log.head() == heads[-1]
    assert [public_log.head_at(n) for n in (3, 4, 10)] == [heads[2], heads[3], heads[9]]
    assert public_log.head_at(5) == ZERO32  # mid-batch counts are not recorded


def test_post_fills__with_a_gap__reverts(protocol, public_log):
    with boa.reverts("tradelog: gap"):
        public_log.post_fills(2, protocol.vault.epoch(), [fill_tuple(make_fill(2))], sender=protocol.keeper)


def test_post_fills__replaying_a_seq__reverts_as_duplicate(protocol, public_log):
    epoch = protocol.vault.epoch()
    public_log.post_fills(
        1, epoch, [fill_tuple(make_fill(1)), fill_tuple(make_fill(2))], sender=protocol.keeper
    )
    for first in (0, 1, 2):
        with boa.reverts("tradelog: duplicate"):
            public_log.post_fills(first, epoch, [fill_tuple(make_fill(2))], sender=protocol.keeper)
    with boa.reverts("tradelog: gap"):
        public_log.post_fills(4, epoch, [fill_tuple(make_fill(4))], sender=protocol.keeper)


def test_post_fills__by_a_non_keeper__reverts(protocol, public_log, attacker, manager):
    for sender in (attacker, manager, protocol.admin):
        with boa.reverts("tradelog: not keeper"):
            public_log.post_fills(1, protocol.vault.epoch(), [fill_tuple(make_fill(1))], sender=sender)


def test_post_fills__by_a_keeper_removed_from_the_oracle__reverts(protocol, public_log):
    second = actor("keeper-two")
    protocol.oracle.set_keeper(second, True, sender=protocol.admin)
    public_log.post_fills(1, protocol.vault.epoch(), [fill_tuple(make_fill(1))], sender=second)
    protocol.oracle.set_keeper(second, False, sender=protocol.admin)
    with boa.reverts("tradelog: not keeper"):
        public_log.post_fills(2, protocol.vault.epoch(), [fill_tuple(make_fill(2))], sender=second)


def test_post_fills__with_an_empty_batch__reverts(protocol, public_log):
    with boa.reverts("tradelog: empty batch"):
        public_log.post_fills(1, protocol.vault.epoch(), [], sender=protocol.keeper)


def test_post_fills__with_side_above_sell__reverts(protocol, public_log):
    bad = list(fill_tuple(make_fill(1)))
    bad[3] = 2
    with boa.reverts("tradelog: bad side"):
        public_log.post_fills(1, protocol.vault.epoch(), [tuple(bad)], sender=protocol.keeper)


def test_post_fills__for_a_future_epoch__reverts(protocol, public_log):
    with boa.reverts("tradelog: future epoch"):
        public_log.post_fills(
            1, protocol.vault.epoch() + 1, [fill_tuple(make_fill(1))], sender=protocol.keeper
        )


def test_post_fills__for_a_past_epoch__commits_with_that_epoch(protocol, public_log):
    protocol.settle()
    past = protocol.vault.epoch() - 1
    fills = [make_fill(1)]
    public_log.post_fills(1, past, [fill_tuple(f) for f in fills], sender=protocol.keeper)
    assert public_log.head() == _public_heads(protocol, fills, epoch=past)[-1]
    assert public_log.head() != _public_heads(protocol, fills)[-1]


def test_post_fills__on_a_private_vault__reverts(private_protocol, private_log):
    with boa.reverts("tradelog: private vault"):
        private_log.post_fills(1, 1, [fill_tuple(make_fill(1))], sender=private_protocol.keeper)


def test_post_fills__accepts_a_full_batch_of_128(protocol, public_log):
    fills = [make_fill(s, s) for s in range(1, 129)]
    public_log.post_fills(1, protocol.vault.epoch(), [fill_tuple(f) for f in fills], sender=protocol.keeper)
    assert public_log.head() == _public_heads(protocol, fills)[-1]


# ------------------------------------------------------------------------------------------------ private


def test_post_trades__hashes_each_337_byte_ciphertext_into_the_chain(private_protocol, private_log):
    records = _sealed(private_protocol, [make_fill(s, s) for s in range(1, 5)])
    assert {len(r.ciphertext) for r in records} == {337}
    private_log.post_trades(
        1,
        private_protocol.vault.epoch(),
        [r.commitment for r in records],
        b"".join(r.ciphertext for r in records),
        sender=private_protocol.keeper,
    )
    heads = chain_heads([(r.commitment, r.ciphertext_hash) for r in records])
    assert private_log.head() == heads[-1]
    assert private_log.trade_count() == 4


def test_post_trades__emits_only_commitment_and_ciphertext(private_protocol, private_log):
    records = _sealed(private_protocol, [make_fill(1), make_fill(2)])
    epoch = private_protocol.vault.epoch()
    private_log.post_trades(
        1,
        epoch,
        [r.commitment for r in records],
        b"".join(r.ciphertext for r in records),
        sender=private_protocol.keeper,
    )
    committed = events(private_log, "TradeCommitted")
    assert [(e.seq, e.commitment, e.ciphertext) for e in committed] == [
        (r.seq, r.commitment, r.ciphertext) for r in records
    ]
    assert events(private_log, "TradeFilled") == []
    batch = one_event(private_log, "TradesPosted")
    assert (batch.first_seq, batch.size, batch.trade_count) == (1, 2, 2)


@pytest.mark.parametrize("delta", [-1, 1, -337])
def test_post_trades__with_ciphertexts_not_337_bytes_each__reverts(private_protocol, private_log, delta):
    records = _sealed(private_protocol, [make_fill(1), make_fill(2)])
    blob = b"".join(r.ciphertext for r in records)
    blob = blob[:delta] if delta < 0 else blob + b"\x01" * delta
    with boa.reverts("tradelog: ciphertext length"):
        private_log.post_trades(1, 1, [r.commitment for r in records], blob, sender=private_protocol.keeper)


def test_post_trades__with_a_zero_commitment__reverts(private_protocol, private_log):
    with boa.reverts("tradelog: empty commitment"):
        private_log.post_trades(1, 1, [ZERO32], b"\x01" * 337, sender=private_protocol.keeper)


def test_post_trades__with_a_gap_or_duplicate__reverts(private_protocol, private_log):
    records = _sealed(private_protocol, [make_fill(1)])
    args = ([records[0].commitment], records[0].ciphertext)
    with boa.reverts("tradelog: gap"):
        private_log.post_trades(2, 1, *args, sender=private_protocol.keeper)
    private_log.post_trades(1, 1, *args, sender=private_protocol.keeper)
    with boa.reverts("tradelog: duplicate"):
        private_log.post_trades(1, 1, *args, sender=private_protocol.keeper)


def test_post_trades__by_a_non_keeper__reverts(private_protocol, private_log, attacker):
    with boa.reverts("tradelog: not keeper"):
        private_log.post_trades(1, 1, [keccak256(b"c")], b"\x01" * 337, sender=attacker)


def test_post_trades__on_a_public_vault__reverts(protocol, public_log):
    with boa.reverts("tradelog: public vault"):
        public_log.post_trades(1, 1, [keccak256(b"c")], b"\x01" * 337, sender=protocol.keeper)


# ------------------------------------------------------------------------------------------------ covers


def test_covers__accepts_only_recorded_batch_ends(protocol, public_log):
    fills = [make_fill(s, s) for s in range(1, 6)]
    heads = _public_heads(protocol, fills)
    epoch = protocol.vault.epoch()
    public_log.post_fills(1, epoch, [fill_tuple(f) for f in fills[:2]], sender=protocol.keeper)
    public_log.post_fills(3, epoch, [fill_tuple(f) for f in fills[2:]], sender=protocol.keeper)
    assert public_log.covers(ZERO32, 0)
    assert public_log.covers(heads[1], 2)
    assert public_log.covers(heads[4], 5)
    assert not public_log.covers(heads[0], 1)  # mid-batch
    assert not public_log.covers(ZERO32, 1)  # an unrecorded count reads as zero: still refused
    assert not public_log.covers(heads[4], 2)
    assert not public_log.covers(heads[4], 6)
    assert not public_log.covers(heads[1], 0)


# ------------------------------------------------------------------------------------------------ vectors


def test_post_fills_and_post_trades__reproduce_the_shared_vector_heads():
    """commitments_v1.json: same chain id, vault address and epoch as zk/vectors.py."""
    vectors = load_vectors("commitments_v1.json")
    ctx = vectors["context"]
    keeper = actor("vector-keeper")
    fills = [
        TradeFill(
            **{
                **t["fill"],
                "venue": h32(t["fill"]["venue"]),
                "instrument": h32(t["fill"]["instrument"]),
                "venue_fill_id_hash": h32(t["fill"]["venue_fill_id_hash"]),
                "salt": h32(t["fill"]["salt"]),
                "qty": int(t["fill"]["qty"]),
                "price": int(t["fill"]["price"]),
                "fee": int(t["fill"]["fee"]),
            }
        )
        for t in vectors["trades"]
    ]
    records = vectors["envelope"]["records"]
    with boa.env.anchor(), chain_id(ctx["chainid"]):
        for is_private, expected in ((False, "public_heads"), (True, "private_heads")):
            oracle = deploy_mock_oracle(ctx["vault"])
            oracle.set_keeper(keeper, True)
            deploy_mock_vault(oracle.address, is_private, ctx["epoch"], keeper, at=ctx["vault"])
            log = deployer("TradeLog").deploy(ctx["vault"])
            want = [h32(h) for h in vectors["chain"][expected]]
            for seq in range(1, len(want) + 1):
                if is_private:
                    rec = records[seq - 1]
                    log.post_trades(
                        seq,
                        ctx["epoch"],
                        [h32(vectors["trades"][seq - 1]["commitment"])],
                        h32(rec["ciphertext"]),
                        sender=keeper,
                    )
                else:
                    log.post_fills(seq, ctx["epoch"], [fill_tuple(fills[seq - 1])], sender=keeper)
                assert log.head_at(seq) == want[seq - 1]
