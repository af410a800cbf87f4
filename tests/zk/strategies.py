"""Shared Hypothesis strategies and builders for zk tests."""

from __future__ import annotations

from hypothesis import strategies as st

from zk.abi import bytes32_from_text
from zk.commitments import Side, TradeFill
from zk.keccak import keccak256

b32 = st.binary(min_size=32, max_size=32)

fills = st.builds(
    TradeFill,
    seq=st.integers(1, 2**64),
    ts=st.integers(0, 2**40),
    venue=b32,
    instrument=b32,
    side=st.sampled_from([Side.BUY, Side.SELL]),
    qty=st.integers(0, 2**256 - 1),
    price=st.integers(0, 2**256 - 1),
    fee=st.integers(-(2**255), 2**255 - 1),
    venue_fill_id_hash=b32,
    salt=b32,
)


def make_fill(seq: int, qty: int = 50_000_000, fee: int = -12) -> TradeFill:
    return TradeFill(
        seq=seq,
        ts=1_767_225_600 + seq,
        venue=bytes32_from_text("hl"),
        instrument=bytes32_from_text("BTC"),
        side=Side.BUY if seq % 2 else Side.SELL,
        qty=qty,
        price=6_500_010_000_000,
        fee=fee,
        venue_fill_id_hash=keccak256(b"fill-%d" % seq),
        salt=keccak256(b"salt-%d" % seq),
    )
