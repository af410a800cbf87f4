"""Order preparation shared by drafts and submissions: validate against the venue's instrument rules,
read marks and the account, run the risk checker, and build exactly what would be sent."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Any, cast

from anyio import to_thread

from api.trading.errors import Unprocessable, conflict, venue_unavailable
from api.trading.repo import TradingRepo
from api.trading.risk import (
    MarketView,
    OrderIntent,
    OrderKind,
    Rejection,
    check_order,
    notional,
    reference_px,
)
from api.trading.schemas import OrderIn, RiskResult, RiskTemplateIn, WireOrder, dec_str
from api.trading.venue import TradingVenue, TriggerRequest, market_bound_px, price_ok, size_ok
from keeper.logs import get_logger
from keeper.money import to_scaled
from keeper.venues.base import OrderRequest

log = get_logger(__name__)


@dataclass(frozen=True)
class Prepared:
    intent: OrderIntent
    wire: WireOrder
    risk: RiskResult
    rejection: Rejection | None
    request: OrderRequest | TriggerRequest

    def store_request(self) -> OrderRequest:
        """The keeper-store view of this order (`record_order`); trigger orders are kind 'trigger'."""
        if isinstance(self.request, OrderRequest):
            if self.intent.kind == "market":
                return replace(self.request, kind="market")
            return self.request
        t = self.request
        return OrderRequest(
            coin=t.coin,
            is_buy=t.is_buy,
            sz=t.sz,
            kind=cast(Any, "trigger"),
            limit_px=t.limit_px,
            reduce_only=t.reduce_only,
            cloid=t.cloid,
        )


def _invalid(reason: str, message: str, **details: Any) -> Unprocessable:
    return Unprocessable(message, details={"reason": reason, **details})


async def market_view(venue: TradingVenue) -> MarketView:
    try:
        mids, state = await asyncio.gather(venue.mids(), venue.account_state())
    except Exception as exc:  # transport / venue failure: the text may name hosts; log the type only
        log.warning("venue_read_failed", venue=venue.name, error_type=type(exc).__name__)
        raise venue_unavailable() from exc
    return MarketView(
        positions={coin: p.szi for coin, p in state.positions.items()},
        marks=mids,
        account_value=state.account_value,
    )


async def prepare(repo: TradingRepo, venue: TradingVenue, vault: str, body: OrderIn) -> Prepared:
    # The venue reads (marks, account) run while the template is read and the order is validated.
    view_task = asyncio.create_task(market_view(venue))
    try:
        return await _prepare(repo, venue, vault, body, view_task)
    finally:
        view_task.cancel()  # a no-op once it finished; then its exception (if any) is marked retrieved
        view_task.add_done_callback(_retrieve)


def _retrieve(task: asyncio.Task[MarketView]) -> None:
    if not task.cancelled():
        task.exception()


async def _prepare(
    repo: TradingRepo, venue: TradingVenue, vault: str, body: OrderIn, view_task: asyncio.Task[MarketView]
) -> Prepared:
    stored = await to_thread.run_sync(repo.get_template, vault)
    if stored is None:
        raise conflict(
            "risk.no_template", "no risk template for this vault: orders are refused until one is set"
        )
    limits = RiskTemplateIn.model_validate(stored.template).limits()
    coin = body.coin
    sz_dec = venue.sz_decimals(coin)
    asset = venue.asset_id(coin)
    if sz_dec is None or asset is None:
        raise _invalid("venue.unknown_coin", f"the venue does not list {coin}", coin=coin)
    sz = to_scaled(body.size)
    if not size_ok(sz, sz_dec):
        raise _invalid(
            "venue.invalid_size", f"{coin} sizes have at most {sz_dec} decimals", sz_decimals=sz_dec
        )
    limit_px = to_scaled(body.limit_px) if body.limit_px is not None else None
    trigger_px = to_scaled(body.trigger_px) if body.trigger_px is not None else None
    for name, px in (("limit_px", limit_px), ("trigger_px", trigger_px)):
        if px is not None and not price_ok(px, sz_dec):
            raise _invalid(
                "venue.invalid_price",
                f"{name} must have at most 5 significant figures and {6 - sz_dec} decimals for {coin}",
                field=name,
            )
    view = await view_task
    mark = view.marks.get(coin)
    if mark is None:
        raise _invalid("venue.unknown_coin", f"the venue has no price for {coin}", coin=coin)
    kind: OrderKind = "market" if body.type == "market" else "limit" if body.type == "limit" else "trigger"
    slippage = body.effective_slippage_bps() if kind == "market" else 0
    intent = OrderIntent(
        coin=coin,
        is_buy=body.is_buy,
        sz=sz,
        kind=kind,
        limit_px=limit_px,
        trigger_px=trigger_px,
        reduce_only=body.reduce_only,
        slippage_bps=slippage,
        leverage=body.leverage,
    )
    rejection = check_order(limits, intent, view)
    ref = reference_px(intent, mark)
    risk = RiskResult(
        accepted=rejection is None,
        reason=rejection.code if rejection else None,
        message=rejection.message if rejection else None,
        limit=rejection.limit if rejection else None,
        attempted=rejection.attempted if rejection else None,
        unit=rejection.unit if rejection else None,
        mark=dec_str(mark),
        reference_px=dec_str(ref),
        order_notional=dec_str(notional(sz, ref)),
        template_version=stored.version,
    )
    request: OrderRequest | TriggerRequest
    if kind == "market":
        wire_px = market_bound_px(mark, body.is_buy, slippage, sz_dec)
        order_type: dict[str, Any] = {"limit": {"tif": "Ioc"}}
        # Sent as the IOC limit at the bound computed from the mark just read (exactly what a draft shows);
        # this also saves the adapter's own mid lookup on the submission path.
        request = OrderRequest(
            coin=coin,
            is_buy=body.is_buy,
            sz=sz,
            kind="limit",
            limit_px=wire_px,
            tif="Ioc",
            reduce_only=body.reduce_only,
            slippage_bps=slippage,
            cloid=body.cloid,
        )
    elif kind == "limit":
        assert limit_px is not None
        wire_px = limit_px
        order_type = {"limit": {"tif": body.tif}}
        request = OrderRequest(
            coin=coin,
            is_buy=body.is_buy,
            sz=sz,
            kind="limit",
            limit_px=limit_px,
            tif=body.tif,
            reduce_only=body.reduce_only,
            cloid=body.cloid,
        )
    else:
        assert trigger_px is not None
        wire_px = limit_px if limit_px is not None else trigger_px
        tpsl = "tp" if body.type == "take_profit" else "sl"
        is_market = limit_px is None
        order_type = {"trigger": {"triggerPx": dec_str(trigger_px), "isMarket": is_market, "tpsl": tpsl}}
        request = TriggerRequest(
            coin=coin,
            is_buy=body.is_buy,
            sz=sz,
            trigger_px=trigger_px,
            limit_px=wire_px,
            is_market=is_market,
            tpsl=tpsl,
            reduce_only=body.reduce_only,
            cloid=body.cloid,
        )
    wire = WireOrder(
        coin=coin,
        asset=asset,
        is_buy=body.is_buy,
        size=dec_str(sz),
        limit_px=dec_str(wire_px),
        order_type=order_type,
        reduce_only=body.reduce_only,
        cloid=body.cloid,
        leverage=body.leverage,
    )
    return Prepared(intent, wire, risk, rejection, request)
