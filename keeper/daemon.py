"""Wiring: settings -> logging, store, venue adapter, ingester, leader lease, chain duties. No globals.

Every keeper instance ingests (ingestion is idempotent per tid, so several instances are harmless); only
the holder of the `keeper_leases` lease posts on-chain (`ChainDuties`) - `is_leader` tells which.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from dataclasses import dataclass, field

from keeper import logs
from keeper.config import KeeperSettings
from keeper.ingest.clock import Clock, SystemClock
from keeper.ingest.ingester import FillIngester, IngestTimings
from keeper.ingest.orders import OrderTracker
from keeper.onchain import ChainDuties
from keeper.store.leases import Lease, LeaseManager
from keeper.store.repo import Store
from keeper.venues.hyperliquid import HyperliquidVenue

log = logs.get_logger(__name__)


@dataclass
class Keeper:
    settings: KeeperSettings
    store: Store
    venue: HyperliquidVenue
    ingester: FillIngester
    orders: OrderTracker
    leases: LeaseManager
    clock: Clock
    holder: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    lease: Lease | None = None
    chain: ChainDuties | None = None

    @classmethod
    def build(cls, settings: KeeperSettings, clock: Clock | None = None) -> Keeper:
        key = settings.venue_private_key_hex()  # refuses missing / placeholder keys before anything starts
        secrets = [key]
        if settings.chain_enabled:
            settings.chain_config()  # names any missing chain setting before secrets are read
            secrets += [*settings.keeper_keys_hex(), settings.salt_secret_bytes().hex()]
        logs.configure(settings.log_level, secrets=secrets)
        clock = clock or SystemClock()
        store = Store.open(settings.resolved_db_url())
        venue = HyperliquidVenue.from_key(
            settings.venue_url, key, settings.venue_account, settings.venue_name
        )
        ingester = FillIngester(store, venue, IngestTimings.from_settings(settings), clock)
        tracker = OrderTracker(store, venue, clock)
        chain = None
        if settings.chain_enabled:
            chain = ChainDuties.build(settings, store, venue, venue.account, clock)
        leases = LeaseManager(store)
        return cls(settings, store, venue, ingester, tracker, leases, clock, chain=chain)

    @property
    def is_leader(self) -> bool:
        return self.lease is not None

    def status(self) -> dict[str, object]:
        current = self.leases.current(self.settings.lease_key)
        return {
            "ingest": self.store.ingest_status(self.venue.name, self.venue.account),
            "leader": None if current is None else {"holder": current.holder, "term": current.term},
            "is_leader": self.is_leader,
            "chain": None if self.chain is None else self.chain.status(),
        }

    def tick_lease(self) -> None:
        """Renew while held, otherwise try to acquire; losing the lease drops leadership at once."""
        ttl = self.settings.lease_ttl_ms
        lease = self.leases.renew(self.lease, ttl) if self.lease else None
        if lease is None:
            lease = self.leases.acquire(self.settings.lease_key, self.holder, ttl)
        before = None if self.lease is None else self.lease.term
        if (None if lease is None else lease.term) != before:
            log.info("leadership_changed", holder=self.holder, leader=lease is not None,
                     term=lease.term if lease else None)
        self.lease = lease

    async def _lease_loop(self, stop: asyncio.Event) -> None:
        interval = self.settings.lease_ttl_ms / 3000
        while not stop.is_set():
            try:
                self.tick_lease()
            except Exception:
                self.lease = None
                log.exception("lease_tick_failed")
            with contextlib.suppress(Exception):  # a heartbeat is best effort; the lease is what matters
                self.store.heartbeat(self.holder, self.settings.vault, self.is_leader, self.status(),
                                     self.clock.now_ms())
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)

    async def run(self, stop: asyncio.Event) -> None:
        log.info("keeper_start", venue=self.venue.name, account=self.venue.account, holder=self.holder)
        try:
            tasks = [self.ingester.run(stop), self._lease_loop(stop)]
            if self.chain is not None:
                tasks.append(self.chain.run(stop, lambda: self.is_leader))
            await asyncio.gather(*tasks)
        finally:
            if self.lease is not None:
                with contextlib.suppress(Exception):
                    self.leases.release(self.lease)
                self.lease = None
            await self.venue.close()
            self.store.close()
            log.info("keeper_stop")
