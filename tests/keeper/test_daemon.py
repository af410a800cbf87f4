"""The wired keeper against the simulator: built from env, leads, ingests, survives a dead socket."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import eth_account
import pytest

from keeper.config import ConfigError, KeeperSettings
from keeper.daemon import Keeper
from keeper.ingest.ingester import FillIngester
from keeper.money import to_scaled
from keeper.store.repo import Store
from keeper.venues.base import OrderRequest
from keeper.venues.hyperliquid import HyperliquidVenue
from tests.keeper.fixtures.venue import Sim
from tests.keeper.test_ingest_venue import FAST, run_ingester, wait_until


def test_keeper__from_env__leads_ingests_and_reports_status(
    sim: Sim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wallet = eth_account.Account.create()
    sim.call("/sim/fund", {"user": wallet.address, "usd": "50000"})
    monkeypatch.setenv("VAULTCRAFT_KEEPER_VENUE_PRIVATE_KEY", wallet.key.hex())
    monkeypatch.setenv("VAULTCRAFT_KEEPER_VENUE_URL", sim.url)
    monkeypatch.setenv("VAULTCRAFT_KEEPER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VAULTCRAFT_KEEPER_ACK_FILL_TIMEOUT_MS", "300")

    async def main() -> None:
        keeper = Keeper.build(KeeperSettings())
        stop = asyncio.Event()
        task = asyncio.create_task(keeper.run(stop))
        try:
            await asyncio.wait_for(keeper.ingester.ws_snapshot_seen.wait(), 10)
            await wait_until(lambda: keeper.is_leader)
            ack = await keeper.orders.place(OrderRequest(coin="BTC", is_buy=True, sz=to_scaled("0.002")))
            assert ack.status == "filled"
            await wait_until(lambda: len(keeper.store.fills(keeper.venue.name)) == 1)
            status = keeper.status()
            ingest = status["ingest"]
            assert isinstance(ingest, dict) and ingest["last_ack"] is not None and ingest["ws_fills"] == 1
            assert status["is_leader"] is True
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)
        assert (tmp_path / "data" / "keeper.db").exists()

    asyncio.run(main())


def test_keeper__placeholder_key__refuses_to_build(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VAULTCRAFT_KEEPER_VENUE_PRIVATE_KEY", "changeme")
    monkeypatch.setenv("VAULTCRAFT_KEEPER_DATA_DIR", str(tmp_path))
    with pytest.raises(ConfigError):
        Keeper.build(KeeperSettings())
    assert not (tmp_path / "keeper.db").exists()  # nothing was created


def test_ingester__socket_dies__resubscribes_and_keeps_ingesting(
    funded_venue: Callable[..., HyperliquidVenue], sqlite_store: Store
) -> None:
    venue = funded_venue()

    async def main() -> None:
        ingester = FillIngester(sqlite_store, venue, FAST)

        async def body() -> None:
            old = ingester._subscription
            assert old is not None and old.alive
            await old.close()  # the socket goes away under the ingester
            await wait_until(lambda: ingester._subscription is not old and ingester.ws_snapshot_seen.is_set())
            await venue.place_order(OrderRequest(coin="ETH", is_buy=True, sz=to_scaled("0.01")))
            await wait_until(lambda: len(sqlite_store.fills(venue.name)) == 1)
            assert sqlite_store.checkpoint(venue.name, venue.account).ws_fills == 1

        await run_ingester(ingester, body)

    asyncio.run(main())
