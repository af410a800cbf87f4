"""Matching engine: order placement, cancels, leverage, and the per-tick work (triggers, resting fills).

Every state change is "try on a copy, check margin, commit": an execution is applied to a clone of the
account, the margin requirement (positions + remaining open orders) is compared with the clone's account
value, and only then are liquidity, ids, fills and the account swapped in. A rejected order therefore
leaves no trace, and an accepted one never leaves the account over its initial margin at the current mids.

Users' orders do not match each other: the counterparty is always the synthetic book (see book.py).
Events (fills, order updates) are queued in an outbox the caller drains after each operation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from typing import Any

from eth_utils import keccak

from venue_sim import render
from venue_sim.accounts import Account, FillEffect, MarginParams, margin_requirement
from venue_sim.book import SyntheticBook, Take
from venue_sim.config import InstrumentConfig, SimConfig
from venue_sim.fills import Fill, FillLog, IdSource
from venue_sim.numbers import is_valid_price, is_valid_size, round_price, usd, wire
from venue_sim.orders import Order, OrderRejected, OrderRequest, Status
from venue_sim.prices import Market

ZERO = Decimal(0)
_BPS = Decimal(10_000)

# Venue error strings (the venue appends " asset=<id>").
ERR_TICK = "Price must be divisible by tick size."
ERR_SIZE = "Order has invalid size."
ERR_MIN_NTL = "Order must have minimum value of ${min}."
ERR_MARGIN = "Insufficient margin to place order."
ERR_REDUCE_ONLY = "Reduce only order would increase position."
ERR_ALO = "Post only order would have immediately matched, bbo was {bid}@{ask}."
ERR_IOC = "Order could not immediately match against any resting orders."
ERR_ASSET = "Order has invalid asset."
ERR_MISSING = "Order was never placed, already canceled, or filled."


@dataclass
class Outbox:
    """Events produced by one operation, grouped per user (one WS message per user and channel)."""

    fills: dict[str, list[Fill]] = field(default_factory=dict)
    order_updates: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add_fill(self, f: Fill) -> None:
        self.fills.setdefault(f.user, []).append(f)

    def add_update(self, o: Order) -> None:
        self.order_updates.setdefault(o.user, []).append(render.order_update(o))


@dataclass(frozen=True)
class _Trial:
    account: Account
    executions: list[tuple[Decimal, Decimal, Decimal, FillEffect]]  # px, sz, fee, effect


class Engine:
    def __init__(
        self,
        config: Callable[[], SimConfig],
        market: Market,
        book: SyntheticBook,
        ids: IdSource,
    ) -> None:
        self._config = config
        self.market = market
        self.book = book
        self.ids = ids
        self.accounts: dict[str, Account] = {}
        self.orders: dict[int, Order] = {}  # every accepted order, open or closed
        self.open: dict[int, Order] = {}  # open orders in oid (= time) priority
        self.cloids: dict[tuple[str, str], int] = {}
        self.fills = FillLog()
        self.outbox = Outbox()

    # --- helpers ---------------------------------------------------------------------------------------

    def margin_params(self) -> MarginParams:
        cfg = self._config()
        return MarginParams(cfg.default_leverage, {s.name: s.max_leverage for s in cfg.instruments})

    def spec(self, coin: str) -> InstrumentConfig:
        return next(s for s in self._config().instruments if s.name == coin)

    def drain(self) -> Outbox:
        out, self.outbox = self.outbox, Outbox()
        return out

    def account(self, user: str) -> Account | None:
        return self.accounts.get(user)

    def open_orders(self, user: str) -> list[Order]:
        return [o for o in self.open.values() if o.user == user]

    def order_by_oid(self, user: str, oid: int) -> Order | None:
        order = self.orders.get(oid)
        return order if order is not None and order.user == user else None

    def order_by_cloid(self, user: str, cloid: str) -> Order | None:
        oid = self.cloids.get((user, cloid.lower()))
        return self.orders.get(oid) if oid is not None else None

    def fund(self, user: str, amount: Decimal) -> Account:
        account = self.accounts.setdefault(user, Account(address=user))
        account.deposit(amount)
        return account

    def touch(self, spec: InstrumentConfig, mid: Decimal) -> tuple[Decimal, Decimal]:
        """The synthetic maker's best bid/ask ignoring this tick's consumption (what resting orders face)."""
        half = self._config().half_spread_bps / _BPS
        bid = round_price(mid * (1 - half), spec.sz_decimals, ROUND_DOWN) if half < 1 else mid
        ask = round_price(mid * (1 + half), spec.sz_decimals, ROUND_UP)
        return bid, ask

    # --- placement -------------------------------------------------------------------------------------

    def place(self, user: str, req: OrderRequest, now: int, tx_hash: str) -> dict[str, Any]:
        """Place one order; returns its entry of the `statuses` array."""
        coin = self.market.coins_by_asset.get(req.asset)
        try:
            if coin is None:
                raise OrderRejected(ERR_ASSET)
            return self._place(user, coin, req, now, tx_hash)
        except OrderRejected as exc:
            return {"error": f"{exc} asset={req.asset}"}

    def _place(self, user: str, coin: str, req: OrderRequest, now: int, tx_hash: str) -> dict[str, Any]:
        cfg = self._config()
        spec = self.spec(coin)
        account = self.accounts[user]
        if not is_valid_size(req.sz, spec.sz_decimals):
            raise OrderRejected(ERR_SIZE)
        if not is_valid_price(req.limit_px, spec.sz_decimals):
            raise OrderRejected(ERR_TICK)
        if req.trigger is not None and not is_valid_price(req.trigger.trigger_px, spec.sz_decimals):
            raise OrderRejected(ERR_TICK)
        pos = account.szi(coin)
        if req.reduce_only and (pos == 0 or (pos > 0) == req.is_buy):
            raise OrderRejected(ERR_REDUCE_ONLY)
        if not req.reduce_only and req.sz * req.limit_px < cfg.min_order_notional_usd:
            raise OrderRejected(ERR_MIN_NTL.format(min=wire(cfg.min_order_notional_usd).removesuffix(".0")))
        order = Order(
            oid=0,  # assigned only once accepted, like the venue (rejections carry no oid)
            user=user,
            coin=coin,
            asset=req.asset,
            is_buy=req.is_buy,
            limit_px=req.limit_px,
            orig_sz=req.sz,
            remaining=req.sz,
            reduce_only=req.reduce_only,
            tif=req.tif,
            trigger=req.trigger,
            cloid=req.cloid,
            timestamp=now,
            status_ts=now,
        )
        if order.trigger is not None:
            if self._attempt(order, [], crossed=False, rests_after=True) is None:
                raise OrderRejected(ERR_MARGIN)
            self._accept(order)
            self._rest(order, now)
            status = self._resting_status(order)
            # A trigger whose condition already holds fires at once rather than waiting for the next tick.
            if order.trigger_fires(self.market.mid(coin)):
                self._fire_trigger(order, now, tx_hash)
            return status

        mid = self.market.mid(coin)
        if order.tif == "Alo":
            bid, ask = self.touch(spec, mid)
            if (order.is_buy and order.limit_px >= ask) or (not order.is_buy and order.limit_px <= bid):
                raise OrderRejected(ERR_ALO.format(bid=wire(bid), ask=wire(ask)))
            takes: list[Take] = []
        else:
            takes = self.book.quote(spec, mid, order.is_buy, order.limit_px, self._executable(order), cfg)
        if order.tif == "Ioc" and not takes:
            raise OrderRejected(ERR_IOC)
        rests = order.tif != "Ioc"
        trial = self._attempt(order, [(t.px, t.sz) for t in takes], crossed=True, rests_after=rests)
        if trial is None:
            raise OrderRejected(ERR_MARGIN)
        self._accept(order)
        self.book.consume(coin, order.is_buy, takes)
        self._commit(order, trial, now, tx_hash, crossed=True)
        return self._finish_taker(order, now, rests)

    def _executable(self, order: Order) -> Decimal:
        """Size that may execute now: reduce-only orders are clipped to the position they reduce."""
        if not order.reduce_only:
            return order.remaining
        pos = self.accounts[order.user].szi(order.coin)
        if pos == 0 or (pos > 0) == order.is_buy:
            return ZERO
        return min(order.remaining, abs(pos))

    def _attempt(
        self, order: Order, executions: list[tuple[Decimal, Decimal]], crossed: bool, rests_after: bool
    ) -> _Trial | None:
        """Apply executions to a copy of the account; None if the result breaches initial margin."""
        cfg = self._config()
        params = self.margin_params()
        mids = self.market.mids()
        account = self.accounts[order.user]
        others = [o for o in self.open.values() if o.user == order.user and o.oid != order.oid]
        current = others + ([order] if order.oid in self.open else [])
        before = margin_requirement(account, current, mids, params)
        trial = account.clone()
        rate = cfg.taker_fee_rate if crossed else cfg.maker_fee_rate
        done: list[tuple[Decimal, Decimal, Decimal, FillEffect]] = []
        filled = ZERO
        for px, sz in executions:
            fee = usd(px * sz * rate)
            done.append((px, sz, fee, trial.apply_fill(order.coin, order.is_buy, px, sz, fee)))
            filled += sz
        remaining = order.remaining - filled
        resting = [replace(order, remaining=remaining)] if rests_after and remaining > 0 else []
        after = margin_requirement(trial, others + resting, mids, params)
        # Accept when within margin, or when the change strictly lowers the requirement (closing trades
        # must stay possible for an account that price moves pushed under water).
        if after > trial.account_value(mids) and after >= before:
            return None
        return _Trial(trial, done)

    def _accept(self, order: Order) -> None:
        if order.oid == 0:
            order.oid = self.ids.oid()
            self.orders[order.oid] = order
            if order.cloid is not None:
                self.cloids[(order.user, order.cloid)] = order.oid

    def _commit(self, order: Order, trial: _Trial, now: int, tx_hash: str, crossed: bool) -> None:
        self.accounts[order.user] = trial.account
        for px, sz, fee, effect in trial.executions:
            tid = self.ids.tid()
            f = Fill(
                user=order.user,
                coin=order.coin,
                px=px,
                sz=sz,
                is_buy=order.is_buy,
                time=now,
                start_position=effect.start_position,
                direction=effect.direction,
                closed_pnl=effect.closed_pnl,
                hash=tx_hash or _synthetic_hash(tid),
                oid=order.oid,
                crossed=crossed,
                fee=fee,
                tid=tid,
                cloid=order.cloid,
            )
            self.fills.append(f)
            self.outbox.add_fill(f)
            order.remaining -= sz
            order.filled_sz += sz
            order.filled_notional += px * sz

    def _rest(self, order: Order, now: int) -> None:
        order.status, order.status_ts = Status.OPEN, now
        self.open[order.oid] = order
        self.outbox.add_update(order)

    def _close(self, order: Order, status: Status, now: int) -> None:
        order.status, order.status_ts = status, now
        self.open.pop(order.oid, None)
        self.outbox.add_update(order)

    def _resting_status(self, order: Order) -> dict[str, Any]:
        body: dict[str, Any] = {"oid": order.oid}
        if order.cloid is not None:
            body["cloid"] = order.cloid
        return {"resting": body}

    def _finish_taker(self, order: Order, now: int, rests: bool) -> dict[str, Any]:
        """Settle the order after its taker leg: filled, resting remainder, or IOC remainder canceled."""
        if order.remaining == 0:
            self._close(order, Status.FILLED, now)
        elif order.reduce_only and self._executable(order) == 0:
            self._close(order, Status.REDUCE_ONLY_CANCELED, now)
        elif rests:
            self._rest(order, now)
            return self._resting_status(order)
        else:
            self._close(order, Status.CANCELED, now)  # IOC remainder
        if order.filled_sz == 0:
            return {"error": f"{ERR_IOC} asset={order.asset}"}
        body: dict[str, Any] = {
            "totalSz": wire(order.filled_sz),
            "avgPx": wire((order.filled_notional / order.filled_sz).quantize(Decimal("1e-8")).normalize()),
            "oid": order.oid,
        }
        if order.cloid is not None:
            body["cloid"] = order.cloid
        return {"filled": body}

    # --- cancels and leverage --------------------------------------------------------------------------

    def cancel(self, user: str, asset: int, oid: int, now: int) -> str | dict[str, str]:
        order = self.open.get(oid)
        if order is None or order.user != user or order.asset != asset:
            return {"error": f"{ERR_MISSING} asset={asset}"}
        self._close(order, Status.CANCELED, now)
        return "success"

    def cancel_by_cloid(self, user: str, asset: int, cloid: str, now: int) -> str | dict[str, str]:
        oid = self.cloids.get((user, cloid.lower()))
        if oid is None:
            return {"error": f"{ERR_MISSING} asset={asset}"}
        return self.cancel(user, asset, oid, now)

    def update_leverage(self, user: str, asset: int, is_cross: bool, leverage: int) -> str | None:
        """Returns an error string, or None when applied."""
        coin = self.market.coins_by_asset.get(asset)
        if coin is None:
            return f"Invalid asset {asset}"
        if not is_cross:
            return "Isolated margin is not supported by the venue simulator; use isCross=true."
        max_lev = self.spec(coin).max_leverage
        if not 1 <= leverage <= max_lev:
            return f"Invalid leverage value {leverage}: must be between 1 and {max_lev} for {coin}."
        params = self.margin_params()
        mids = self.market.mids()
        account = self.accounts[user]
        orders = self.open_orders(user)
        before = margin_requirement(account, orders, mids, params)
        trial = account.clone()
        trial.leverage[coin] = leverage
        after = margin_requirement(trial, orders, mids, params)
        if after > trial.account_value(mids) and after > before:
            return "Insufficient margin to change leverage."
        self.accounts[user] = trial
        return None

    # --- the clock ---------------------------------------------------------------------------------------

    def on_tick(self, now: int) -> None:
        """Fire triggers and fill resting limits the price path has crossed, in oid (time) priority."""
        for order in list(self.open.values()):
            if order.status is not Status.OPEN:
                continue
            spec = self.spec(order.coin)
            mid = self.market.mid(order.coin)
            if order.is_waiting_trigger:
                if order.trigger_fires(mid):
                    self._fire_trigger(order, now, "")
                continue
            bid, ask = self.touch(spec, mid)
            crossed = order.limit_px >= ask if order.is_buy else order.limit_px <= bid
            if crossed:
                self._fill_resting(order, now)

    def _fill_resting(self, order: Order, now: int) -> None:
        """The synthetic maker trades the whole executable size at the resting order's own price."""
        size = self._executable(order)
        if size == 0:
            self._close(order, Status.REDUCE_ONLY_CANCELED, now)
            return
        trial = self._attempt(order, [(order.limit_px, size)], crossed=False, rests_after=True)
        if trial is None:
            self._close(order, Status.MARGIN_CANCELED, now)
            return
        self._commit(order, trial, now, "", crossed=False)
        if order.remaining == 0:
            self._close(order, Status.FILLED, now)
        elif order.reduce_only:
            self._close(order, Status.REDUCE_ONLY_CANCELED, now)  # the position it reduced is gone

    def _fire_trigger(self, order: Order, now: int, tx_hash: str) -> None:
        cfg = self._config()
        spec = self.spec(order.coin)
        order.triggered = True
        order.status, order.status_ts = Status.TRIGGERED, now
        self.outbox.add_update(order)
        mid = self.market.mid(order.coin)
        if order.trigger is not None and order.trigger.is_market:
            slip = cfg.trigger_market_slippage
            if order.is_buy:
                bound = round_price(mid * (1 + slip), spec.sz_decimals, ROUND_UP)
            else:
                bound = round_price(mid * (1 - slip), spec.sz_decimals, ROUND_DOWN)
            rests = False
        else:
            bound = order.limit_px
            rests = True
        size = self._executable(order)
        takes = self.book.quote(spec, mid, order.is_buy, bound, size, cfg) if size > 0 else []
        trial = self._attempt(order, [(t.px, t.sz) for t in takes], crossed=True, rests_after=rests)
        if trial is None:
            self._close(order, Status.MARGIN_CANCELED, now)
            return
        self.book.consume(order.coin, order.is_buy, takes)
        self._commit(order, trial, now, tx_hash, crossed=True)
        if order.remaining == 0:
            self._close(order, Status.FILLED, now)
        elif order.reduce_only and self._executable(order) == 0:
            self._close(order, Status.REDUCE_ONLY_CANCELED, now)
        elif rests:
            self._rest(order, now)
        else:
            self._close(order, Status.CANCELED, now)


def _synthetic_hash(tid: int) -> str:
    """Fills caused by the clock (resting or triggered orders) have no client transaction; give them a
    stable pseudo hash so the field keeps its 32-byte shape."""
    return "0x" + keccak(f"venue-sim-fill:{tid}".encode()).hex()
