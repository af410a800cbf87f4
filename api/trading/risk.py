"""The pure risk checker: template + positions + marks + one order -> accept, or the exact limit hit.

Integer math only. Prices and sizes are ints scaled by 1e8 (`keeper.money.SCALE`); notionals are USDC
scaled by 1e8 and rounded *up* (against the order), so an order is never accepted because of rounding.

Reference price of an order (what its notional is valued at, the worst case it can execute at):
  market   max(mark, mark * (1 + slippage)) for a buy, mark for a sell (a sell executes at or below mark)
  limit    max(mark, limit_px)
  trigger  max(mark, trigger_px, limit_px)

Checks, in this order; the first that fails is the rejection (`code`, `limit`, `attempted`):
  risk.instrument_not_allowed   coin not in the template (reduce-only orders may always exit)
  risk.no_mark                  no positive mark for the coin
  risk.max_leverage             the order's leverage preset above the template's
  risk.max_slippage             market: slippage bps above the limit; limit: limit price further through
                                the mark than the limit (buy above / sell below, in bps rounded up);
                                trigger with a limit price: that price further through the trigger price
  risk.max_order_notional       sz * reference price
  risk.max_position_notional    |position after the order| * reference price, when the order grows the
                                position (reduce-only and reducing orders pass, so exits stay possible)
  risk.max_leverage             gross notional after the order (all coins at marks, this coin at its
                                reference price) above max_leverage * account value, when it grows
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from keeper.money import SCALE

BPS = 10_000
OrderKind = Literal["market", "limit", "trigger"]


def ceil_div(a: int, b: int) -> int:
    """Ceiling of a / b for b > 0 (any sign of a)."""
    return -(-a // b)


def notional(sz: int, px: int) -> int:
    """|sz| * px in USDC 1e8, rounded up."""
    return ceil_div(abs(sz) * px, SCALE)


@dataclass(frozen=True, slots=True)
class Limits:
    """A vault's risk template in checker units (USDC 1e8, whole leverage, bps)."""

    allowed_instruments: frozenset[str]
    max_position_notional: int
    max_order_notional: int
    max_leverage: int
    max_slippage_bps: int


@dataclass(frozen=True, slots=True)
class OrderIntent:
    coin: str
    is_buy: bool
    sz: int  # 1e8, > 0
    kind: OrderKind
    limit_px: int | None = None  # 1e8; limit orders, optional for triggers
    trigger_px: int | None = None  # 1e8; trigger orders
    reduce_only: bool = False
    slippage_bps: int = 0  # market orders
    leverage: int | None = None  # leverage preset to set before placing

    @property
    def signed_sz(self) -> int:
        return self.sz if self.is_buy else -self.sz


@dataclass(frozen=True, slots=True)
class MarketView:
    positions: Mapping[str, int]  # coin -> signed size (szi), 1e8
    marks: Mapping[str, int]  # coin -> mark price, 1e8
    account_value: int  # USDC 1e8


@dataclass(frozen=True, slots=True)
class Rejection:
    code: str
    message: str
    coin: str
    limit: int | str | list[str]
    attempted: int | str
    unit: str  # what limit/attempted are measured in: usd_1e8 | bps | x | coin

    def details(self) -> dict[str, object]:
        return {
            "reason": self.code,
            "coin": self.coin,
            "limit": self.limit,
            "attempted": self.attempted,
            "unit": self.unit,
        }


def reference_px(order: OrderIntent, mark: int) -> int:
    if order.kind == "market":
        return ceil_div(mark * (BPS + order.slippage_bps), BPS) if order.is_buy else mark
    candidates = [mark]
    if order.limit_px is not None:
        candidates.append(order.limit_px)
    if order.kind == "trigger" and order.trigger_px is not None:
        candidates.append(order.trigger_px)
    return max(candidates)


def slippage_bps(order: OrderIntent, mark: int) -> int:
    """How far (bps, rounded up) the order may execute through its anchor; <= 0 when it cannot."""
    if order.kind == "market":
        return order.slippage_bps
    if order.limit_px is None:
        return 0  # market trigger: executes at the venue's trigger bound (not client-controlled)
    anchor = mark if order.kind == "limit" else order.trigger_px
    if anchor is None or anchor <= 0:
        return 0
    through = order.limit_px - anchor if order.is_buy else anchor - order.limit_px
    return ceil_div(through * BPS, anchor)


def _leverage_str(gross: int, equity: int) -> str:
    if equity <= 0:
        return "unbounded"
    hundredths = ceil_div(gross * 100, equity)
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def check_order(limits: Limits, order: OrderIntent, view: MarketView) -> Rejection | None:
    """None when the order is within every limit, else the first limit it breaks (see module doc)."""
    coin = order.coin
    if not order.reduce_only and coin not in limits.allowed_instruments:
        return Rejection(
            "risk.instrument_not_allowed",
            f"{coin} is not an allowed instrument for this vault",
            coin,
            sorted(limits.allowed_instruments),
            coin,
            "coin",
        )
    mark = view.marks.get(coin, 0)
    if mark <= 0:
        return Rejection(
            "risk.no_mark", f"no mark price for {coin}", coin, "a positive mark", mark, "usd_1e8"
        )
    if order.leverage is not None and order.leverage > limits.max_leverage:
        return Rejection(
            "risk.max_leverage",
            "leverage preset above the vault's maximum",
            coin,
            limits.max_leverage,
            order.leverage,
            "x",
        )
    slip = slippage_bps(order, mark)
    if slip > limits.max_slippage_bps:
        return Rejection(
            "risk.max_slippage",
            "price is further from the mark than the vault allows",
            coin,
            limits.max_slippage_bps,
            slip,
            "bps",
        )
    ref = reference_px(order, mark)
    order_ntl = notional(order.sz, ref)
    if order_ntl > limits.max_order_notional:
        return Rejection(
            "risk.max_order_notional",
            "order notional above the vault's maximum",
            coin,
            limits.max_order_notional,
            order_ntl,
            "usd_1e8",
        )
    if order.reduce_only:
        return None
    before = view.positions.get(coin, 0)
    after = before + order.signed_sz
    grows = abs(after) > abs(before)
    if not grows:
        return None
    pos_ntl = notional(after, ref)
    if pos_ntl > limits.max_position_notional:
        return Rejection(
            "risk.max_position_notional",
            "position notional after the order above the vault's maximum",
            coin,
            limits.max_position_notional,
            pos_ntl,
            "usd_1e8",
        )
    gross_before = sum(notional(szi, view.marks.get(c, 0)) for c, szi in view.positions.items())
    gross_after = gross_before - notional(before, mark) + pos_ntl
    equity = view.account_value
    if gross_after > gross_before and (equity <= 0 or gross_after > limits.max_leverage * equity):
        return Rejection(
            "risk.max_leverage",
            "gross leverage after the order above the vault's maximum",
            coin,
            limits.max_leverage,
            _leverage_str(gross_after, equity),
            "x",
        )
    return None
