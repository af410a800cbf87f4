"""Simulator configuration: instruments, market model, fees, fault injection.

`SimConfig` is immutable; runtime changes (`POST /sim/config`) build a validated copy and swap it in, so a
half-applied patch can never be observed. Only the knobs in `MUTABLE_FIELDS` may change at runtime: the
seed, clock mode and instrument list define the deterministic price path and are fixed at start-up.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class InstrumentConfig(BaseModel):
    """One perp market. Asset ids are positions in `SimConfig.instruments`, as in the venue's `meta`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    sz_decimals: int = Field(ge=0, le=6)
    max_leverage: int = Field(ge=1, le=100)
    start_px: Decimal = Field(gt=0)
    # Largest per-tick move of the seeded random walk, in parts per million (uniform integer draw).
    vol_ppm: int = Field(ge=0, le=100_000)
    # Deterministic per-tick drift in ppm, added to the random draw (tests use it to cross limit prices).
    drift_ppm: int = Field(default=0, ge=-100_000, le=100_000)


DEFAULT_INSTRUMENTS: tuple[InstrumentConfig, ...] = (
    InstrumentConfig(name="BTC", sz_decimals=5, max_leverage=40, start_px=Decimal("60000"), vol_ppm=400),
    InstrumentConfig(name="ETH", sz_decimals=4, max_leverage=25, start_px=Decimal("3000"), vol_ppm=500),
    InstrumentConfig(name="SOL", sz_decimals=2, max_leverage=20, start_px=Decimal("150"), vol_ppm=700),
)


class SimConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: int = 1
    # Stepped clock: simulated time moves only on POST /sim/advance (tests). Otherwise it follows wall time.
    step_clock: bool = False
    tick_ms: int = Field(default=1000, ge=1)
    # Simulated epoch at start-up; None means "wall clock at start-up".
    start_time_ms: int | None = None
    instruments: tuple[InstrumentConfig, ...] = DEFAULT_INSTRUMENTS

    # Fees as fractions of notional (venue base tier: 0.045% taker, 0.015% maker).
    taker_fee_rate: Decimal = Field(default=Decimal("0.00045"), ge=0, lt=1)
    maker_fee_rate: Decimal = Field(default=Decimal("0.00015"), gt=-1, lt=1)

    # Synthetic liquidity: `depth_levels` levels per side, the first `half_spread_bps` from the mid, then
    # every `level_step_bps`; each level holds `level_notional_usd` of size and refills every tick.
    half_spread_bps: Decimal = Field(default=Decimal("1"), ge=0)
    level_step_bps: Decimal = Field(default=Decimal("2"), gt=0)
    depth_levels: int = Field(default=10, ge=0, le=1000)
    level_notional_usd: Decimal = Field(default=Decimal("250000"), gt=0)

    min_order_notional_usd: Decimal = Field(default=Decimal("10"), ge=0)
    default_leverage: int = Field(default=20, ge=1)
    # Triggered market TP/SL orders execute as IOC bounded this far from the mid (the venue uses 10%).
    trigger_market_slippage: Decimal = Field(default=Decimal("0.1"), gt=0, lt=1)

    # Fault injection on userFills/orderUpdates WebSocket messages (snapshots are never dropped).
    ws_drop_rate: Decimal = Field(default=Decimal("0"), ge=0, le=1)
    ws_delay_ms: int = Field(default=0, ge=0, le=600_000)

    # Signatures: the SDK signs with source "a" only against the mainnet URL, so "b" is the local default.
    mainnet: bool = False
    # Replay protection per signer: the N highest nonces are kept; nonces must lie in the time window.
    nonce_set_size: int = Field(default=100, ge=1)
    nonce_past_window_ms: int = Field(default=2 * 24 * 3600 * 1000, ge=0)
    nonce_future_window_ms: int = Field(default=24 * 3600 * 1000, ge=0)

    max_fills_per_response: int = Field(default=2000, ge=1)

    @field_validator("instruments")
    @classmethod
    def _unique_names(cls, value: tuple[InstrumentConfig, ...]) -> tuple[InstrumentConfig, ...]:
        names = [spec.name for spec in value]
        if len(set(names)) != len(names) or not names:
            raise ValueError("instrument names must be unique and non-empty")
        return value

    def with_patch(self, patch: dict[str, Any]) -> SimConfig:
        """Validated copy with runtime knobs changed; immutable fields are refused, not ignored."""
        unknown = set(patch) - MUTABLE_FIELDS - {"drift_ppm", "vol_ppm"}
        if unknown:
            raise ValueError(f"not runtime-configurable: {sorted(unknown)}")
        data = self.model_dump()
        for key in ("drift_ppm", "vol_ppm"):
            per_coin = patch.get(key)
            if per_coin is None:
                continue
            if not isinstance(per_coin, dict):
                raise ValueError(f"{key} must map coin -> integer ppm")
            known = {spec["name"] for spec in data["instruments"]}
            if set(per_coin) - known:
                raise ValueError(f"unknown coins in {key}: {sorted(set(per_coin) - known)}")
            data["instruments"] = [
                {**spec, key: per_coin.get(spec["name"], spec[key])} for spec in data["instruments"]
            ]
        data.update({k: v for k, v in patch.items() if k in MUTABLE_FIELDS})
        return SimConfig.model_validate(data)

    def public_dict(self) -> dict[str, Any]:
        """JSON-safe view (decimals as strings so nothing round-trips through float)."""
        return self.model_dump(mode="json")


MUTABLE_FIELDS: frozenset[str] = frozenset(
    {
        "taker_fee_rate",
        "maker_fee_rate",
        "half_spread_bps",
        "level_step_bps",
        "depth_levels",
        "level_notional_usd",
        "min_order_notional_usd",
        "default_leverage",
        "trigger_market_slippage",
        "ws_drop_rate",
        "ws_delay_ms",
        "nonce_set_size",
        "max_fills_per_response",
    }
)
