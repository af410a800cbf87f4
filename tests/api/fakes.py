"""Hand-driven clocks for rate limits (monotonic microseconds) and expiries (unix seconds)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FakeClock:
    now: int = 0

    def __call__(self) -> int:
        return self.now

    def advance(self, delta: int) -> None:
        assert delta >= 0
        self.now += delta
