"""Fixtures: one real simulator process per session (stepped clock), driven through the official SDK."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import eth_account
import pytest
from eth_account.signers.local import LocalAccount
from hyperliquid.exchange import Exchange
from hyperliquid.info import Info

from tests.fixtures.venue_process import SimProcess, spawn_sim, start_sim, wait_ready  # noqa: F401 (re-exported to the tests)

SEED = 7


@pytest.fixture(scope="session")
def venue() -> Iterator[SimProcess]:
    sim = start_sim("--step-clock", "--seed", str(SEED))
    try:
        yield sim
    finally:
        sim.stop()


@dataclass
class Trader:
    wallet: LocalAccount
    exchange: Exchange
    info: Info

    @property
    def address(self) -> str:
        return self.wallet.address

    def statuses(self, response: dict[str, Any]) -> list[dict[str, Any]]:
        assert response["status"] == "ok", response
        return list(response["response"]["data"]["statuses"])


@pytest.fixture
def trader_factory(venue: SimProcess) -> Iterator[Any]:
    def make(usd: str = "10000") -> Trader:
        wallet: LocalAccount = eth_account.Account.create()
        venue.sim("/sim/fund", {"user": wallet.address, "usd": usd})
        return Trader(wallet, Exchange(wallet, venue.url), Info(venue.url, skip_ws=True))

    yield make


@pytest.fixture
def trader(trader_factory: Any) -> Trader:
    return trader_factory()


@pytest.fixture
def sim_config(venue: SimProcess) -> Iterator[Any]:
    """Patch runtime knobs for one test and restore the defaults afterwards (the process is shared)."""
    original = venue.sim("/sim/config")
    touched: set[str] = set()

    def patch(**knobs: Any) -> Any:
        touched.update(knobs)
        return venue.sim("/sim/config", knobs)

    yield patch
    restore = {k: original[k] for k in touched if k in original}
    for per_coin in ("drift_ppm", "vol_ppm"):
        if per_coin in touched:
            restore[per_coin] = {s["name"]: s[per_coin] for s in original["instruments"]}
    if restore:
        venue.sim("/sim/config", restore)


def pause() -> None:
    """The SDK uses the wall-clock millisecond as the nonce; two actions in one ms would collide."""
    time.sleep(0.003)
