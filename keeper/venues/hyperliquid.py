"""Hyperliquid adapter on the official `hyperliquid-python-sdk` (also drives the local simulator).

The SDK is synchronous (requests + a websocket thread); every call runs in a worker thread and the WS
callback hands messages to the event loop with `call_soon_threadsafe`. The SDK signs with the wall-clock
millisecond as nonce, so actions are serialised per signer and spaced at least 2 ms apart. The SDK takes
floats for sizes and prices: values are kept as scaled ints / Decimals and converted only at that boundary
(the SDK re-checks that the float renders back to the same decimal string).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from typing import Any

import eth_account
from eth_account.signers.local import LocalAccount
from hyperliquid.exchange import Exchange
from hyperliquid.info import Info
from hyperliquid.utils.types import Cloid

from keeper.logs import get_logger
from keeper.money import from_scaled, to_decimal, to_scaled
from keeper.venues.base import (
    AccountState,
    FillBatchCallback,
    OrderAck,
    OrderRequest,
    VenueError,
    VenueFill,
)
from keeper.venues.hyperliquid_wire import WireError, parse_account_state, parse_fill, parse_order_response

log = get_logger(__name__)
_MIN_ACTION_GAP_MS = 2


class _NonceGate:
    """Serialises signed actions of one signer so no two share a wall-clock millisecond."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = 0

    def __enter__(self) -> None:
        self._lock.acquire()
        while (now := time.time_ns() // 1_000_000) < self._last_ms + _MIN_ACTION_GAP_MS:
            time.sleep((self._last_ms + _MIN_ACTION_GAP_MS - now) / 1000)

    def __exit__(self, *_: object) -> None:
        self._last_ms = time.time_ns() // 1_000_000
        self._lock.release()


class WsFillSubscription:
    """A userFills subscription on its own SDK websocket; `alive` turns False when the socket dies."""

    def __init__(self, info: Info, account: str, callback: FillBatchCallback) -> None:
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._callback = callback
        self._info = info
        self._info.subscribe({"type": "userFills", "user": account}, self._on_message)
        self._task = asyncio.create_task(self._consume())

    @classmethod
    async def start(cls, base_url: str, account: str, callback: FillBatchCallback) -> WsFillSubscription:
        info = await asyncio.to_thread(Info, base_url, False)  # blocking: fetches meta, starts the thread
        return cls(info, account, callback)

    def _on_message(self, message: dict[str, Any]) -> None:  # websocket thread
        with contextlib.suppress(RuntimeError):  # loop already closed during shutdown
            self._loop.call_soon_threadsafe(self._queue.put_nowait, message)

    async def _consume(self) -> None:
        while True:
            message = await self._queue.get()
            data = message.get("data") or {}
            fills: list[VenueFill] = []
            for raw in data.get("fills", []):
                try:
                    fills.append(parse_fill(raw))
                except WireError as exc:
                    # Not fatal for the stream: REST reconciliation re-reads and fails loudly on it.
                    log.error("ws_fill_unparseable", error=str(exc), tid=raw.get("tid"))
            try:
                result = self._callback(fills, bool(data.get("isSnapshot")))
                if asyncio.iscoroutine(result):
                    await result
            except Exception:  # a store hiccup must not kill the stream; REST recovers the fills
                log.exception("ws_fill_callback_failed", count=len(fills))

    @property
    def alive(self) -> bool:
        manager = self._info.ws_manager
        return manager is not None and manager.is_alive() and not self._task.done()

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self._info.disconnect_websocket)


class HyperliquidVenue:
    """`Venue` implementation. `wallet` may be None for a read-only (ingest-only) instance."""

    def __init__(
        self, base_url: str, wallet: LocalAccount | None = None, account: str | None = None,
        name: str = "hyperliquid", timeout: float = 10.0,
    ) -> None:
        if account is None and wallet is None:
            raise ValueError("need a wallet or an account address to mirror")
        self.name = name
        self.base_url = base_url
        self.account = (account or wallet.address).lower()  # type: ignore[union-attr]
        self._info = Info(base_url, skip_ws=True, timeout=timeout)
        self._exchange = (
            Exchange(wallet, base_url, account_address=account, timeout=timeout)
            if wallet is not None
            else None
        )
        self._gate = _NonceGate()

    @classmethod
    def from_key(cls, base_url: str, private_key_hex: str, account: str | None = None,
                 name: str = "hyperliquid") -> HyperliquidVenue:
        wallet: LocalAccount = eth_account.Account.from_key(private_key_hex)
        return cls(base_url, wallet, account, name)

    # --- trading ---------------------------------------------------------------------------------------

    def _bounded_px(self, coin: str, is_buy: bool, slippage_bps: int) -> Decimal:
        """Market orders are IOC limits this far through the mid, rounded like the venue requires."""
        mid = to_decimal(self._info.all_mids()[coin])
        px = mid * (Decimal(10_000 + slippage_bps if is_buy else 10_000 - slippage_bps) / Decimal(10_000))
        sz_decimals = self._info.asset_to_sz_decimals[self._info.name_to_asset(coin)]
        rounding = ROUND_UP if is_buy else ROUND_DOWN
        # 5 significant figures, at most 6 - szDecimals decimals.
        exp = max(px.adjusted() - 4, -(6 - sz_decimals))
        return px.quantize(Decimal(1).scaleb(exp), rounding=rounding)

    def _place_sync(self, order: OrderRequest) -> OrderAck:
        if self._exchange is None:
            raise VenueError("read-only venue: no signing key configured")
        if order.kind == "market":
            px = self._bounded_px(order.coin, order.is_buy, order.slippage_bps)
            order_type: Any = {"limit": {"tif": "Ioc"}}
        else:
            if order.limit_px is None:
                raise ValueError("limit order needs limit_px")
            px = from_scaled(order.limit_px)
            order_type = {"limit": {"tif": order.tif}}
        cloid = Cloid.from_str(order.cloid) if order.cloid else None
        with self._gate:
            response = self._exchange.order(
                order.coin, order.is_buy, float(from_scaled(order.sz)), float(px), order_type,
                reduce_only=order.reduce_only, cloid=cloid,
            )
        return parse_order_response(response)

    async def place_order(self, order: OrderRequest) -> OrderAck:
        return await asyncio.to_thread(self._place_sync, order)

    def _cancel_sync(self, coin: str, oid: int) -> bool:
        if self._exchange is None:
            raise VenueError("read-only venue: no signing key configured")
        with self._gate:
            response = self._exchange.cancel(coin, oid)
        if response.get("status") != "ok":
            return False
        return all(s == "success" for s in response["response"]["data"]["statuses"])

    async def cancel_order(self, coin: str, oid: int) -> bool:
        return await asyncio.to_thread(self._cancel_sync, coin, oid)

    # --- reads -----------------------------------------------------------------------------------------

    async def fills_by_time(self, start_ms: int, end_ms: int | None = None) -> list[VenueFill]:
        raw = await asyncio.to_thread(self._info.user_fills_by_time, self.account, start_ms, end_ms)
        return [parse_fill(r) for r in raw]

    async def account_state(self) -> AccountState:
        return parse_account_state(await asyncio.to_thread(self._info.user_state, self.account))

    async def mids(self) -> dict[str, int]:
        raw = await asyncio.to_thread(self._info.all_mids)
        return {coin: to_scaled(px) for coin, px in raw.items()}

    async def subscribe_fills(self, callback: FillBatchCallback) -> WsFillSubscription:
        return await WsFillSubscription.start(self.base_url, self.account, callback)

    async def close(self) -> None:
        return None
