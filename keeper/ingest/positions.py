"""Full reconciliation: compare the venue's positions with those derived from stored fills.

On a mismatch the whole fill history is re-read by REST (from time 0) and compared again; a mismatch that
survives the backfill is recorded in the audit log and flagged for /status (positions_in_sync = false).
"""

from __future__ import annotations

from keeper.ingest.clock import Clock
from keeper.ingest.rest import RestReconciler
from keeper.logs import get_logger
from keeper.store.repo import Store
from keeper.venues.base import Venue

log = get_logger(__name__)


class PositionReconciler:
    def __init__(self, store: Store, venue: Venue, rest: RestReconciler, clock: Clock) -> None:
        self._store, self._venue, self._rest, self._clock = store, venue, rest, clock

    async def _compare(self) -> dict[str, tuple[int, int]]:
        state = await self._venue.account_state()
        venue_szi = {coin: p.szi for coin, p in state.positions.items()}
        return self._store.record_position_check(
            self._venue.name, self._venue.account, venue_szi, self._clock.now_ms()
        )

    async def run(self) -> dict[str, tuple[int, int]]:
        """Returns the mismatches left after a backfill ({} when the store agrees with the venue)."""
        mismatches = await self._compare()
        if not mismatches:
            return {}
        log.warning("position_mismatch_backfilling", venue=self._venue.name, mismatches=mismatches)
        await self._rest.run(start_ms=0)
        mismatches = await self._compare()
        if mismatches:
            detail = {coin: {"store": a, "venue": b} for coin, (a, b) in mismatches.items()}
            self._store.audit("keeper", "position_mismatch", {"venue": self._venue.name, "coins": detail},
                              self._clock.now_ms())
            log.error("position_mismatch", venue=self._venue.name, mismatches=mismatches)
        return mismatches
