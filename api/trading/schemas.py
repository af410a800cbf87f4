"""Request and response models of the trading API. Money crosses the boundary as decimal strings (never
JSON numbers with a fraction): they are parsed exactly into 1e8-scaled ints, and more than 8 decimals is a
422, never a silent rounding."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from api.auth.signed import SignedAction
from api.trading.risk import Limits
from keeper.money import SCALE, from_scaled, to_scaled

MAX_USD = 10**12  # a trillion dollars: far above any sane limit, far below int64 once scaled by 1e8
_DEC = r"^[0-9]{1,13}(\.[0-9]{1,8})?$"
ADDRESS = r"^0x[0-9a-fA-F]{40}$"
COIN = r"^[A-Za-z0-9]{1,20}$"


def _positive(value: str) -> str:
    if to_scaled(value) <= 0:
        raise ValueError("must be greater than zero")
    return value


def _bounded(value: str) -> str:
    if to_scaled(value) > MAX_USD * SCALE:
        raise ValueError(f"must be at most {MAX_USD}")
    return value


Decimal8 = Annotated[
    str,
    Field(pattern=_DEC, description="Non-negative decimal string, at most 8 decimals", examples=["1250.5"]),
    AfterValidator(_bounded),
]
PositiveDecimal8 = Annotated[Decimal8, AfterValidator(_positive)]


def dec_str(scaled: int) -> str:
    """1e8-scaled int -> plain decimal string (no exponent)."""
    return format(from_scaled(scaled), "f")


# --- risk templates -----------------------------------------------------------------------------------


class RiskTemplateIn(BaseModel):
    """A vault's order limits. Notionals are USD decimal strings; leverage is whole; slippage in bps."""

    model_config = ConfigDict(extra="forbid")

    allowed_instruments: list[Annotated[str, Field(pattern=COIN)]] = Field(min_length=1, max_length=200)
    max_position_notional: PositiveDecimal8
    max_order_notional: PositiveDecimal8
    max_leverage: int = Field(ge=1, le=100)
    max_slippage_bps: int = Field(ge=0, le=5_000)

    @model_validator(mode="after")
    def _unique(self) -> RiskTemplateIn:
        if len(set(self.allowed_instruments)) != len(self.allowed_instruments):
            raise ValueError("allowed_instruments has duplicates")
        return self

    def limits(self) -> Limits:
        return Limits(
            allowed_instruments=frozenset(self.allowed_instruments),
            max_position_notional=to_scaled(self.max_position_notional),
            max_order_notional=to_scaled(self.max_order_notional),
            max_leverage=self.max_leverage,
            max_slippage_bps=self.max_slippage_bps,
        )

    def canonical(self) -> dict[str, Any]:
        """The JSON that is signed, stored and digested (instruments sorted, decimals normalised)."""
        return {
            "allowed_instruments": sorted(self.allowed_instruments),
            "max_position_notional": dec_str(to_scaled(self.max_position_notional)),
            "max_order_notional": dec_str(to_scaled(self.max_order_notional)),
            "max_leverage": self.max_leverage,
            "max_slippage_bps": self.max_slippage_bps,
        }


class RiskPut(BaseModel):
    """Replace a vault's template. `signed` is an EIP-712 `Action` with action `risk.template.set` over
    params `{"vault": <checksum vault>, "template": <template as sent, canonical>, "expected_version": N}`
    where N is the version being replaced (0 to create), the same number as `If-Match`."""

    model_config = ConfigDict(extra="forbid")

    template: RiskTemplateIn
    signed: SignedAction


class RiskOut(BaseModel):
    vault: str
    version: int
    template: RiskTemplateIn
    updated_by: str
    updated_ms: int


# --- orders -------------------------------------------------------------------------------------------

SLIPPAGE_PRESETS: dict[str, int] = {"tight": 10, "normal": 50, "wide": 150}
DEFAULT_SLIPPAGE_PRESET = "normal"


