"""Trading through the official SDK against a real simulator process."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_UP, Decimal
from typing import Any

import eth_account
from hyperliquid.exchange import Exchange
from hyperliquid.info import Info
from hyperliquid.utils.types import Cloid

from tests.venue_sim.conftest import SimProcess, Trader, pause
from venue_sim.numbers import round_price, usd

TAKER = Decimal("0.00045")
MAKER = Decimal("0.00015")
SZ_DECIMALS = {"BTC": 5, "ETH": 4, "SOL": 2}


def mid(info: Info, coin: str) -> Decimal:
    return Decimal(info.all_mids()[coin])


def px(value: Decimal, coin: str, rounding: str = ROUND_DOWN) -> float:
    # The SDK's order API takes floats; the conversion happens only at that boundary.
    return float(round_price(value, SZ_DECIMALS[coin], rounding))


def fills_for(trader: Trader, oid: int) -> list[dict[str, Any]]:
    return [f for f in trader.info.user_fills(trader.address) if f["oid"] == oid]


def test_market_order_fills_and_is_reported(trader: Trader) -> None:
    before = mid(trader.info, "BTC")
    (status,) = trader.statuses(trader.exchange.market_open("BTC", True, 0.01))
    filled = status["filled"]
    assert Decimal(filled["totalSz"]) == Decimal("0.01")
    assert Decimal(filled["avgPx"]) > before  # paid the synthetic ask

    (fill,) = trader.info.user_fills(trader.address)
    assert fill["oid"] == filled["oid"] and fill["side"] == "B" and fill["dir"] == "Open Long"
    assert fill["crossed"] is True and fill["feeToken"] == "USDC" and fill["startPosition"] == "0.0"
    assert Decimal(fill["fee"]) == usd(Decimal(fill["px"]) * Decimal(fill["sz"]) * TAKER)
    assert fill["hash"].startswith("0x") and len(fill["hash"]) == 66
    assert isinstance(fill["tid"], int) and isinstance(fill["time"], int)

    status_doc = trader.info.query_order_by_oid(trader.address, filled["oid"])
    assert status_doc["status"] == "order" and status_doc["order"]["status"] == "filled"

    state = trader.info.user_state(trader.address)
    (pos,) = state["assetPositions"]
    assert pos["position"]["coin"] == "BTC" and pos["position"]["szi"] == "0.01"
    assert pos["position"]["entryPx"] == fill["px"]
    expected_value = Decimal("10000") - Decimal(fill["fee"]) + Decimal(pos["position"]["unrealizedPnl"])
    assert Decimal(state["marginSummary"]["accountValue"]) == expected_value


def test_limit_order_rests_then_fills_when_path_crosses(
    venue: SimProcess, trader: Trader, sim_config: Any
) -> None:
    limit = px(mid(trader.info, "SOL") * Decimal("0.99"), "SOL")
    (status,) = trader.statuses(trader.exchange.order("SOL", True, 1.0, limit, {"limit": {"tif": "Gtc"}}))
    oid = status["resting"]["oid"]
    assert trader.info.query_order_by_oid(trader.address, oid)["order"]["status"] == "open"
    assert trader.info.user_fills(trader.address) == []
    assert [o["oid"] for o in trader.info.open_orders(trader.address)] == [oid]

    venue.sim("/sim/advance", {"ms": 2000})  # the walk moves <= 0.07%/tick: nowhere near 1%
    assert trader.info.query_order_by_oid(trader.address, oid)["order"]["status"] == "open"
    assert trader.info.user_fills(trader.address) == []

    sim_config(drift_ppm={"SOL": -4000})  # push the path down 0.4% per tick until it crosses
    for _ in range(20):
        venue.sim("/sim/advance", {"ms": 1000})
        if trader.info.query_order_by_oid(trader.address, oid)["order"]["status"] == "filled":
            break
    else:
        raise AssertionError("limit order never filled")
    (fill,) = fills_for(trader, oid)
    assert Decimal(fill["px"]) == Decimal(str(limit)) and fill["crossed"] is False
    assert Decimal(fill["fee"]) == usd(Decimal(fill["px"]) * Decimal("1") * MAKER)
    assert trader.info.open_orders(trader.address) == []


def test_large_order_partially_fills_across_levels(
    venue: SimProcess, trader: Trader, sim_config: Any
) -> None:
    sim_config(depth_levels=3, level_notional_usd="1000")
    venue.sim("/sim/advance", {"ms": 1000})  # fresh tick: untouched liquidity
    (status,) = trader.statuses(trader.exchange.market_open("BTC", True, 0.06))
    filled = status["filled"]
    fills = fills_for(trader, filled["oid"])
    assert len(fills) == 3  # one fill per level, each its own trade id
    assert len({f["tid"] for f in fills}) == 3
    prices = sorted(Decimal(f["px"]) for f in fills)
    assert prices[0] < prices[1] < prices[2]
    total = sum(Decimal(f["sz"]) for f in fills)
    assert total == Decimal(filled["totalSz"]) < Decimal("0.06")
    notional = sum(Decimal(f["px"]) * Decimal(f["sz"]) for f in fills)
    assert abs(Decimal(filled["avgPx"]) - notional / total) < Decimal("0.00000001")
    # IOC remainder is cancelled, and the consumed levels stay consumed until the next tick.
    assert trader.info.query_order_by_oid(trader.address, filled["oid"])["order"]["status"] == "canceled"
    pause()
    (again,) = trader.statuses(trader.exchange.market_open("BTC", True, 0.01))
    assert "could not immediately match" in again["error"]
    venue.sim("/sim/advance", {"ms": 1000})
    (refilled,) = trader.statuses(trader.exchange.market_open("BTC", True, 0.01))
    assert "filled" in refilled


def test_reduce_only_is_enforced(trader: Trader) -> None:
    ioc = {"limit": {"tif": "Ioc"}}
    far = px(mid(trader.info, "BTC") * Decimal("0.9"), "BTC")
    (status,) = trader.statuses(trader.exchange.order("BTC", False, 0.001, far, ioc, reduce_only=True))
    assert status == {"error": "Reduce only order would increase position. asset=0"}
    pause()
    trader.statuses(trader.exchange.market_open("BTC", True, 0.002))
    pause()
    high = px(mid(trader.info, "BTC") * Decimal("1.1"), "BTC", ROUND_UP)
    (same_side,) = trader.statuses(trader.exchange.order("BTC", True, 0.001, high, ioc, reduce_only=True))
    assert "Reduce only order would increase position" in same_side["error"]
    pause()
    # A reduce-only order larger than the position is clipped to it and never flips the position.
    (clipped,) = trader.statuses(trader.exchange.order("BTC", False, 0.005, far, ioc, reduce_only=True))
    assert Decimal(clipped["filled"]["totalSz"]) == Decimal("0.002")
    (close,) = fills_for(trader, clipped["filled"]["oid"])
    assert close["dir"] == "Close Long" and close["startPosition"] == "0.002"
    assert trader.info.user_state(trader.address)["assetPositions"] == []


def test_margin_and_leverage_limits(trader_factory: Any) -> None:
    trader: Trader = trader_factory(usd="100")
    (status,) = trader.statuses(trader.exchange.market_open("BTC", True, 0.1))  # ~$6000 at 20x = $300
    assert status == {"error": "Insufficient margin to place order. asset=0"}
    pause()
    assert trader.exchange.update_leverage(40, "BTC") == {"status": "ok", "response": {"type": "default"}}
    pause()
    (still,) = trader.statuses(trader.exchange.market_open("BTC", True, 0.1))  # $150 at 40x
    assert "Insufficient margin" in still["error"]
    pause()
    too_high = trader.exchange.update_leverage(41, "BTC")
    assert too_high["status"] == "err" and "leverage" in too_high["response"]
    pause()
    isolated = trader.exchange.update_leverage(5, "BTC", is_cross=False)
    assert isolated["status"] == "err"
    pause()
    (ok,) = trader.statuses(trader.exchange.market_open("BTC", True, 0.02))  # ~$30 at 40x
    assert "filled" in ok
    pause()
    # Resting orders reserve margin too: a $3000 bid far below the market needs $75 more.
    low = px(mid(trader.info, "BTC") * Decimal("0.5"), "BTC")
    (resting,) = trader.statuses(trader.exchange.order("BTC", True, 0.1, low, {"limit": {"tif": "Gtc"}}))
    assert "Insufficient margin" in resting["error"]
    pause()
    down = trader.exchange.update_leverage(1, "BTC")  # would need ~$1200 of margin
    assert down["status"] == "err" and "Insufficient margin" in down["response"]
    state = trader.info.user_state(trader.address)
    (pos,) = state["assetPositions"]
    assert pos["position"]["leverage"] == {"type": "cross", "value": 40}
    summary = state["marginSummary"]
    assert Decimal(summary["totalMarginUsed"]) <= Decimal(summary["accountValue"])


def test_take_profit_and_stop_loss_triggers(venue: SimProcess, trader: Trader) -> None:
    start = mid(trader.info, "BTC")
    trader.statuses(trader.exchange.market_open("BTC", True, 0.01))
    pause()
    sl_px = px(start * Decimal("0.98"), "BTC")
    tp_px = px(start * Decimal("1.02"), "BTC")
    sl_type = {"trigger": {"triggerPx": sl_px, "isMarket": True, "tpsl": "sl"}}
    tp_type = {"trigger": {"triggerPx": tp_px, "isMarket": True, "tpsl": "tp"}}
    (sl,) = trader.statuses(trader.exchange.order("BTC", False, 0.01, sl_px, sl_type, reduce_only=True))
    pause()
    (tp,) = trader.statuses(trader.exchange.order("BTC", False, 0.01, tp_px, tp_type, reduce_only=True))
    sl_oid, tp_oid = sl["resting"]["oid"], tp["resting"]["oid"]
    doc = trader.info.query_order_by_oid(trader.address, sl_oid)["order"]
    assert doc["status"] == "open" and doc["order"]["isTrigger"] is True
    assert doc["order"]["orderType"] == "Stop Market"
    assert doc["order"]["triggerCondition"].startswith("Price below")
    try:
        venue.sim("/sim/price", {"coin": "BTC", "px": str(start * Decimal("0.97"))})
        assert trader.info.query_order_by_oid(trader.address, sl_oid)["order"]["status"] == "filled"
        (stop_fill,) = fills_for(trader, sl_oid)
        assert stop_fill["dir"] == "Close Long" and Decimal(stop_fill["closedPnl"]) < 0
        assert trader.info.user_state(trader.address)["assetPositions"] == []
        # The take-profit fires later but has nothing left to reduce.
        venue.sim("/sim/price", {"coin": "BTC", "px": str(start * Decimal("1.03"))})
        status = trader.info.query_order_by_oid(trader.address, tp_oid)["order"]["status"]
        assert status == "reduceOnlyCanceled"
        assert fills_for(trader, tp_oid) == []
    finally:
        venue.sim("/sim/price", {"coin": "BTC", "px": str(start)})


def test_alo_and_cancel_by_cloid(trader: Trader) -> None:
    now = mid(trader.info, "ETH")
    (crossing,) = trader.statuses(
        trader.exchange.order("ETH", True, 0.01, px(now * Decimal("1.01"), "ETH"), {"limit": {"tif": "Alo"}})
    )
    assert crossing["error"].startswith("Post only order would have immediately matched, bbo was ")
    pause()
    cloid = Cloid.from_int(0xC0FFEE)
    low = px(now * Decimal("0.95"), "ETH")
    alo = {"limit": {"tif": "Alo"}}
    (resting,) = trader.statuses(trader.exchange.order("ETH", True, 0.01, low, alo, cloid=cloid))
    assert resting["resting"]["cloid"] == cloid.to_raw()
    by_cloid = trader.info.query_order_by_cloid(trader.address, cloid)
    assert by_cloid["order"]["order"]["oid"] == resting["resting"]["oid"]
    assert by_cloid["order"]["order"]["cloid"] == cloid.to_raw() and by_cloid["order"]["status"] == "open"
    pause()
    cancel = trader.exchange.cancel_by_cloid("ETH", cloid)
    assert cancel["response"]["data"]["statuses"] == ["success"]
    assert trader.info.query_order_by_cloid(trader.address, cloid)["order"]["status"] == "canceled"
    pause()
    again = trader.exchange.cancel_by_cloid("ETH", cloid)
    assert "error" in again["response"]["data"]["statuses"][0]
    assert trader.info.query_order_by_oid(trader.address, 12345) == {"status": "unknownOid"}


def test_api_wallet_and_vault_sign_for_another_account(venue: SimProcess, trader: Trader) -> None:
    response, agent_key = trader.exchange.approve_agent("keeper")
    assert response == {"status": "ok", "response": {"type": "default"}}
    agent = eth_account.Account.from_key(agent_key)
    as_agent = Exchange(agent, venue.url, account_address=trader.address)
    (status,) = trader.statuses(as_agent.market_open("ETH", False, 0.01))
    assert fills_for(trader, status["filled"]["oid"])  # booked on the master account
    assert trader.info.user_fills(agent.address) == []

    vault = eth_account.Account.create().address
    venue.sim("/sim/fund", {"user": vault, "usd": "5000", "vaultLeader": trader.address})
    leader = Exchange(trader.wallet, venue.url, vault_address=vault)
    (vstatus,) = trader.statuses(leader.market_open("ETH", True, 0.01))
    assert [f["oid"] for f in trader.info.user_fills(vault)] == [vstatus["filled"]["oid"]]
    stranger = Exchange(eth_account.Account.create(), venue.url, vault_address=vault)
    assert stranger.market_open("ETH", True, 0.01)["status"] == "err"
