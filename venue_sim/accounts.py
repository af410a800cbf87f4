"""Cross-margin accounts: USDC cash, one-way positions with entry prices, leverage, margin and fees.

Ledger identity (tested): cash == deposits + sum(closedPnl) - sum(fee) over the account's fills, exactly,
because closed PnL and fees are rounded to micro-USDC *before* they are booked and reported.
Account value = cash + unrealised PnL at the mids. There are no liquidations and no funding payments.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from venue_sim.numbers import PX_INTERNAL_QUANTUM, usd
from venue_sim.orders import Order

ZERO = Decimal(0)


@dataclass
class Position:
    szi: Decimal  # signed size: > 0 long, < 0 short
    entry_px: Decimal


@dataclass(frozen=True)
class FillEffect:
    start_position: Decimal
    direction: str
    closed_pnl: Decimal


def _sign(x: Decimal) -> int:
    return (x > 0) - (x < 0)


def direction(start: Decimal, delta: Decimal) -> str:
    """The venue's `dir` label for a fill of signed size `delta` starting from position `start`."""
    end = start + delta
    if start == 0 or _sign(start) == _sign(delta):
        return "Open Long" if delta > 0 else "Open Short"
    if start > 0:
        return "Close Long" if end >= 0 else "Long > Short"
    return "Close Short" if end <= 0 else "Short > Long"


@dataclass
class Account:
    address: str
    cash: Decimal = ZERO
    deposits: Decimal = ZERO
    positions: dict[str, Position] = field(default_factory=dict)
    leverage: dict[str, int] = field(default_factory=dict)

    def clone(self) -> Account:
        return copy.deepcopy(self)

    def szi(self, coin: str) -> Decimal:
        pos = self.positions.get(coin)
        return pos.szi if pos else ZERO

    def leverage_for(self, coin: str, default: int, max_leverage: int) -> int:
        return self.leverage.get(coin, min(default, max_leverage))

    def deposit(self, amount: Decimal) -> None:
        self.cash += amount
        self.deposits += amount

    def withdraw(self, amount: Decimal) -> None:
        """`deposits` is net of withdrawals, so the ledger identity above still holds."""
        self.cash -= amount
        self.deposits -= amount

    def apply_fill(self, coin: str, is_buy: bool, px: Decimal, sz: Decimal, fee: Decimal) -> FillEffect:
        pos = self.positions.get(coin)
        start = pos.szi if pos else ZERO
        entry = pos.entry_px if pos else ZERO
        delta = sz if is_buy else -sz
        closed_pnl = ZERO
        if start != 0 and _sign(start) != _sign(delta):
            closing = min(abs(start), sz)
            closed_pnl = usd((px - entry) * closing * _sign(start))
        end = start + delta
        if end == 0:
            self.positions.pop(coin, None)
        elif start == 0 or _sign(start) == _sign(delta):
            # Increasing: size-weighted average entry, kept finer than any tick.
            new_entry = (abs(start) * entry + sz * px) / (abs(start) + sz)
            self.positions[coin] = Position(end, new_entry.quantize(PX_INTERNAL_QUANTUM, ROUND_HALF_EVEN))
        elif _sign(end) == _sign(start):
            self.positions[coin] = Position(end, entry)  # partial close keeps the entry
        else:
            self.positions[coin] = Position(end, px)  # flip: the remainder opened at this fill's price
        self.cash += closed_pnl - fee
        return FillEffect(start, direction(start, delta), closed_pnl)

    # --- valuation -------------------------------------------------------------------------------------

    def unrealized_pnl(self, coin: str, mid: Decimal) -> Decimal:
        pos = self.positions.get(coin)
        return pos.szi * (mid - pos.entry_px) if pos else ZERO

    def account_value(self, mids: Mapping[str, Decimal]) -> Decimal:
        return self.cash + sum((self.unrealized_pnl(c, mids[c]) for c in self.positions), ZERO)

    def notional(self, mids: Mapping[str, Decimal]) -> Decimal:
        return sum((abs(p.szi) * mids[c] for c, p in self.positions.items()), ZERO)


@dataclass(frozen=True)
class MarginParams:
    """What margin maths needs per coin, resolved from config (kept separate so accounts stay config-free)."""

    default_leverage: int
    max_leverage: Mapping[str, int]


def position_margin(account: Account, coin: str, mid: Decimal, params: MarginParams) -> Decimal:
    pos = account.positions.get(coin)
    if not pos:
        return ZERO
    lev = account.leverage_for(coin, params.default_leverage, params.max_leverage[coin])
    return abs(pos.szi) * mid / lev


def margin_used(account: Account, mids: Mapping[str, Decimal], params: MarginParams) -> Decimal:
    return sum((position_margin(account, c, mids[c], params) for c in account.positions), ZERO)


def maintenance_margin(account: Account, mids: Mapping[str, Decimal], params: MarginParams) -> Decimal:
    # The venue's maintenance margin is half the initial margin at maximum leverage.
    return sum(
        (abs(p.szi) * mids[c] / (2 * params.max_leverage[c]) for c, p in account.positions.items()), ZERO
    )


def margin_requirement(
    account: Account, open_orders: Iterable[Order], mids: Mapping[str, Decimal], params: MarginParams
) -> Decimal:
    """Initial margin for positions *and* open orders, as if every open order on the worse side filled.

    Per coin the worst case is max(|pos + open buys|, |pos - open sells|); reduce-only orders never add
    exposure and are ignored. Valued at the mid, divided by the account's leverage for that coin.
    """
    buys: dict[str, Decimal] = {}
    sells: dict[str, Decimal] = {}
    for order in open_orders:
        if order.reduce_only:
            continue
        book = buys if order.is_buy else sells
        book[order.coin] = book.get(order.coin, ZERO) + order.remaining
    total = ZERO
    for coin in set(account.positions) | set(buys) | set(sells):
        pos = account.szi(coin)
        worst = max(abs(pos + buys.get(coin, ZERO)), abs(pos - sells.get(coin, ZERO)))
        lev = account.leverage_for(coin, params.default_leverage, params.max_leverage[coin])
        total += worst * mids[coin] / lev
    return total
