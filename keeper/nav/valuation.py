"""Venue account -> position-tree rows in the vault asset's units. Integer math only.

Per instrument: unrealised PnL = size x (mark - entry) at the keeper's mark. A gain is leaf equity, a loss
leaf debt. The cash leaf (`USDC`) holds the account value minus the PnL of the open positions, so the leaves
sum to the venue's account value. Converting 1e8 units to the asset's decimals rounds equity down and debt
up: the reported NAV never exceeds what the account holds (the vault's side of every rounding).
"""

from __future__ import annotations

from dataclasses import dataclass

from keeper.money import SCALE
from keeper.venues.base import AccountState
from zk.abi import bytes32_from_text

CASH = "USDC"
CUSTODY = "CUSTODY"  # the vault asset held on-chain by custody accounts (in transit to or from the venue)


class ValuationError(ValueError):
    """The venue state cannot be valued (a position without a mark, a negative account)."""


@dataclass(frozen=True)
class PositionRow:
    instrument: bytes
    size: int  # 1e8, signed
    mark_price: int  # 1e8
    equity: int  # asset units
    debt: int  # asset units


@dataclass(frozen=True)
class Valuation:
    rows: list[PositionRow]
    account_value: int  # 1e8 USDC as the venue reports it

    @property
    def equity(self) -> int:
        return sum(r.equity for r in self.rows)

    @property
    def debt(self) -> int:
        return sum(r.debt for r in self.rows)

    @property
    def external_assets(self) -> int:
        return self.equity - self.debt


def _to_asset(amount_1e8: int, decimals: int, round_up: bool) -> int:
    if decimals >= 8:
        return amount_1e8 * 10 ** (decimals - 8)
    div = 10 ** (8 - decimals)
    return -(-amount_1e8 // div) if round_up else amount_1e8 // div


def _split(amount_1e8: int, decimals: int) -> tuple[int, int]:
    """(equity, debt) in asset units: gains round down, losses round up."""
    if amount_1e8 >= 0:
        return _to_asset(amount_1e8, decimals, round_up=False), 0
    return 0, _to_asset(-amount_1e8, decimals, round_up=True)


def value_account(state: AccountState, marks: dict[str, int], asset_decimals: int,
                  in_custody: int = 0) -> Valuation:
    """`in_custody` is already in asset units (an on-chain balance), so it needs no rounding."""
    rows: list[PositionRow] = []
    pnl_total = 0
    for coin in sorted(state.positions):
        pos = state.positions[coin]
        if pos.szi == 0:
            continue
        if coin not in marks:
            raise ValuationError(f"no mark for {coin}")
        mark = marks[coin]
        pnl = pos.szi * (mark - pos.entry_px) // SCALE  # floor: a fractional unit of gain is not counted
        pnl_total += pnl
        equity, debt = _split(pnl, asset_decimals)
        rows.append(PositionRow(bytes32_from_text(coin), pos.szi, mark, equity, debt))
    cash = state.account_value - pnl_total
    equity, debt = _split(cash, asset_decimals)
    rows.append(PositionRow(bytes32_from_text(CASH), cash, SCALE, equity, debt))
    if in_custody:
        rows.append(PositionRow(bytes32_from_text(CUSTODY), in_custody, SCALE, in_custody, 0))
    valuation = Valuation(rows, state.account_value)
    if valuation.external_assets < 0:
        raise ValuationError(f"account value is negative: {state.account_value} (1e8 USDC)")
    return valuation
