"""Order placement with ack tracking: every acknowledgement is stored (oid, time, size it says filled)."""

from __future__ import annotations

from keeper.ingest.clock import Clock
from keeper.logs import get_logger
from keeper.store.repo import Store
from keeper.venues.base import OrderAck, OrderRequest, Venue

log = get_logger(__name__)


class OrderTracker:
    def __init__(self, store: Store, venue: Venue, clock: Clock) -> None:
        self._store, self._venue, self._clock = store, venue, clock

    async def place(self, order: OrderRequest) -> OrderAck:
        ack = await self._venue.place_order(order)
        now = self._clock.now_ms()
        if ack.oid is None:
            log.warning("order_rejected", venue=self._venue.name, coin=order.coin, error=ack.error)
            self._store.audit("keeper", "order_rejected", {"coin": order.coin, "error": ack.error}, now)
            return ack
        self._store.record_order(self._venue.name, self._venue.account, order, ack, now)
        return ack

    async def cancel(self, coin: str, oid: int) -> bool:
        ok = await self._venue.cancel_order(coin, oid)
        if ok:
            self._store.mark_canceled(self._venue.name, oid, self._clock.now_ms())
        return ok
