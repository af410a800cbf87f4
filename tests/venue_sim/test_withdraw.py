"""Simulator-only bridge withdrawal: at most the withdrawable amount, and the account value drops by it."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from tests.venue_sim.conftest import SimProcess, Trader


def _value(trader: Trader) -> Decimal:
    return Decimal(trader.info.user_state(trader.address)["marginSummary"]["accountValue"])


def test_withdraw_reduces_the_account_value_exactly(venue: SimProcess, trader: Trader) -> None:
    before = _value(trader)
    venue.sim("/sim/withdraw", {"user": trader.address, "usd": "2500"})
    assert _value(trader) == before - 2500


def test_withdraw_beyond_withdrawable_is_refused_and_changes_nothing(
    venue: SimProcess, trader: Trader
) -> None:
    before = _value(trader)
    with pytest.raises(httpx.HTTPStatusError) as err:
        venue.sim("/sim/withdraw", {"user": trader.address, "usd": "10000.01"})
    assert "exceeds withdrawable" in err.value.response.text
    assert _value(trader) == before


@pytest.mark.parametrize(
    "body",
    [
        {"usd": "1"},
        {"user": "0x12", "usd": "1"},
        {"user": "0x" + "ab" * 20, "usd": "-1"},
        {"user": "0x" + "cd" * 20, "usd": "1"},
    ],
)
def test_bad_withdrawals_are_refused(venue: SimProcess, body: dict) -> None:
    response = httpx.post(venue.url + "/sim/withdraw", json=body, timeout=10)
    assert response.status_code == 400
