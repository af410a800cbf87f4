"""Venue-neutral types and the `Venue` protocol every adapter implements.

All quantities are ints scaled by 1e8 (`keeper.money.SCALE`); sizes are positive with a side flag;
`szi` (signed position size) is positive for long. Times are venue ms since the epoch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class VenueFill:
    tid: int  # the venue's unique fill id
    oid: int
    coin: str
    is_buy: bool
    px: int
    sz: int
    fee: int
    closed_pnl: int
    start_position: int
    direction: str
    crossed: bool
    time_ms: int
    hash: str
    cloid: str | None = None

    @property
    def signed_sz(self) -> int:
        return self.sz if self.is_buy else -self.sz


@dataclass(frozen=True, slots=True)
class OrderRequest:
    coin: str
    is_buy: bool
    sz: int  # 1e8
    kind: Literal["market", "limit"] = "market"
    limit_px: int | None = None  # 1e8; required for limit
    tif: Literal["Gtc", "Ioc", "Alo"] = "Gtc"
    reduce_only: bool = False
    slippage_bps: int = 500  # market orders: IOC bounded this far from the mid
    cloid: str | None = None


@dataclass(frozen=True, slots=True)
class OrderAck:
    """The venue's synchronous answer to one order. `filled_sz` is what it says has already filled."""

    status: Literal["filled", "resting", "error"]
    oid: int | None
    filled_sz: int = 0
    avg_px: int | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class VenuePosition:
    coin: str
    szi: int
    entry_px: int


@dataclass(frozen=True, slots=True)
class AccountState:
    account_value: int  # USDC 1e8
    positions: dict[str, VenuePosition]
    time_ms: int


FillBatchCallback = Callable[[list[VenueFill], bool], Awaitable[object] | None]
"""Called with (fills, is_snapshot) for every userFills message."""


class Subscription(Protocol):
    @property
    def alive(self) -> bool: ...

    async def close(self) -> None: ...


class VenueError(RuntimeError):
    """The venue refused or failed a request (the message never contains secrets)."""


@runtime_checkable
class Venue(Protocol):
    name: str
    account: str  # lower-case 0x address whose fills and positions are mirrored

    async def place_order(self, order: OrderRequest) -> OrderAck: ...

    async def cancel_order(self, coin: str, oid: int) -> bool: ...

    async def fills_by_time(self, start_ms: int, end_ms: int | None = None) -> list[VenueFill]:
        """One page, oldest first, inclusive bounds, at most the venue cap."""
        ...

    async def account_state(self) -> AccountState: ...

    async def mids(self) -> dict[str, int]: ...

    async def subscribe_fills(self, callback: FillBatchCallback) -> Subscription: ...

    async def close(self) -> None: ...
