"""Deterministic seeded price paths, one per instrument.

Each tick multiplies the price by (1 + (draw + drift) / 1e6) where `draw` is a uniform integer in
[-vol_ppm, vol_ppm] from a per-coin RNG seeded by (seed, coin). Integer draws keep the path exact in
Decimal; seeding per coin keeps one market's path independent of how many others exist.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_EVEN, Decimal

from venue_sim.config import InstrumentConfig
from venue_sim.numbers import PX_INTERNAL_QUANTUM, round_price

_PPM = Decimal(1_000_000)
# A multiplicative walk never reaches zero, but a huge negative drift could; keep prices strictly positive.
_FLOOR_FRACTION = Decimal("0.0001")


class PricePath:
    def __init__(self, spec: InstrumentConfig, seed: int) -> None:
        self.spec = spec
        # String seeds are hashed with SHA-512 by `random`, so this is stable across runs and platforms.
        self._rng = random.Random(f"venue-sim:{seed}:{spec.name}")
        self._px = spec.start_px
        self._floor = spec.start_px * _FLOOR_FRACTION

    @property
    def raw_px(self) -> Decimal:
        return self._px

    def step(self, vol_ppm: int, drift_ppm: int) -> None:
        # One draw per tick, always: the path is then a pure function of (seed, coin, knob history, tick).
        draw = self._rng.randint(-vol_ppm, vol_ppm)
        factor = (_PPM + Decimal(draw + drift_ppm)) / _PPM
        moved = (self._px * factor).quantize(PX_INTERNAL_QUANTUM, rounding=ROUND_HALF_EVEN)
        self._px = max(moved, self._floor)

    def jump_to(self, px: Decimal) -> None:
        if px <= 0:
            raise ValueError("price must be positive")
        self._px = px

    def mid(self) -> Decimal:
        """The published mid: the path price rounded to a valid venue price."""
        return round_price(self._px, self.spec.sz_decimals)


class Market:
    """All price paths, stepped together one tick at a time."""

    def __init__(self, instruments: tuple[InstrumentConfig, ...], seed: int) -> None:
        self.specs: dict[str, InstrumentConfig] = {spec.name: spec for spec in instruments}
        self.asset_ids: dict[str, int] = {spec.name: i for i, spec in enumerate(instruments)}
        self.coins_by_asset: dict[int, str] = {i: spec.name for i, spec in enumerate(instruments)}
        self._paths: dict[str, PricePath] = {spec.name: PricePath(spec, seed) for spec in instruments}
        self.tick = 0

    def step(self, instruments: tuple[InstrumentConfig, ...]) -> None:
        """Advance one tick; vol/drift are read from the *current* config so runtime drift applies."""
        for spec in instruments:
            self._paths[spec.name].step(spec.vol_ppm, spec.drift_ppm)
        self.tick += 1

    def jump(self, coin: str, px: Decimal) -> None:
        self._paths[coin].jump_to(px)

    def mid(self, coin: str) -> Decimal:
        return self._paths[coin].mid()

    def mids(self) -> dict[str, Decimal]:
        return {coin: path.mid() for coin, path in self._paths.items()}
