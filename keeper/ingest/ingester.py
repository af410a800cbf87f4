"""The fill ingester: WebSocket first, order acks as the safety net, REST by time as the recovery path.

- WS `userFills` batches are stored as they arrive (the first message is a snapshot; stored the same way,
  dedupe makes it harmless).
- Every order ack (see `OrderTracker`) records how much the venue says has filled. An ack whose fills are
  not all stored `ack_fill_timeout_ms` later counts as `ws_dropped_suspected` and triggers a REST pass.
- A REST pass also runs at start-up (resume from the checkpoint), periodically (fills of resting orders),
  and whenever the socket had to be re-opened.
- A periodic full reconciliation compares venue positions with the store.
All writes go through `Store.ingest_fills`, which is idempotent per tid.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from keeper.config import KeeperSettings
from keeper.ingest.clock import Clock, SystemClock
from keeper.ingest.positions import PositionReconciler
from keeper.ingest.rest import RestPass, RestReconciler
from keeper.logs import get_logger
from keeper.store.repo import Store
from keeper.venues.base import Subscription, Venue, VenueFill

log = get_logger(__name__)


@dataclass(frozen=True)
class IngestTimings:
    ack_fill_timeout_ms: int = 2_000
    rest_poll_interval_ms: int = 5_000
    position_reconcile_interval_ms: int = 60_000
    reconcile_overlap_ms: int = 2_000
    fills_page_cap: int = 2_000
    tick_s: float = 0.1

    @classmethod
    def from_settings(cls, settings: KeeperSettings) -> IngestTimings:
        return cls(
            ack_fill_timeout_ms=settings.ack_fill_timeout_ms,
            rest_poll_interval_ms=int(settings.rest_poll_interval_s * 1000),
            position_reconcile_interval_ms=int(settings.position_reconcile_interval_s * 1000),
            reconcile_overlap_ms=settings.reconcile_overlap_ms,
            fills_page_cap=settings.fills_page_cap,
        )


class FillIngester:
    def __init__(self, store: Store, venue: Venue, timings: IngestTimings | None = None,
                 clock: Clock | None = None) -> None:
        self.store, self.venue = store, venue
        self.timings = timings or IngestTimings()
        self.clock = clock or SystemClock()
        self.rest = RestReconciler(store, venue, self.clock, self.timings.reconcile_overlap_ms,
                                   self.timings.fills_page_cap)
        self.positions = PositionReconciler(store, venue, self.rest, self.clock)
        self._subscription: Subscription | None = None
        self._lock = asyncio.Lock()  # one writer path at a time keeps order/ack bookkeeping simple
        self.ws_snapshot_seen = asyncio.Event()  # set when the socket delivered its first snapshot

    # --- inputs ----------------------------------------------------------------------------------------

    async def on_ws_fills(self, fills: list[VenueFill], is_snapshot: bool) -> int:
        """Store a WS batch; returns how many fills were new."""
        if is_snapshot:
            self.ws_snapshot_seen.set()
        if not fills:
            return 0
        async with self._lock:
            result = self.store.ingest_fills(
                self.venue.name, self.venue.account, fills, "ws_snapshot" if is_snapshot else "ws",
                self.clock.now_ms(),
            )
        return len(result.new)

    async def reconcile(self, start_ms: int | None = None) -> RestPass:
        async with self._lock:
            return await self.rest.run(start_ms)

    async def check_acks(self) -> list[int]:
        """The ack fallback. Returns the oids that were overdue (a REST pass was run for them)."""
        now = self.clock.now_ms()
        waiting = self.store.open_acks(self.venue.name, self.venue.account, now)
        # Exponential back-off per ack: timeout, 2x, 4x, ... so a truly missing fill cannot spin REST.
        due = [a for a in waiting
               if now - a.ack_ms >= self.timings.ack_fill_timeout_ms * (1 << min(a.fallback_attempts, 16))]
        if not due:
            return []
        oids = [a.oid for a in due]
        first = [a.oid for a in due if a.fallback_attempts == 0]
        self.store.note_fallback(self.venue.name, self.venue.account, oids, suspected=len(first))
        log.warning("ack_fill_overdue", venue=self.venue.name, oids=oids)
        await self.reconcile()
        after = self.store.open_acks(self.venue.name, self.venue.account, self.clock.now_ms())
        still = {a.oid for a in after}
        if still & set(oids):
            log.error("ack_fills_missing_after_rest", venue=self.venue.name, oids=sorted(still & set(oids)))
        return oids

    async def reconcile_positions(self) -> dict[str, tuple[int, int]]:
        async with self._lock:
            return await self.positions.run()

    # --- lifecycle -------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Subscribe first, then read REST from the checkpoint: nothing between the two can be missed."""
        self.ws_snapshot_seen.clear()
        self._subscription = await self.venue.subscribe_fills(self.on_ws_fills)
        await self.reconcile()

    async def stop(self) -> None:
        if self._subscription is not None:
            await self._subscription.close()
            self._subscription = None

    async def run(self, stop: asyncio.Event) -> None:
        """Main loop until `stop` is set. Failures are logged and retried on the next tick."""
        await self.start()
        t = self.timings
        last_rest = last_positions = self.clock.now_ms()
        try:
            while not stop.is_set():
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=t.tick_s)
                now = self.clock.now_ms()
                try:
                    if self._subscription is None or not self._subscription.alive:
                        log.warning("ws_resubscribe", venue=self.venue.name)
                        await self.stop()
                        await self.start()
                    await self.check_acks()
                    if now - last_rest >= t.rest_poll_interval_ms:
                        await self.reconcile()
                        last_rest = now
                    if now - last_positions >= t.position_reconcile_interval_ms:
                        await self.reconcile_positions()
                        last_positions = now
                except Exception:
                    log.exception("ingest_tick_failed", venue=self.venue.name)
        finally:
            await self.stop()
