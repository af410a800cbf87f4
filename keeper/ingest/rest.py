"""REST reconciliation: read userFillsByTime from the confirmed point and store what the socket missed.

Paging follows the venue's rules: oldest first, inclusive ms bounds, a capped page. The next page starts
at the last returned time (fills sharing that ms are re-read and dropped by the tid unique key); the pass
ends when a page brings nothing newer than its start. Only then does the checkpoint advance, to the newest
fill time read, so a fill can never end up behind the checkpoint unread.
"""

from __future__ import annotations

from dataclasses import dataclass

from keeper.ingest.clock import Clock
from keeper.logs import get_logger
from keeper.store.repo import Store
from keeper.venues.base import Venue, VenueError

log = get_logger(__name__)


@dataclass(frozen=True)
class RestPass:
    start_ms: int
    confirmed_ms: int
    pages: int
    read: int
    new: int


class RestReconciler:
    def __init__(self, store: Store, venue: Venue, clock: Clock, overlap_ms: int, page_cap: int,
                 max_pages: int = 10_000) -> None:
        self._store, self._venue, self._clock = store, venue, clock
        self._overlap_ms, self._page_cap, self._max_pages = overlap_ms, page_cap, max_pages

    async def run(self, start_ms: int | None = None) -> RestPass:
        """One pass from `start_ms` (default: checkpoint minus overlap) to the newest fill."""
        venue, account = self._venue.name, self._venue.account
        if start_ms is None:
            start_ms = max(0, self._store.checkpoint(venue, account).confirmed_ms - self._overlap_ms)
        cursor, newest, pages, read, new = start_ms, None, 0, 0, 0
        while True:
            page = await self._venue.fills_by_time(cursor, None)
            pages += 1
            read += len(page)
            if page:
                result = self._store.ingest_fills(venue, account, page, "rest", self._clock.now_ms())
                new += len(result.new)
                newest = max(newest or 0, max(f.time_ms for f in page))
            last = max((f.time_ms for f in page), default=cursor)
            if last <= cursor:
                if len(page) >= self._page_cap:
                    # More than a page of fills in one millisecond: the venue API cannot page past it.
                    raise VenueError(f"more than {self._page_cap} fills at {cursor} ms; cannot page")
                break
            if pages >= self._max_pages:
                raise VenueError(f"REST reconciliation did not converge after {pages} pages")
            cursor = last
        confirmed = newest if newest is not None else start_ms
        self._store.advance_checkpoint(venue, account, confirmed, self._clock.now_ms())
        if new:
            log.info("rest_recovered_fills", venue=venue, account=account, new=new, pages=pages,
                     start_ms=start_ms)
        return RestPass(start_ms, confirmed, pages, read, new)
