"""WebSocket subscriptions through the SDK's WebsocketManager, including deliberate message loss."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hyperliquid.info import Info

from tests.venue_sim.conftest import SimProcess, Trader, pause


class Inbox:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, message: dict[str, Any]) -> None:
        with self._lock:
            self.messages.append(message)

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.messages)

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 5.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.snapshot():
                if predicate(message):
                    return message
            time.sleep(0.01)
        raise AssertionError(f"no matching message in {timeout}s; got {self.snapshot()[-5:]}")

    def fills(self) -> list[dict[str, Any]]:
        return [f for m in self.snapshot() if not m["data"].get("isSnapshot") for f in m["data"]["fills"]]


def test_user_fills_and_order_updates_stream(venue: SimProcess, trader: Trader) -> None:
    ws = Info(venue.url, skip_ws=False)
    try:
        fills, orders, mids = Inbox(), Inbox(), Inbox()
        ws.subscribe({"type": "userFills", "user": trader.address}, fills)
        ws.subscribe({"type": "orderUpdates", "user": trader.address}, orders)
        ws.subscribe({"type": "allMids"}, mids)
        snapshot = fills.wait_for(lambda m: m["data"].get("isSnapshot") is True)
        assert snapshot["channel"] == "userFills" and snapshot["data"]["fills"] == []
        assert snapshot["data"]["user"] == trader.address.lower()

        (status,) = trader.statuses(trader.exchange.market_open("BTC", True, 0.001))
        oid = status["filled"]["oid"]
        (rest_fill,) = trader.info.user_fills(trader.address)
        live = fills.wait_for(lambda m: not m["data"].get("isSnapshot"))
        assert live["data"]["fills"] == [rest_fill]  # byte-for-byte the REST record
        assert set(rest_fill) >= {"coin", "px", "sz", "side", "time", "startPosition", "dir", "closedPnl",
                                  "hash", "oid", "crossed", "fee", "tid", "feeToken"}
        update = orders.wait_for(lambda m: any(u["order"]["oid"] == oid for u in m["data"]))
        assert update["channel"] == "orderUpdates" and update["data"][0]["status"] == "filled"

        pause()
        low = float(Decimal(trader.info.all_mids()["BTC"]) * Decimal("0.8") // 1)
        gtc = {"limit": {"tif": "Gtc"}}
        (resting,) = trader.statuses(trader.exchange.order("BTC", True, 0.001, low, gtc))
        roid = resting["resting"]["oid"]

        def has(status: str) -> Callable[[dict[str, Any]], bool]:
            return lambda m: any(u["order"]["oid"] == roid and u["status"] == status for u in m["data"])

        orders.wait_for(has("open"))
        pause()
        trader.exchange.cancel("BTC", roid)
        orders.wait_for(has("canceled"))

        mids.wait_for(lambda m: m["channel"] == "allMids")
        seen = len(mids.snapshot())
        venue.sim("/sim/advance", {"ms": 1000})
        deadline = time.monotonic() + 5
        while len(mids.snapshot()) <= seen and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(mids.snapshot()) > seen, "no allMids push after a tick"
    finally:
        ws.disconnect_websocket()


def test_dropped_ws_fills_are_recoverable_by_time(venue: SimProcess, trader: Trader, sim_config: Any) -> None:
    sim_config(ws_drop_rate="0.3", ws_delay_ms=20)
    start = venue.sim("/sim/health")["time"]
    ws = Info(venue.url, skip_ws=False)
    try:
        inbox = Inbox()
        ws.subscribe({"type": "userFills", "user": trader.address}, inbox)
        inbox.wait_for(lambda m: m["data"].get("isSnapshot") is True)
        orders = 30
        for i in range(orders):
            trader.statuses(trader.exchange.market_open("ETH", i % 2 == 0, 0.01))
            pause()
        time.sleep(0.5)  # let delayed messages arrive
        ws_tids = {f["tid"] for f in inbox.fills()}
        rest = trader.info.user_fills_by_time(trader.address, start, None)
        rest_tids = {f["tid"] for f in rest}
        assert len(rest) == orders == len(rest_tids)
        assert ws_tids < rest_tids  # strictly fewer: some were dropped ...
        assert 0 < len(ws_tids)  # ... but not all
        assert trader.info.user_fills_by_time(trader.address, start - 10, start - 1) == []
        assert [f["time"] for f in rest] == sorted(f["time"] for f in rest)
    finally:
        ws.disconnect_websocket()
