"""Valuation money math: integer only, leaves sum to the account, rounding never overstates the NAV."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keeper.money import SCALE
from keeper.nav.valuation import ValuationError, value_account
from keeper.venues.base import AccountState, VenuePosition

COINS = ("BTC", "ETH", "SOL")
sizes = st.integers(-(10**12), 10**12)
prices = st.integers(1, 10**14)


def state(account_value: int, positions: dict[str, tuple[int, int]]) -> AccountState:
    return AccountState(
        account_value, {c: VenuePosition(c, szi, px) for c, (szi, px) in positions.items()}, 0
    )


@given(
    account_value=st.integers(0, 10**16),
    positions=st.dictionaries(st.sampled_from(COINS), st.tuples(sizes, prices), max_size=3),
    marks=st.fixed_dictionaries({c: prices for c in COINS}),
    decimals=st.sampled_from([6, 8, 18]),
)
def test_nav_never_exceeds_the_account_and_misses_it_by_less_than_one_unit_per_leaf(
    account_value: int, positions: dict[str, tuple[int, int]], marks: dict[str, int], decimals: int
) -> None:
    try:
        valuation = value_account(state(account_value, positions), marks, decimals)
    except ValuationError:
        return  # a negative account is refused, never reported
    exact_assets = account_value * 10**decimals  # in asset units x 1e8
    reported = valuation.external_assets * SCALE
    assert reported <= exact_assets
    # each leaf loses < 1 asset unit to rounding, and each PnL floor < 1e-8 USDC
    assert exact_assets - reported < len(valuation.rows) * (SCALE + 10**decimals)
    assert valuation.equity - valuation.debt == valuation.external_assets
    assert all(r.equity == 0 or r.debt == 0 for r in valuation.rows)


def test_losing_position_is_debt_and_cash_carries_the_rest() -> None:
    # long 2 BTC from 60,000 marked at 59,000: -2,000 USDC of PnL; account value 8,000
    valuation = value_account(
        state(8_000 * SCALE, {"BTC": (2 * SCALE, 60_000 * SCALE)}), {"BTC": 59_000 * SCALE}, 6
    )
    btc, cash = valuation.rows
    assert (btc.equity, btc.debt) == (0, 2_000 * 10**6)
    assert (cash.equity, cash.debt) == (10_000 * 10**6, 0)
    assert valuation.external_assets == 8_000 * 10**6


def test_fractional_units_round_against_the_nav() -> None:
    # a gain of 0.000000019 USDC rounds to 0 units of a 6-decimal asset; a loss of the same rounds to 1
    gain = value_account(state(19, {}), {}, 6)
    assert gain.external_assets == 0
    loss = value_account(state(10**8, {"ETH": (1, 100)}), {"ETH": 81}, 6)  # pnl -19e-8 floors to -1 unit
    assert loss.rows[0].debt == 1


def test_position_without_a_mark_is_refused() -> None:
    with pytest.raises(ValuationError, match="no mark for BTC"):
        value_account(state(SCALE, {"BTC": (SCALE, SCALE)}), {}, 6)


def test_negative_account_is_refused() -> None:
    with pytest.raises(ValuationError, match="negative"):
        value_account(state(-5, {}), {}, 6)


def test_assets_in_custody_count_once_and_exactly() -> None:
    # 1,000 USDC at the venue and 250.5 mUSDC sitting in a custody account on-chain (6 decimals)
    valuation = value_account(state(1_000 * SCALE, {}), {}, 6, in_custody=250_500_000)
    assert valuation.external_assets == 1_250_500_000
    assert valuation.rows[-1].instrument.rstrip(b"\0") == b"CUSTODY"
