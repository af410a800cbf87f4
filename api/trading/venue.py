"""The venue as the trading API sees it: the keeper's Hyperliquid adapter plus the few actions the exec
API needs beyond it (TP/SL trigger orders, leverage, open orders, instrument sizes), and a directory that
maps each vault to its venue account.

Venue answers are classified into stable reasons (`venue.insufficient_margin`, `venue.reduce_only`,
`venue.unknown_coin`, ...) so clients never parse venue prose. Transport failures become
`VenueUnavailable` with a fixed message (exception text can name hosts; it is never shown).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from typing import Any, Protocol

import eth_account
from hyperliquid.utils.types import Cloid

from keeper.money import SCALE, from_scaled, to_scaled
from keeper.venues.base import AccountState, OrderAck, OrderRequest
from keeper.venues.hyperliquid import HyperliquidVenue
from keeper.venues.hyperliquid_wire import parse_order_response

MAX_PRICE_SIG_FIGS = 5
MAX_PRICE_DECIMALS = 6  # perps: at most 6 - szDecimals decimals


class VenueUnavailable(Exception):
    """The venue could not be reached or answered garbage (maps to 503)."""


@dataclass(frozen=True, slots=True)
class VenueRejection:
    reason: str  # stable: venue.<what>
    message: str  # the venue's own text (never holds secrets: it is what the venue sent back)


_REASONS: tuple[tuple[str, str], ...] = (
    ("insufficient margin", "venue.insufficient_margin"),
    ("reduce only", "venue.reduce_only"),
    ("invalid asset", "venue.unknown_coin"),
    ("tick size", "venue.invalid_price"),
    ("invalid price", "venue.invalid_price"),
    ("invalid size", "venue.invalid_size"),
    ("minimum value", "venue.min_notional"),
    ("could not immediately match", "venue.no_liquidity"),
    ("post only", "venue.post_only_would_match"),
    ("invalid tp/sl", "venue.invalid_trigger"),
    ("invalid leverage", "venue.invalid_leverage"),
    ("never placed, already canceled, or filled", "venue.order_not_open"),
)


def classify(message: str) -> VenueRejection:
    lowered = message.lower()
    for needle, reason in _REASONS:
        if needle in lowered:
            return VenueRejection(reason, message[:300])
    return VenueRejection("venue.rejected", message[:300])


# --- venue rounding rules (pure) -----------------------------------------------------------------------


def size_ok(sz: int, sz_decimals: int) -> bool:
    """A size is valid when it has at most `sz_decimals` decimals."""
    return sz % 10 ** (8 - sz_decimals) == 0


def price_ok(px: int, sz_decimals: int) -> bool:
    """Perp prices: at most 5 significant figures (integers always allowed), <= 6 - szDecimals decimals."""
    if px <= 0:
        return False
    if px % SCALE == 0:
        return True
    max_dec = MAX_PRICE_DECIMALS - sz_decimals
    if px % 10 ** (8 - max_dec) != 0:
        return False
    digits = str(px).rstrip("0")
    int_part = px // SCALE
    sig = len(digits) if int_part else len(digits.lstrip("0"))
    return sig <= MAX_PRICE_SIG_FIGS


def market_bound_px(mid: int, is_buy: bool, slippage_bps: int, sz_decimals: int) -> int:
    """The IOC limit price a market order is sent with (mirrors the adapter: 5 significant figures, at most
    6 - szDecimals decimals, rounded away from the mid)."""
    px = from_scaled(mid) * Decimal(10_000 + slippage_bps if is_buy else 10_000 - slippage_bps) / 10_000
    exp = max(px.adjusted() - (MAX_PRICE_SIG_FIGS - 1), -(MAX_PRICE_DECIMALS - sz_decimals))
    rounded = px.quantize(Decimal(1).scaleb(exp), rounding=ROUND_UP if is_buy else ROUND_DOWN)
    return to_scaled(rounded)


# --- the port ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenOrder:
    oid: int
    coin: str
    is_buy: bool
    sz: int
    orig_sz: int
    limit_px: int
    order_type: str
    reduce_only: bool
    trigger_px: int | None
    tif: str | None
    cloid: str | None
    timestamp_ms: int


@dataclass(frozen=True, slots=True)
class TriggerRequest:
    coin: str
    is_buy: bool
    sz: int
    trigger_px: int
    limit_px: int  # the wire `p`: the limit for a limit trigger, the trigger price for a market trigger
    is_market: bool
    tpsl: str  # "tp" | "sl"
    reduce_only: bool
    cloid: str | None = None


class TradingVenue(Protocol):
    name: str
    account: str

    async def place_order(self, order: OrderRequest) -> OrderAck: ...

    async def place_trigger(self, order: TriggerRequest) -> OrderAck: ...

    async def cancel_order(self, coin: str, oid: int) -> bool: ...

    async def update_leverage(self, coin: str, leverage: int) -> str | None:
        """None when applied, else the venue's error text."""
        ...

    async def mids(self) -> dict[str, int]: ...

    async def account_state(self) -> AccountState: ...

    async def open_orders(self) -> list[OpenOrder]: ...

    def sz_decimals(self, coin: str) -> int | None:
        """None for a coin the venue does not list."""
        ...

    def asset_id(self, coin: str) -> int | None: ...


