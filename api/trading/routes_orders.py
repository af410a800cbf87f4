"""Exec and quant API: orders, drafts, cancels, open orders, positions and fills of one vault.

Auth: an API key with the `trade` scope, bound to the vault (or `admin`). Every order passes the vault's
risk template before anything is sent; submissions go through the venue adapter (which signs with the SDK)
and are recorded with `Store.record_order`, so the keeper's ack fallback tracks them. Place and cancel
are written to the audit log with their result (drafts are not).
"""

# No `from __future__ import annotations`: FastAPI must resolve the closure-local dependency aliases.
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Path, Query, Response

from api.auth.api_keys import Scope
from api.errors import ApiError, NotFound, declares, error_responses
from api.trading.deps import TradingDeps, VaultCaller, vault_gate
from api.trading.errors import conflict, risk_rejected, venue_rejected, venue_unavailable
from api.trading.orders import Prepared, prepare
from api.trading.schemas import (
    CancelOut,
    DraftOut,
    FillOut,
    OpenOrderOut,
    OrderIn,
    OrderOut,
    PositionOut,
    dec_str,
)
from api.trading.venue import OpenOrder, TradingVenue, classify
from keeper.logs import get_logger
from keeper.venues.base import OrderAck, OrderRequest

log = get_logger(__name__)
PLACE = "orders.place"
CANCEL = "orders.cancel"


def _open_out(o: OpenOrder) -> OpenOrderOut:
    return OpenOrderOut(
        oid=o.oid,
        coin=o.coin,
        side="buy" if o.is_buy else "sell",
        size=dec_str(o.sz),
        orig_size=dec_str(o.orig_sz),
        limit_px=dec_str(o.limit_px),
        order_type=o.order_type,
        reduce_only=o.reduce_only,
        trigger_px=dec_str(o.trigger_px) if o.trigger_px is not None else None,
        tif=o.tif,
        cloid=o.cloid,
        timestamp_ms=o.timestamp_ms,
    )


