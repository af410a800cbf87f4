"""Fill records and the per-user fill history that userFills / userFillsByTime / WS snapshots read."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Fill:
    user: str
    coin: str
    px: Decimal
    sz: Decimal
    is_buy: bool
    time: int
    start_position: Decimal
    direction: str
    closed_pnl: Decimal
    hash: str
    oid: int
    crossed: bool  # True when this side took liquidity
    fee: Decimal
    tid: int
    cloid: str | None


class IdSource:
    """Order and trade ids: monotonically increasing, derived from the start time so restarts don't collide.

    oids start at start_s * 1e6 and tids at start_ms * 1e3: two runs started >= 1 s apart never share
    an id (below 1M orders or fills per run), a run with a fixed `start_time_ms` reproduces the same ids,
    and both stay below 2**53 so JavaScript clients read them exactly.
    """

    def __init__(self, start_ms: int) -> None:
        self._next_oid = start_ms // 1000 * 1_000_000 + 1
        self._next_tid = start_ms * 1000 + 1

    def oid(self) -> int:
        value = self._next_oid
        self._next_oid += 1
        return value

    def tid(self) -> int:
        value = self._next_tid
        self._next_tid += 1
        return value


class FillLog:
    def __init__(self) -> None:
        self._by_user: dict[str, list[Fill]] = {}

    def append(self, fill: Fill) -> None:
        self._by_user.setdefault(fill.user, []).append(fill)

    def all_for(self, user: str) -> list[Fill]:
        return list(self._by_user.get(user, ()))

    def recent(self, user: str, limit: int) -> list[Fill]:
        """Newest first, like the venue's userFills."""
        return list(reversed(self._by_user.get(user, [])[-limit:]))

    def by_time(self, user: str, start_ms: int, end_ms: int | None, limit: int) -> list[Fill]:
        """Oldest first within [start, end] (inclusive). Page by re-querying from the last returned time
        and de-duplicating by tid: several fills can share one millisecond."""
        fills = self._by_user.get(user, ())
        out = [f for f in fills if f.time >= start_ms and (end_ms is None or f.time <= end_ms)]
        return out[:limit]