class HyperliquidTradingVenue(HyperliquidVenue):
    """`keeper.venues.hyperliquid.HyperliquidVenue` plus trigger orders, leverage and open orders.

    Uses the parent's SDK handles and nonce gate (one signer, actions serialised)."""

    def sz_decimals(self, coin: str) -> int | None:
        asset = self.asset_id(coin)
        return None if asset is None else int(self._info.asset_to_sz_decimals[asset])

    def asset_id(self, coin: str) -> int | None:
        try:
            return int(self._info.name_to_asset(coin))
        except KeyError:
            return None

    def _trigger_sync(self, order: TriggerRequest) -> OrderAck:
        if self._exchange is None:
            raise VenueUnavailable("read-only venue")
        order_type: Any = {
            "trigger": {
                "triggerPx": float(from_scaled(order.trigger_px)),
                "isMarket": order.is_market,
                "tpsl": order.tpsl,
            }
        }
        cloid = Cloid.from_str(order.cloid) if order.cloid else None
        with self._gate:
            response = self._exchange.order(
                order.coin,
                order.is_buy,
                float(from_scaled(order.sz)),
                float(from_scaled(order.limit_px)),
                order_type,
                reduce_only=order.reduce_only,
                cloid=cloid,
            )
        return parse_order_response(response)

    async def place_trigger(self, order: TriggerRequest) -> OrderAck:
        return await asyncio.to_thread(self._trigger_sync, order)

    def _leverage_sync(self, coin: str, leverage: int) -> str | None:
        if self._exchange is None:
            raise VenueUnavailable("read-only venue")
        with self._gate:
            response = self._exchange.update_leverage(leverage, coin, True)
        if isinstance(response, Mapping) and response.get("status") == "ok":
            return None
        text = response.get("response") if isinstance(response, Mapping) else response
        return str(text)[:300]

    async def update_leverage(self, coin: str, leverage: int) -> str | None:
        return await asyncio.to_thread(self._leverage_sync, coin, leverage)

    async def open_orders(self) -> list[OpenOrder]:
        raw = await asyncio.to_thread(self._info.frontend_open_orders, self.account)
        out = []
        for o in raw:
            trigger = o.get("triggerPx")
            out.append(
                OpenOrder(
                    oid=int(o["oid"]),
                    coin=str(o["coin"]),
                    is_buy=o["side"] == "B",
                    sz=to_scaled(o["sz"]),
                    orig_sz=to_scaled(o.get("origSz", o["sz"])),
                    limit_px=to_scaled(o["limitPx"]),
                    order_type=str(o.get("orderType", "Limit")),
                    reduce_only=bool(o.get("reduceOnly", False)),
                    trigger_px=to_scaled(trigger)
                    if o.get("isTrigger") and trigger not in (None, "")
                    else None,
                    tif=o.get("tif"),
                    cloid=o.get("cloid"),
                    timestamp_ms=int(o.get("timestamp", 0)),
                )
            )
        return out


class VenueDirectory(Protocol):
    def venue_for(self, vault: str) -> TradingVenue | None:
        """The venue account that trades for `vault` (any case), or None when none is configured."""
        ...


class StaticVenues:
    """A fixed vault -> venue map (tests, or built from settings by `venues_from_settings`)."""

    def __init__(self, venues: Mapping[str, TradingVenue] | None = None) -> None:
        self._venues = {k.lower(): v for k, v in (venues or {}).items()}

    def add(self, vault: str, venue: TradingVenue) -> None:
        self._venues[vault.lower()] = venue

    def venue_for(self, vault: str) -> TradingVenue | None:
        return self._venues.get(vault.lower())


class LazySettingsVenues:
    """Builds each vault's adapter on first use from `TradingSettings` (the key stays a SecretStr until the
    SDK wallet is made; it is never logged)."""

    def __init__(self, settings: Any) -> None:
        self._settings = settings
        self._built: dict[str, TradingVenue] = {}

    def venue_for(self, vault: str) -> TradingVenue | None:
        key = vault.lower()
        if key in self._built:
            return self._built[key]
        secret = self._settings.venue_keys.get(key)
        if secret is None:
            return None
        wallet = eth_account.Account.from_key(secret.get_secret_value())
        account = self._settings.venue_accounts.get(key)
        venue = HyperliquidTradingVenue(
            self._settings.venue_url,
            wallet,
            account,
            name=self._settings.venue_name,
            timeout=self._settings.venue_timeout_s,
        )
        self._built[key] = venue
        return venue
