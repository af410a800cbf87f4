"""Trade commitments and the trade-log hash chain."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_utils import keccak
from hypothesis import given

from tests.zk.strategies import fills, make_fill
from zk import tags
from zk.abi import bytes32_from_text
from zk.commitments import (
    EMPTY_CIPHERTEXT_HASH,
    ChainLink,
    Side,
    TradeFill,
    chain_heads,
    chain_step,
    trade_commitment,
    venue_fill_id_hash,
    verify_chain,
)
from zk.context import VaultContext
from zk.errors import EncodingError, InexactValueError

TYPES = ["bytes32", "uint256", "address", "uint256", "uint256", "uint256", "bytes32", "bytes32", "uint256",
         "uint256", "uint256", "int256", "bytes32", "bytes32"]


def _eth_abi_commitment(f: TradeFill, ctx: VaultContext) -> bytes:
    values = [tags.TRADE, ctx.chainid, ctx.vault, ctx.epoch, f.seq, f.ts, f.venue, f.instrument, int(f.side),
              f.qty, f.price, f.fee, f.venue_fill_id_hash, f.salt]
    return keccak(encode(TYPES, values))


@given(fills)
def test_trade_commitment__random_fill__equals_eth_abi_definition(fill: TradeFill) -> None:
    ctx = VaultContext.of(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3", 3)
    assert trade_commitment(fill, ctx) == _eth_abi_commitment(fill, ctx)


@given(fills)
def test_fill_encoding__random_fill__decodes_to_itself(fill: TradeFill) -> None:
    assert TradeFill.decode(fill.encode()) == fill


def test_trade_commitment__any_field_changed__changes(ctx: VaultContext) -> None:
    base = make_fill(1)
    c = trade_commitment(base, ctx)
    variants = [
        TradeFill(**{**base.__dict__, "qty": base.qty + 1}),
        TradeFill(**{**base.__dict__, "fee": base.fee - 1}),
        TradeFill(**{**base.__dict__, "side": Side.SELL}),
        TradeFill(**{**base.__dict__, "salt": bytes(32)}),
    ]
    assert all(trade_commitment(v, ctx) != c for v in variants)
    assert trade_commitment(base, VaultContext(ctx.chainid, ctx.vault, ctx.epoch + 1)) != c


def test_trade_fill__side_other_than_0_or_1__rejected() -> None:
    with pytest.raises(EncodingError):
        TradeFill(**{**make_fill(1).__dict__, "side": 2})


def test_trade_fill__decode_with_bad_side_word__rejected() -> None:
    raw = bytearray(make_fill(1).encode())
    raw[4 * 32 + 31] = 2
    with pytest.raises(EncodingError):
        TradeFill.decode(bytes(raw))


def test_trade_fill__from_decimal_strings__scaled_by_1e8() -> None:
    f = TradeFill.from_amounts(
        seq=1, ts=1, venue=bytes32_from_text("hl"), instrument=bytes32_from_text("BTC"), side=1, qty="0.5",
        price="65000.1", fee="-1.625", venue_fill_id_hash=venue_fill_id_hash("x"), salt=bytes(32),
    )
    assert (f.qty, f.price, f.fee, f.side) == (50_000_000, 6_500_010_000_000, -162_500_000, Side.SELL)


def test_trade_fill__inexact_or_float_amount__rejected() -> None:
    kwargs = dict(seq=1, ts=1, venue=bytes(32), instrument=bytes(32), side=0, price=1, fee=0,
                  venue_fill_id_hash=bytes(32), salt=bytes(32))
    with pytest.raises(InexactValueError):
        TradeFill.from_amounts(qty="0.123456789", **kwargs)
    with pytest.raises(EncodingError):
        TradeFill.from_amounts(qty=0.5, **kwargs)  # type: ignore[arg-type]


def test_trade_fill__negative_qty__rejected() -> None:
    with pytest.raises(EncodingError):
        TradeFill(**{**make_fill(1).__dict__, "qty": -1})


# ----------------------------------------------------------------------------------------------- hash chain


def _links(n: int, ctx: VaultContext) -> list[ChainLink]:
    commitments = [trade_commitment(make_fill(i), ctx) for i in range(1, n + 1)]
    heads = chain_heads([(c, EMPTY_CIPHERTEXT_HASH) for c in commitments])
    pairs = enumerate(zip(commitments, heads, strict=True))
    return [ChainLink(i + 1, c, EMPTY_CIPHERTEXT_HASH, h) for i, (c, h) in pairs]


def test_chain_heads__definition__is_keccak_of_96_raw_bytes(ctx: VaultContext) -> None:
    c1, c2 = keccak(b"c1"), keccak(b"c2")
    h1 = keccak(bytes(32) + c1 + keccak(b""))
    h2 = keccak(h1 + c2 + keccak(b"ciphertext"))
    assert chain_heads([(c1, EMPTY_CIPHERTEXT_HASH), (c2, keccak(b"ciphertext"))]) == [h1, h2]
    assert chain_step(h1, c2, keccak(b"ciphertext")) == h2


def test_verify_chain__honest_log__ok_with_head_and_count(ctx: VaultContext) -> None:
    links = _links(5, ctx)
    verdict = verify_chain(links, expected_head=links[-1].head)
    assert verdict.ok and verdict.count == 5 and verdict.head == links[-1].head


def test_verify_chain__gap__reports_first_bad_seq(ctx: VaultContext) -> None:
    links = _links(5, ctx)
    verdict = verify_chain(links[:2] + links[3:])
    assert (verdict.ok, verdict.first_bad_seq, verdict.count) == (False, 4, 2)
    assert "gap" in (verdict.reason or "")


def test_verify_chain__duplicate__reports_first_bad_seq(ctx: VaultContext) -> None:
    links = _links(4, ctx)
    verdict = verify_chain(links[:3] + [links[2]] + links[3:])
    assert (verdict.ok, verdict.first_bad_seq) == (False, 3)


def test_verify_chain__reorder__reports_first_bad_seq(ctx: VaultContext) -> None:
    links = _links(4, ctx)
    verdict = verify_chain([links[0], links[2], links[1], links[3]])
    assert (verdict.ok, verdict.first_bad_seq) == (False, 3)


def test_verify_chain__tampered_commitment__reports_its_seq(ctx: VaultContext) -> None:
    links = _links(4, ctx)
    links[1] = ChainLink(2, keccak(b"forged"), links[1].ciphertext_hash, links[1].head)
    verdict = verify_chain(links)
    assert (verdict.ok, verdict.first_bad_seq, verdict.reason) == (False, 2, "head mismatch")


def test_verify_chain__final_head_differs_from_claim__rejected(ctx: VaultContext) -> None:
    links = _links(3, ctx)
    verdict = verify_chain([ChainLink(lk.seq, lk.commitment, lk.ciphertext_hash) for lk in links],
                           expected_head=keccak(b"claimed"))
    assert (verdict.ok, verdict.first_bad_seq, verdict.reason) == (False, 3, "final head mismatch")
