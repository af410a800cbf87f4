"""Simulated time: wall-clock driven or stepped, always in integer milliseconds.

Prices change only at tick boundaries (multiples of `tick_ms` after the start), so the price path is a
function of the tick index alone: advancing 3000 ms at once or 1000 ms three times gives the same mids.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def wall_ms() -> int:
    # time.time_ns keeps this integer; the SDK's nonces come from the same wall clock.
    return time.time_ns() // 1_000_000


class SimClock:
    def __init__(
        self, start_ms: int, tick_ms: int, stepped: bool, wall: Callable[[], int] = wall_ms
    ) -> None:
        self.start_ms = start_ms
        self.tick_ms = tick_ms
        self.stepped = stepped
        self._wall = wall
        self._wall_at_start = wall()
        self._offset_ms = 0  # added by /sim/advance, in either mode

    def now_ms(self) -> int:
        if self.stepped:
            return self.start_ms + self._offset_ms
        return self.start_ms + (self._wall() - self._wall_at_start) + self._offset_ms

    def advance(self, ms: int) -> None:
        if ms < 0:
            raise ValueError("time cannot go backwards")
        self._offset_ms += ms

    def tick_index(self, at_ms: int) -> int:
        return (at_ms - self.start_ms) // self.tick_ms

    def tick_time(self, index: int) -> int:
        return self.start_ms + index * self.tick_ms

    def wall_now_ms(self) -> int:
        """Wall time, used for nonce windows: the SDK stamps nonces with wall time, not simulated time."""
        return self._wall()
