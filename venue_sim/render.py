"""Rendering of internal records into the venue's JSON shapes (numbers as strings, times in ms)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from venue_sim.accounts import (
    Account,
    MarginParams,
    maintenance_margin,
    margin_used,
    position_margin,
)
from venue_sim.fills import Fill
from venue_sim.numbers import usd, wire
from venue_sim.orders import Order


def fill(f: Fill) -> dict[str, Any]:
    out: dict[str, Any] = {
        "coin": f.coin,
        "px": wire(f.px),
        "sz": wire(f.sz),
        "side": "B" if f.is_buy else "A",
        "time": f.time,
        "startPosition": wire(f.start_position),
        "dir": f.direction,
        "closedPnl": wire(f.closed_pnl),
        "hash": f.hash,
        "oid": f.oid,
        "crossed": f.crossed,
        "fee": wire(f.fee),
        "tid": f.tid,
    }
    if f.cloid is not None:
        out["cloid"] = f.cloid
    out["feeToken"] = "USDC"
    return out


def basic_order(o: Order) -> dict[str, Any]:
    """openOrders / WS orderUpdates shape."""
    out: dict[str, Any] = {
        "coin": o.coin,
        "side": o.side,
        "limitPx": wire(o.limit_px),
        "sz": wire(o.remaining),
        "oid": o.oid,
        "timestamp": o.timestamp,
        "origSz": wire(o.orig_sz),
    }
    if o.cloid is not None:
        out["cloid"] = o.cloid
    return out


def frontend_order(o: Order) -> dict[str, Any]:
    """frontendOpenOrders / orderStatus shape."""
    return {
        "coin": o.coin,
        "side": o.side,
        "limitPx": wire(o.limit_px),
        "sz": wire(o.remaining),
        "oid": o.oid,
        "timestamp": o.timestamp,
        "triggerCondition": o.trigger_condition(),
        "isTrigger": o.trigger is not None,
        "triggerPx": wire(o.trigger.trigger_px) if o.trigger else "0.0",
        "children": [],
        "isPositionTpsl": False,
        "reduceOnly": o.reduce_only,
        "orderType": o.order_type_name(),
        "origSz": wire(o.orig_sz),
        "tif": o.tif,
        "cloid": o.cloid,
    }


def order_update(o: Order) -> dict[str, Any]:
    return {"order": basic_order(o), "status": o.status.value, "statusTimestamp": o.status_ts}


def order_status(o: Order | None) -> dict[str, Any]:
    if o is None:
        return {"status": "unknownOid"}
    return {
        "status": "order",
        "order": {"order": frontend_order(o), "status": o.status.value, "statusTimestamp": o.status_ts},
    }


def clearinghouse_state(
    account: Account | None,
    mids: Mapping[str, Decimal],
    params: MarginParams,
    now_ms: int,
) -> dict[str, Any]:
    account = account or Account(address="")
    positions = []
    for coin in sorted(account.positions):
        pos = account.positions[coin]
        mid = mids[coin]
        lev = account.leverage_for(coin, params.default_leverage, params.max_leverage[coin])
        margin = position_margin(account, coin, mid, params)
        upnl = account.unrealized_pnl(coin, mid)
        entry_margin = abs(pos.szi) * pos.entry_px / lev
        positions.append(
            {
                "type": "oneWay",
                "position": {
                    "coin": coin,
                    "szi": wire(pos.szi),
                    "leverage": {"type": "cross", "value": lev},
                    "entryPx": wire(pos.entry_px),
                    "positionValue": wire(usd(abs(pos.szi) * mid)),
                    "unrealizedPnl": wire(usd(upnl)),
                    "returnOnEquity": wire((upnl / entry_margin).quantize(Decimal("1e-8"))),
                    # No liquidation engine in the simulator, so no liquidation price is promised.
                    "liquidationPx": None,
                    "marginUsed": wire(usd(margin)),
                    "maxLeverage": params.max_leverage[coin],
                    "cumFunding": {"allTime": "0.0", "sinceOpen": "0.0", "sinceChange": "0.0"},
                },
            }
        )
    value = account.account_value(mids)
    used = margin_used(account, mids, params)
    ntl = account.notional(mids)
    # rawUsd is the USDC leg: account value minus the signed mark value of the positions.
    raw = value - sum((p.szi * mids[c] for c, p in account.positions.items()), Decimal(0))
    summary = {
        "accountValue": wire(usd(value)),
        "totalNtlPos": wire(usd(ntl)),
        "totalRawUsd": wire(usd(raw)),
        "totalMarginUsed": wire(usd(used)),
    }
    # Display values are rounded to micro-USDC; the ledger itself is exact (see accounts.py).
    return {
        "marginSummary": summary,
        "crossMarginSummary": dict(summary),
        "crossMaintenanceMarginUsed": wire(usd(maintenance_margin(account, mids, params))),
        "withdrawable": wire(usd(max(value - used, Decimal(0)))),
        "assetPositions": positions,
        "time": now_ms,
    }
