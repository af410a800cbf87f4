"""Orders: the parsed form of an SDK order wire, and the lifecycle record the venue keeps per oid."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from venue_sim.numbers import NumberError, parse_decimal, wire


class OrderRejected(Exception):
    """A per-order rejection; the message is the venue's error string (without the asset suffix)."""


class Status(StrEnum):
    # Names as the venue reports them in orderStatus / orderUpdates.
    OPEN = "open"
    FILLED = "filled"
    CANCELED = "canceled"
    TRIGGERED = "triggered"
    REJECTED = "rejected"
    MARGIN_CANCELED = "marginCanceled"
    REDUCE_ONLY_CANCELED = "reduceOnlyCanceled"


TIFS = ("Gtc", "Ioc", "Alo")
_CLOID = re.compile(r"^0x[0-9a-fA-F]{32}$")


@dataclass(frozen=True)
class Trigger:
    trigger_px: Decimal
    is_market: bool
    tpsl: str  # "tp" | "sl"


@dataclass(frozen=True)
class OrderRequest:
    """A validated order wire: {"a","b","p","s","r","t","c"?} as `order_request_to_order_wire` builds it."""

    asset: int
    is_buy: bool
    limit_px: Decimal
    sz: Decimal
    reduce_only: bool
    tif: str | None  # None for trigger orders
    trigger: Trigger | None
    cloid: str | None


def parse_order_wire(wire: Any) -> OrderRequest:
    if not isinstance(wire, dict):
        raise OrderRejected("Order has invalid format.")
    try:
        asset = wire["a"]
        is_buy = wire["b"]
        reduce_only = wire["r"]
        order_type = wire["t"]
        if isinstance(asset, bool) or not isinstance(asset, int):
            raise OrderRejected("Order has invalid asset.")
        if not isinstance(is_buy, bool) or not isinstance(reduce_only, bool):
            raise OrderRejected("Order has invalid format.")
        limit_px = parse_decimal(wire["p"])
        sz = parse_decimal(wire["s"])
    except KeyError as exc:
        raise OrderRejected(f"Order is missing field {exc.args[0]!r}.") from exc
    except NumberError as exc:
        raise OrderRejected("Order has invalid price or size.") from exc
    cloid = wire.get("c")
    if cloid is not None and (not isinstance(cloid, str) or not _CLOID.match(cloid)):
        raise OrderRejected("Order has invalid cloid.")
    tif: str | None = None
    trigger: Trigger | None = None
    if not isinstance(order_type, dict) or len(order_type) != 1:
        raise OrderRejected("Order has invalid order type.")
    if "limit" in order_type:
        limit = order_type["limit"]
        tif = limit.get("tif") if isinstance(limit, dict) else None
        if tif not in TIFS:
            raise OrderRejected("Order has invalid tif.")
    elif "trigger" in order_type:
        spec = order_type["trigger"]
        if not isinstance(spec, dict) or spec.get("tpsl") not in ("tp", "sl"):
            raise OrderRejected("Invalid TP/SL price.")
        if not isinstance(spec.get("isMarket"), bool):
            raise OrderRejected("Order has invalid order type.")
        try:
            trigger_px = parse_decimal(spec.get("triggerPx"))
        except NumberError as exc:
            raise OrderRejected("Invalid TP/SL price.") from exc
        if trigger_px <= 0:
            raise OrderRejected("Invalid TP/SL price.")
        trigger = Trigger(trigger_px, spec["isMarket"], spec["tpsl"])
    else:
        raise OrderRejected("Order has invalid order type.")
    return OrderRequest(
        asset=asset,
        is_buy=is_buy,
        limit_px=limit_px,
        sz=sz,
        reduce_only=reduce_only,
        tif=tif,
        trigger=trigger,
        cloid=cloid.lower() if cloid else None,
    )


@dataclass
class Order:
    """A venue order: rests in the book (limit) or waits for its trigger; history is kept after it closes."""

    oid: int
    user: str
    coin: str
    asset: int
    is_buy: bool
    limit_px: Decimal
    orig_sz: Decimal
    remaining: Decimal
    reduce_only: bool
    tif: str | None
    trigger: Trigger | None
    cloid: str | None
    timestamp: int
    status: Status = Status.OPEN
    status_ts: int = 0
    triggered: bool = False
    filled_sz: Decimal = field(default=Decimal(0))
    filled_notional: Decimal = field(default=Decimal(0))

    @property
    def side(self) -> str:
        return "B" if self.is_buy else "A"

    @property
    def is_waiting_trigger(self) -> bool:
        return self.trigger is not None and not self.triggered and self.status is Status.OPEN

    @property
    def is_resting_limit(self) -> bool:
        return self.status is Status.OPEN and (self.trigger is None or self.triggered)

    def trigger_fires(self, mark: Decimal) -> bool:
        """Take-profit sells / stop-loss buys fire at or above the trigger; the other two at or below."""
        assert self.trigger is not None
        fires_above = self.is_buy == (self.trigger.tpsl == "sl")
        return mark >= self.trigger.trigger_px if fires_above else mark <= self.trigger.trigger_px

    def trigger_condition(self) -> str:
        if self.trigger is None:
            return "N/A"
        fires_above = self.is_buy == (self.trigger.tpsl == "sl")
        return f"Price {'above' if fires_above else 'below'} {wire(self.trigger.trigger_px)}"

    def order_type_name(self) -> str:
        if self.trigger is None:
            return "Limit"
        kind = "Take Profit" if self.trigger.tpsl == "tp" else "Stop"
        return f"{kind} {'Market' if self.trigger.is_market else 'Limit'}"
