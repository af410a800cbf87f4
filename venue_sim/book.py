"""Synthetic liquidity around the mid: a ladder of levels per side that refills every tick.

The ladder is a stand-in market maker. Takers consume levels in price order; what they take stays taken
until the next tick, so two market orders in the same tick walk the book like on a real venue, and an
order larger than the configured depth fills only partially (one fill per level, each with its own tid).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_UP, Decimal

from venue_sim.config import InstrumentConfig, SimConfig
from venue_sim.numbers import floor_size, round_price

_BPS = Decimal(10_000)


@dataclass(frozen=True)
class Level:
    index: int
    px: Decimal
    sz: Decimal  # size still available this tick


@dataclass(frozen=True)
class Take:
    """A proposed taker execution against one synthetic level."""

    level: int
    px: Decimal
    sz: Decimal


class SyntheticBook:
    def __init__(self) -> None:
        # (coin, taker_is_buy, level) -> size consumed during `_tick`
        self._consumed: dict[tuple[str, bool, int], Decimal] = {}
        self._tick = 0

    def on_tick(self, tick: int) -> None:
        if tick != self._tick:
            self._tick = tick
            self._consumed.clear()

    def levels(self, spec: InstrumentConfig, mid: Decimal, taker_is_buy: bool, cfg: SimConfig) -> list[Level]:
        """Levels a taker on this side would hit: asks (rounded up) for buys, bids (down) for sells."""
        out: list[Level] = []
        for i in range(cfg.depth_levels):
            offset = (cfg.half_spread_bps + cfg.level_step_bps * i) / _BPS
            if taker_is_buy:
                px = round_price(mid * (1 + offset), spec.sz_decimals, ROUND_UP)
            else:
                if offset >= 1:
                    break
                px = round_price(mid * (1 - offset), spec.sz_decimals, ROUND_DOWN)
            full = floor_size(cfg.level_notional_usd / px, spec.sz_decimals)
            left = full - self._consumed.get((spec.name, taker_is_buy, i), Decimal(0))
            if left > 0:
                out.append(Level(i, px, left))
        return out

    def quote(
        self,
        spec: InstrumentConfig,
        mid: Decimal,
        taker_is_buy: bool,
        limit_px: Decimal,
        size: Decimal,
        cfg: SimConfig,
    ) -> list[Take]:
        """What a taker would get up to `limit_px`, consuming nothing (the caller may still reject)."""
        takes: list[Take] = []
        remaining = size
        for level in self.levels(spec, mid, taker_is_buy, cfg):
            if remaining <= 0:
                break
            crosses = level.px <= limit_px if taker_is_buy else level.px >= limit_px
            if not crosses:
                break
            sz = min(remaining, level.sz)
            takes.append(Take(level.index, level.px, sz))
            remaining -= sz
        return takes

    def consume(self, coin: str, taker_is_buy: bool, takes: list[Take]) -> None:
        for take in takes:
            key = (coin, taker_is_buy, take.level)
            self._consumed[key] = self._consumed.get(key, Decimal(0)) + take.sz