class OrderIn(BaseModel):
    """One order. `type`: market (IOC bounded by slippage from the mid), limit, take_profit or
    stop_loss (trigger orders; market when `limit_px` is absent)."""

    model_config = ConfigDict(extra="forbid")

    coin: str = Field(pattern=COIN)
    side: Literal["buy", "sell"]
    size: PositiveDecimal8
    type: Literal["market", "limit", "take_profit", "stop_loss"]
    limit_px: PositiveDecimal8 | None = None
    trigger_px: PositiveDecimal8 | None = None
    tif: Literal["Gtc", "Ioc", "Alo"] = "Gtc"
    reduce_only: bool = False
    leverage: int | None = Field(default=None, ge=1, le=100, description="Set this leverage first")
    slippage_bps: int | None = Field(default=None, ge=0, le=5_000)
    slippage_preset: Literal["tight", "normal", "wide"] | None = None
    cloid: str | None = Field(default=None, pattern=r"^0x[0-9a-fA-F]{32}$")

    @model_validator(mode="after")
    def _consistent(self) -> OrderIn:
        if self.type == "limit" and self.limit_px is None:
            raise ValueError("a limit order needs limit_px")
        if self.type in ("take_profit", "stop_loss") and self.trigger_px is None:
            raise ValueError("a take_profit / stop_loss order needs trigger_px")
        if self.type == "market" and self.limit_px is not None:
            raise ValueError("a market order takes no limit_px (use slippage_bps / slippage_preset)")
        if self.type in ("market", "limit") and self.trigger_px is not None:
            raise ValueError("trigger_px is only for take_profit / stop_loss")
        if self.slippage_bps is not None and self.slippage_preset is not None:
            raise ValueError("give slippage_bps or slippage_preset, not both")
        if self.type != "market" and (self.slippage_bps is not None or self.slippage_preset is not None):
            raise ValueError("slippage applies to market orders only")
        return self

    @property
    def is_buy(self) -> bool:
        return self.side == "buy"

    def effective_slippage_bps(self) -> int:
        if self.slippage_bps is not None:
            return self.slippage_bps
        return SLIPPAGE_PRESETS[self.slippage_preset or DEFAULT_SLIPPAGE_PRESET]


class WireOrder(BaseModel):
    """What is (or would be) sent to the venue, in venue units."""

    coin: str
    asset: int
    is_buy: bool
    size: str
    limit_px: str
    order_type: dict[str, Any]
    reduce_only: bool
    cloid: str | None
    leverage: int | None


class RiskResult(BaseModel):
    accepted: bool
    reason: str | None = None
    message: str | None = None
    limit: Any = None
    attempted: Any = None
    unit: str | None = None
    mark: str
    reference_px: str
    order_notional: str
    template_version: int


class DraftOut(BaseModel):
    vault: str
    would_send: WireOrder
    risk: RiskResult


class OrderOut(BaseModel):
    vault: str
    oid: int
    status: Literal["filled", "resting"]
    filled_size: str
    avg_px: str | None
    cloid: str | None
    sent: WireOrder
    risk: RiskResult


class CancelOut(BaseModel):
    vault: str
    oid: int
    status: Literal["canceled"]


class OpenOrderOut(BaseModel):
    oid: int
    coin: str
    side: Literal["buy", "sell"]
    size: str
    orig_size: str
    limit_px: str
    order_type: str
    reduce_only: bool
    trigger_px: str | None
    tif: str | None
    cloid: str | None
    timestamp_ms: int


class PositionOut(BaseModel):
    coin: str
    szi: str
    realized_pnl: str
    fees: str
    fill_count: int
    last_fill_ms: int


class FillOut(BaseModel):
    tid: int
    oid: int
    coin: str
    side: Literal["buy", "sell"]
    px: str
    size: str
    fee: str
    closed_pnl: str
    time_ms: int
    cloid: str | None
