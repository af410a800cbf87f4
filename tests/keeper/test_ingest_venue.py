"""End to end against a real simulator process: trade through the adapter, ingest via WS + acks + REST."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from keeper.ingest.ingester import FillIngester, IngestTimings
from keeper.ingest.orders import OrderTracker
from keeper.money import SCALE, to_scaled
from keeper.store.repo import Store
from keeper.venues.base import OrderRequest, Venue, VenueFill
from keeper.venues.hyperliquid import HyperliquidVenue
from tests.keeper.fixtures.venue import Sim

FAST = IngestTimings(ack_fill_timeout_ms=300, rest_poll_interval_ms=3_600_000,
                     position_reconcile_interval_ms=3_600_000, reconcile_overlap_ms=0, tick_s=0.05)


async def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def all_venue_fills(venue: Venue) -> list[VenueFill]:
    """Ground truth straight from the venue (paged by time, deduped by tid)."""
    seen: dict[int, VenueFill] = {}
    cursor = 0
    while True:
        page = await venue.fills_by_time(cursor)
        for f in page:
            seen.setdefault(f.tid, f)
        last = max((f.time_ms for f in page), default=cursor)
        if last <= cursor:
            return sorted(seen.values(), key=lambda f: f.tid)
        cursor = last


def market(coin: str, is_buy: bool, sz: str) -> OrderRequest:
    return OrderRequest(coin=coin, is_buy=is_buy, sz=to_scaled(sz))


async def run_ingester(ingester: FillIngester, body: Callable[[], Awaitable[Any]]) -> Any:
    stop = asyncio.Event()
    task = asyncio.create_task(ingester.run(stop))
    try:
        await asyncio.wait_for(ingester.ws_snapshot_seen.wait(), 10)
        return await body()
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


def test_ws_drop_rate_30pct__every_fill_lands_exactly_once(
    sim_config: Any, funded_venue: Callable[..., HyperliquidVenue], store: Store
) -> None:
    sim_config(ws_drop_rate="0.3", ws_delay_ms=5)
    venue = funded_venue()

    async def main() -> None:
        ingester = FillIngester(store, venue, FAST)
        tracker = OrderTracker(store, venue, ingester.clock)

        async def trade() -> None:
            for i in range(30):
                ack = await tracker.place(market("ETH", i % 3 != 0, "0.01"))
                assert ack.status == "filled", ack
            await wait_until(lambda: not store.open_acks(venue.name, venue.account, ingester.clock.now_ms()))
            assert await ingester.reconcile_positions() == {}

        await run_ingester(ingester, trade)
        truth = await all_venue_fills(venue)
        stored = store.fills(venue.name, venue.account)
        assert len(truth) == 30
        assert sorted(f.tid for f in stored) == [f.tid for f in truth]
        cp = store.checkpoint(venue.name, venue.account)
        assert cp.ws_fills + cp.reconciled_fills == 30
        assert cp.reconciled_fills > 0 and cp.ws_dropped_suspected > 0, "drops must be recovered by REST"
        assert cp.ws_fills > 0 and cp.last_ws_fill_ms is not None and cp.last_ack_ms is not None
        (pos,) = store.positions(venue.name, venue.account).values()
        state = await venue.account_state()
        assert pos.szi == state.positions["ETH"].szi == to_scaled("0.10")
        for f in stored:
            order = store.order(venue.name, f.oid)
            assert order is not None and order.status == "filled" and order.filled_sz == order.sz

    asyncio.run(main())


def test_ws_duplicates_and_out_of_order__ignored(
    funded_venue: Callable[..., HyperliquidVenue], store: Store
) -> None:
    venue = funded_venue()

    async def main() -> None:
        ingester = FillIngester(store, venue, FAST)
        tracker = OrderTracker(store, venue, ingester.clock)

        async def trade() -> None:
            for is_buy in (True, False, True):
                await tracker.place(market("BTC", is_buy, "0.001"))
            await wait_until(lambda: len(store.fills(venue.name)) == 3)
            truth = await all_venue_fills(venue)
            # Re-deliver the same fills reversed and duplicated, as a WS update and as a snapshot.
            assert await ingester.on_ws_fills(list(reversed(truth)) + truth, False) == 0
            assert await ingester.on_ws_fills(truth, True) == 0
            assert (await ingester.reconcile(start_ms=0)).new == 0

        await run_ingester(ingester, trade)
        assert len(store.fills(venue.name)) == 3
        (pos,) = store.positions(venue.name, venue.account).values()
        assert pos.szi == to_scaled("0.001") and pos.fill_count == 3

    asyncio.run(main())


def test_resting_and_partial_orders__never_recorded_as_full_fills(
    sim: Sim, sim_config: Any, funded_venue: Callable[..., HyperliquidVenue], store: Store
) -> None:
    venue = funded_venue()

    async def main() -> None:
        ingester = FillIngester(store, venue, FAST)
        tracker = OrderTracker(store, venue, ingester.clock)
        mid = Decimal((await venue.mids())["SOL"]) / SCALE

        async def trade() -> None:
            limit = to_scaled(f"{(mid * Decimal('0.98')).quantize(Decimal('0.01'))}")
            resting = await tracker.place(
                OrderRequest(coin="SOL", is_buy=True, sz=to_scaled("1"), kind="limit", limit_px=limit)
            )
            assert resting.status == "resting" and resting.oid is not None
            await asyncio.sleep(0.5)  # longer than the ack timeout: nothing is expected, nothing is fetched
            await ingester.check_acks()
            await ingester.reconcile()
            order = store.order(venue.name, resting.oid)
            assert order is not None and order.status == "resting" and order.filled_sz == 0
            assert store.fills(venue.name) == []
            assert store.checkpoint(venue.name, venue.account).ws_dropped_suspected == 0

            # The price falls through the limit: the resting order fills and the fill arrives by WS.
            crossed = (mid * Decimal("0.97")).quantize(Decimal("0.01"))
            sim.call("/sim/price", {"coin": "SOL", "px": str(crossed)})
            await wait_until(lambda: len(store.fills(venue.name)) == 1)
            order = store.order(venue.name, resting.oid)
            assert order is not None and order.status == "filled"

            # Thin book: a market order only partially fills (IOC remainder canceled).
            sim_config(depth_levels=1, level_notional_usd="100")
            partial = await tracker.place(market("SOL", True, "5"))
            assert partial.status == "filled" and 0 < partial.filled_sz < to_scaled("5")
            await wait_until(lambda: not store.open_acks(venue.name, venue.account, ingester.clock.now_ms()))
            order = store.order(venue.name, partial.oid or 0)
            assert order is not None and order.status == "partially_filled"
            assert order.filled_sz == partial.filled_sz < order.sz

        await run_ingester(ingester, trade)

    asyncio.run(main())


def test_restart__resumes_from_checkpoint_without_loss_or_duplication(
    db_url: str, open_store: Callable[[str], Store], sim: Sim, funded_venue: Callable[..., HyperliquidVenue]
) -> None:
    venue = funded_venue()

    async def main() -> None:
        first_store = open_store(db_url)
        first = FillIngester(first_store, venue, FAST)
        tracker = OrderTracker(first_store, venue, first.clock)

        async def trade_some() -> None:
            for _ in range(4):
                await tracker.place(market("ETH", True, "0.01"))
                sim.call("/sim/advance", {"ms": 5})
            await wait_until(lambda: len(first_store.fills(venue.name)) == 4)

        await run_ingester(first, trade_some)
        confirmed = first_store.checkpoint(venue.name, venue.account).confirmed_ms
        first_store.close()

        # Keeper down: trading continues (the socket is gone, nothing is delivered).
        for _ in range(5):
            await venue.place_order(market("ETH", False, "0.01"))
            sim.call("/sim/advance", {"ms": 5})

        second_store = open_store(db_url)
        assert second_store.checkpoint(venue.name, venue.account).confirmed_ms == confirmed
        second = FillIngester(second_store, venue, FAST)
        await run_ingester(second, lambda: asyncio.sleep(0.2))
        truth = await all_venue_fills(venue)
        stored = second_store.fills(venue.name, venue.account)
        assert len(truth) == 9 and sorted(f.tid for f in stored) == [f.tid for f in truth]
        cp = second_store.checkpoint(venue.name, venue.account)
        assert cp.confirmed_ms == max(f.time_ms for f in truth) > confirmed
        assert cp.ws_fills + cp.reconciled_fills == 9
        (pos,) = second_store.positions(venue.name, venue.account).values()
        assert pos.szi == to_scaled("-0.01") == (await venue.account_state()).positions["ETH"].szi

    asyncio.run(main())


def test_rest_paging__small_venue_pages__recovers_everything(
    sim: Sim, sim_config: Any, funded_venue: Callable[..., HyperliquidVenue], sqlite_store: Store
) -> None:
    venue = funded_venue()

    async def main() -> None:
        for i in range(11):
            await venue.place_order(market("BTC", i % 2 == 0, "0.001"))
            if i % 3 == 0:
                sim.call("/sim/advance", {"ms": 1})  # several fills share a millisecond
        sim_config(max_fills_per_response=4)
        timings = IngestTimings(fills_page_cap=4, reconcile_overlap_ms=0)
        result = await FillIngester(sqlite_store, venue, timings).reconcile(start_ms=0)
        assert result.new == 11 and result.pages > 3
        truth_tids = sorted(f.tid for f in sqlite_store.fills(venue.name))
        assert len(truth_tids) == len(set(truth_tids)) == 11
        assert sqlite_store.checkpoint(venue.name, venue.account).reconciled_fills == 11

    asyncio.run(main())


def test_position_reconciliation__missing_history__backfilled(
    funded_venue: Callable[..., HyperliquidVenue], sqlite_store: Store
) -> None:
    venue = funded_venue()

    async def main() -> None:
        for _ in range(3):
            await venue.place_order(market("SOL", False, "1"))
        ingester = FillIngester(sqlite_store, venue, FAST)
        sqlite_store.advance_checkpoint(venue.name, venue.account, 2**62, now_ms=0)  # a bogus checkpoint
        assert (await ingester.reconcile()).new == 0
        assert await ingester.reconcile_positions() == {}  # mismatch found, history re-read from 0
        (pos,) = sqlite_store.positions(venue.name, venue.account).values()
        assert pos.szi == to_scaled("-3") and pos.fill_count == 3

    asyncio.run(main())