def build_orders_router(deps: TradingDeps) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["orders"], responses=error_responses(404))
    Trader = Annotated[VaultCaller, Depends(vault_gate(deps, Scope.TRADE))]
    repo = deps.repo

    def venue_of(caller: VaultCaller) -> TradingVenue:
        venue = deps.venues.venue_for(caller.vault)
        if venue is None:
            raise NotFound(
                "no venue account is configured for this vault", details={"reason": "vault.no_venue"}
            )
        return venue

    async def audit(
        caller: VaultCaller, action: str, params: dict[str, Any], result: str, **extra: Any
    ) -> None:
        now = deps.now_ms()
        await to_thread.run_sync(
            lambda: repo.audit(caller.actor, action, caller.vault, params, result, now, **extra)
        )

    async def send(venue: TradingVenue, prepared: Prepared) -> OrderAck:
        if prepared.intent.leverage is not None:
            problem = await venue.update_leverage(prepared.intent.coin, prepared.intent.leverage)
            if problem is not None:
                rejection = classify(problem)
                if rejection.reason == "venue.rejected":
                    rejection = type(rejection)("venue.invalid_leverage", rejection.message)
                raise venue_rejected(rejection)
        if isinstance(prepared.request, OrderRequest):
            return await venue.place_order(prepared.request)
        return await venue.place_trigger(prepared.request)

    @router.post("/vaults/{vault}/orders/drafts", response_model=DraftOut)
    @declares(404, 409, 503)
    async def draft_order(caller: Trader, body: OrderIn) -> DraftOut:
        """Validate and risk-check an order and show what would be sent; nothing is sent or recorded."""
        prepared = await prepare(repo, venue_of(caller), caller.vault, body)
        return DraftOut(vault=caller.vault, would_send=prepared.wire, risk=prepared.risk)

    @router.post("/vaults/{vault}/orders", response_model=OrderOut, status_code=201)
    @declares(404, 409, 503)
    async def place_order(caller: Trader, body: OrderIn) -> OrderOut:
        venue = venue_of(caller)
        params = {"vault": caller.vault, "order": body.model_dump(mode="json")}
        prepared = await prepare(repo, venue, caller.vault, body)
        if prepared.rejection is not None:
            await audit(caller, PLACE, params, "risk_rejected", reason=prepared.rejection.code)
            raise risk_rejected(prepared.rejection, {"template_version": prepared.risk.template_version})
        try:
            ack = await send(venue, prepared)
        except Exception as exc:
            if isinstance(exc, ApiError):
                reason = exc.details.get("reason") if isinstance(exc.details, dict) else None
                await audit(caller, PLACE, params, "venue_rejected", reason=reason)
                raise
            log.warning("venue_order_failed", venue=venue.name, error_type=type(exc).__name__)
            await audit(caller, PLACE, params, "venue_unavailable")
            raise venue_unavailable() from exc
        now = deps.now_ms()
        if ack.status == "error" or ack.oid is None:
            rejection = classify(ack.error or "order rejected")
            await audit(caller, PLACE, params, "venue_rejected", reason=rejection.reason)
            raise venue_rejected(rejection)
        oid = ack.oid

        def record() -> None:  # one worker-thread hop for both writes
            try:
                deps.store.record_order(venue.name, venue.account, prepared.store_request(), ack, now)
            except Exception as exc:  # the order is live: REST reconciliation still finds its fills
                log.error("order_record_failed", venue=venue.name, oid=oid, error_type=type(exc).__name__)
            try:  # a 5xx here would invite a retry, i.e. a second live order: answer 201 and log loudly
                repo.audit(
                    caller.actor, PLACE, caller.vault, params, "accepted", now, oid=oid, status=ack.status
                )
            except Exception as exc:
                log.error("order_audit_failed", venue=venue.name, oid=oid, error_type=type(exc).__name__)

        await to_thread.run_sync(record)
        return OrderOut(
            vault=caller.vault,
            oid=ack.oid,
            status="filled" if ack.status == "filled" else "resting",
            filled_size=dec_str(ack.filled_sz),
            avg_px=dec_str(ack.avg_px) if ack.avg_px is not None else None,
            cloid=body.cloid,
            sent=prepared.wire,
            risk=prepared.risk,
        )

    @router.delete("/vaults/{vault}/orders/{oid}", response_model=CancelOut)
    @declares(404, 409, 503)
    async def cancel_order(caller: Trader, oid: Annotated[int, Path(ge=0, le=2**63 - 1)]) -> CancelOut:
        venue = venue_of(caller)
        params = {"vault": caller.vault, "oid": oid}
        stored = await to_thread.run_sync(deps.store.order, venue.name, oid)
        coin = stored.coin if stored is not None and stored.account == venue.account else None
        try:
            if coin is None:
                coin = next((o.coin for o in await venue.open_orders() if o.oid == oid), None)
            if coin is None:
                raise NotFound("no such order for this vault", details={"oid": oid})
            ok = await venue.cancel_order(coin, oid)
        except NotFound:
            raise
        except Exception as exc:
            log.warning("venue_cancel_failed", venue=venue.name, error_type=type(exc).__name__)
            await audit(caller, CANCEL, params, "venue_unavailable")
            raise venue_unavailable() from exc
        if not ok:
            await audit(caller, CANCEL, params, "not_open")
            raise conflict(
                "venue.order_not_open", "order is not open (filled, canceled or triggered)", oid=oid
            )
        await to_thread.run_sync(deps.store.mark_canceled, venue.name, oid, deps.now_ms())
        await audit(caller, CANCEL, params, "canceled", coin=coin)
        return CancelOut(vault=caller.vault, oid=oid, status="canceled")

    @router.get("/vaults/{vault}/orders/open", response_model=list[OpenOrderOut])
    @declares(404, 503)
    async def open_orders(caller: Trader) -> list[OpenOrderOut]:
        """Open orders as the venue reports them now (resting limits and untriggered TP/SL)."""
        venue = venue_of(caller)
        try:
            orders = await venue.open_orders()
        except Exception as exc:
            log.warning("venue_read_failed", venue=venue.name, error_type=type(exc).__name__)
            raise venue_unavailable() from exc
        return [_open_out(o) for o in orders]

    @router.get("/vaults/{vault}/exec/positions", response_model=list[PositionOut])
    @declares(404)
    async def positions(caller: Trader) -> list[PositionOut]:
        """Positions as mirrored in the keeper store (derived from ingested fills)."""
        venue = venue_of(caller)
        rows = await to_thread.run_sync(repo.positions, venue.name, venue.account)
        return [
            PositionOut(
                coin=p.coin,
                szi=_signed(p.szi),
                realized_pnl=_signed(p.realized_pnl),
                fees=_signed(p.fees),
                fill_count=p.fill_count,
                last_fill_ms=p.last_fill_ms,
            )
            for p in rows
        ]

    @router.get("/vaults/{vault}/exec/fills", response_model=list[FillOut])
    @declares(404)
    async def fills(
        caller: Trader,
        response: Response,
        since_ms: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
        after_id: Annotated[int, Query(ge=0, le=2**63 - 1, description="Cursor: X-Next-After-Id")] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[FillOut]:
        """Fills in the keeper store, oldest first; page with `after_id` = the `X-Next-After-Id` header."""
        venue = venue_of(caller)
        rows = await to_thread.run_sync(
            lambda: repo.fills(venue.name, venue.account, after_id=after_id, since_ms=since_ms, limit=limit)
        )
        if rows:
            response.headers["X-Next-After-Id"] = str(rows[-1].id)
        return [fill_out(f) for f in rows]

    return router


def _signed(value: int) -> str:
    return dec_str(value) if value >= 0 else "-" + dec_str(-value)


def fill_out(f: Any) -> FillOut:
    return FillOut(
        tid=f.tid,
        oid=f.oid,
        coin=f.coin,
        side="buy" if f.is_buy else "sell",
        px=dec_str(f.px),
        size=dec_str(f.sz),
        fee=_signed(f.fee),
        closed_pnl=_signed(f.closed_pnl),
        time_ms=f.time_ms,
        cloid=f.cloid,
    )
