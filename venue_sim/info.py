"""POST /info: read-only queries, answered in the venue's shapes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from venue_sim import render
from venue_sim.numbers import NumberError, parse_int, wire
from venue_sim.state import VenueState

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_CLOID = re.compile(r"^0x[0-9a-fA-F]{32}$")


class InfoError(ValueError):
    """Maps to HTTP 422 with a plain-text body, which the SDK surfaces as ClientError."""


def _user(body: dict[str, Any]) -> str:
    user = body.get("user")
    if not isinstance(user, str) or not _ADDRESS.match(user):
        raise InfoError("Failed to deserialize the JSON body into the target type: user must be a 0x address")
    return user.lower()


def _dex(body: dict[str, Any]) -> None:
    if body.get("dex") not in (None, ""):
        raise InfoError("Only the default perp dex (\"\") exists in the venue simulator")


def meta(state: VenueState, body: dict[str, Any]) -> Any:
    _dex(body)
    specs = state.config.instruments
    # One flat margin table per instrument, keyed by its max leverage (the SDK reads name/szDecimals only).
    universe = [
        {"name": s.name, "szDecimals": s.sz_decimals, "maxLeverage": s.max_leverage}
        | {"marginTableId": s.max_leverage}
        for s in specs
    ]
    tiers = {s.max_leverage: [{"lowerBound": "0.0", "maxLeverage": s.max_leverage}] for s in specs}
    tables = [[lev, {"description": f"{lev}x", "marginTiers": t}] for lev, t in tiers.items()]
    return {"universe": universe, "marginTables": tables}


def spot_meta(state: VenueState, body: dict[str, Any]) -> Any:
    # No spot markets; USDC is listed so clients that index tokens find the collateral token.
    return {
        "universe": [],
        "tokens": [
            {
                "name": "USDC",
                "szDecimals": 8,
                "weiDecimals": 8,
                "index": 0,
                "tokenId": "0x6d1e7cde53ba9467b783cb7c530ce054",
                "isCanonical": True,
                "evmContract": None,
                "fullName": None,
            }
        ],
    }


def meta_and_asset_ctxs(state: VenueState, body: dict[str, Any]) -> Any:
    mids = state.market.mids()
    ctxs = []
    for spec in state.config.instruments:
        px = wire(mids[spec.name])
        ctxs.append(
            {
                "funding": "0.0",
                "openInterest": "0.0",
                "prevDayPx": wire(spec.start_px),
                "dayNtlVlm": "0.0",
                "premium": "0.0",
                "oraclePx": px,
                "markPx": px,
                "midPx": px,
                "impactPxs": [px, px],
            }
        )
    return [meta(state, {}), ctxs]


def all_mids(state: VenueState, body: dict[str, Any]) -> Any:
    _dex(body)
    return state.mids_wire()


def clearinghouse_state(state: VenueState, body: dict[str, Any]) -> Any:
    _dex(body)
    user = _user(body)
    return render.clearinghouse_state(
        state.engine.account(user), state.market.mids(), state.engine.margin_params(), state.now_ms()
    )


def user_fills(state: VenueState, body: dict[str, Any]) -> Any:
    fills = state.engine.fills.recent(_user(body), state.config.max_fills_per_response)
    return [render.fill(f) for f in fills]


def user_fills_by_time(state: VenueState, body: dict[str, Any]) -> Any:
    user = _user(body)
    try:
        start = parse_int(body.get("startTime"), "startTime")
        end_raw = body.get("endTime")
        end = None if end_raw is None else parse_int(end_raw, "endTime")
    except NumberError as exc:
        raise InfoError(f"Failed to deserialize the JSON body into the target type: {exc}") from exc
    # aggregateByTime is accepted and ignored: every fill is reported separately.
    fills = state.engine.fills.by_time(user, start, end, state.config.max_fills_per_response)
    return [render.fill(f) for f in fills]


def order_status(state: VenueState, body: dict[str, Any]) -> Any:
    user = _user(body)
    oid = body.get("oid")
    if isinstance(oid, str) and _CLOID.match(oid):
        return render.order_status(state.engine.order_by_cloid(user, oid))
    try:
        return render.order_status(state.engine.order_by_oid(user, parse_int(oid, "oid")))
    except NumberError as exc:
        raise InfoError(f"Failed to deserialize the JSON body into the target type: {exc}") from exc


def open_orders(state: VenueState, body: dict[str, Any]) -> Any:
    _dex(body)
    return [render.basic_order(o) for o in reversed(state.engine.open_orders(_user(body)))]


def frontend_open_orders(state: VenueState, body: dict[str, Any]) -> Any:
    _dex(body)
    return [render.frontend_order(o) for o in reversed(state.engine.open_orders(_user(body)))]


def l2_book(state: VenueState, body: dict[str, Any]) -> Any:
    coin = body.get("coin")
    if coin not in state.market.specs:
        raise InfoError(f"Unknown coin {coin!r}")
    spec = state.market.specs[coin]
    mid = state.market.mid(coin)
    sides = [state.book.levels(spec, mid, taker_is_buy=False, cfg=state.config),  # bids
             state.book.levels(spec, mid, taker_is_buy=True, cfg=state.config)]  # asks
    return {
        "coin": coin,
        "time": state.now_ms(),
        "levels": [[{"px": wire(lv.px), "sz": wire(lv.sz), "n": 1} for lv in side] for side in sides],
    }


HANDLERS: dict[str, Callable[[VenueState, dict[str, Any]], Any]] = {
    "meta": meta,
    "spotMeta": spot_meta,
    "metaAndAssetCtxs": meta_and_asset_ctxs,
    "allMids": all_mids,
    "clearinghouseState": clearinghouse_state,
    "userFills": user_fills,
    "userFillsByTime": user_fills_by_time,
    "orderStatus": order_status,
    "openOrders": open_orders,
    "frontendOpenOrders": frontend_open_orders,
    "l2Book": l2_book,
}


def handle_info(state: VenueState, body: Any) -> Any:
    state.sync()
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        raise InfoError("Failed to deserialize the JSON body into the target type: missing type")
    handler = HANDLERS.get(body["type"])
    if handler is None:
        raise InfoError(
            f"Failed to deserialize the JSON body into the target type: info type {body['type']!r} "
            "is not implemented by the venue simulator"
        )
    return handler(state, body)
