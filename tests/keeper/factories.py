"""Builders for test fills and orders (scaled ints)."""

from __future__ import annotations

from keeper.money import SCALE
from keeper.venues.base import OrderAck, OrderRequest, VenueFill

VENUE = "hyperliquid"
ACCOUNT = "0x" + "ab" * 20


def make_fill(tid: int, *, oid: int = 1, coin: str = "BTC", is_buy: bool = True, sz: int = SCALE // 100,
              px: int = 60_000 * SCALE, time_ms: int = 1_700_000_000_000, fee: int = 27_000_000,
              closed_pnl: int = 0) -> VenueFill:
    return VenueFill(
        tid=tid, oid=oid, coin=coin, is_buy=is_buy, px=px, sz=sz, fee=fee, closed_pnl=closed_pnl,
        start_position=0, direction="Open Long" if is_buy else "Open Short", crossed=True, time_ms=time_ms,
        hash="0x" + f"{oid:064x}",
    )


def limit_order(sz: int, coin: str = "BTC", is_buy: bool = True) -> OrderRequest:
    return OrderRequest(coin=coin, is_buy=is_buy, sz=sz, kind="limit", limit_px=50_000 * SCALE, tif="Gtc")


def ack(status: str, oid: int, filled_sz: int = 0) -> OrderAck:
    return OrderAck(status=status, oid=oid, filled_sz=filled_sz)  # type: ignore[arg-type]
