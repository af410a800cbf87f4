"""Token-bucket rate limiting, in-process or in Redis, behind one async interface.

Exact integer arithmetic (no floats, so the bound below holds to the last unit). Time is in microseconds.
A limit `RateLimit(burst=B, tokens=N, period_s=P)` refills N tokens every P seconds up to B. Internally one
token is worth `P * 1_000_000` *credits* and the bucket gains `N` credits per elapsed microsecond, so refill
needs no division and nothing is ever rounded in the caller's favour. Guarantee (property-tested): over any
window of length t microseconds a key is granted at most `B + N * t / (P * 1e6)` tokens.

A bucket that is full is indistinguishable from one that does not exist, which is what lets the in-process
limiter evict idle keys and the Redis limiter give each key a TTL equal to its time-to-full.

The Redis limiter runs the whole read-refill-take-write step in one Lua script (atomic on the server) and
by default uses the Redis server's `TIME`, so several API workers share one clock; tests inject a clock.
Lua numbers are IEEE doubles, exact up to 2**53: `RateLimit` refuses a capacity (B * P * 1e6 credits)
above that, e.g. a burst of 1000 with a one-hour period is fine.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel, Field, model_validator

US_PER_S = 1_000_000
_MAX_EXACT = 2**53
Clock = Callable[[], int]  # monotonic microseconds


def monotonic_us() -> int:
    return time.monotonic_ns() // 1_000


class RateLimit(BaseModel, frozen=True):
    """Refill `tokens` every `period_s` seconds, hold at most `burst`."""

    burst: int = Field(ge=1)
    tokens: int = Field(ge=1)
    period_s: int = Field(ge=1)

    @model_validator(mode="after")
    def _exact_in_lua(self) -> RateLimit:
        if self.capacity >= _MAX_EXACT or self.tokens * self.period_s * US_PER_S >= _MAX_EXACT:
            raise ValueError("rate limit too large for exact arithmetic (burst * period_s * 1e6 >= 2**53)")
        return self

    @property
    def token_credits(self) -> int:
        return self.period_s * US_PER_S

    @property
    def capacity(self) -> int:
        return self.burst * self.token_credits


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int  # whole tokens left after this request
    retry_after_us: int  # 0 when allowed; otherwise time until `cost` tokens are available

    @property
    def retry_after_s(self) -> int:
        """Whole seconds, rounded up, at least 1 when refused (the `Retry-After` header value)."""
        if self.allowed:
            return 0
        return max(1, -(-self.retry_after_us // US_PER_S))


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: RateLimit, cost: int = 1) -> Decision:
        """Take `cost` tokens from `key`'s bucket if it holds them; never takes a partial amount."""
        ...


def _step(level: int, last: int, now: int, limit: RateLimit, cost: int) -> tuple[int, Decision]:
    """Pure bucket step: returns the new level (credits) and the decision. Mirrored by the Lua script."""
    cap = limit.capacity
    elapsed = max(0, now - last)
    deficit = cap - level
    level = cap if elapsed * limit.tokens >= deficit else level + elapsed * limit.tokens
    need = cost * limit.token_credits
    if need > cap:  # can never be satisfied: refuse for a full period rather than loop
        return level, Decision(False, level // limit.token_credits, limit.token_credits)
    if level >= need:
        level -= need
        return level, Decision(True, level // limit.token_credits, 0)
    wait = -(-(need - level) // limit.tokens)
    return level, Decision(False, level // limit.token_credits, wait)


class InMemoryRateLimiter:
    """Process-local buckets; safe from threads and tasks (a lock around a step with no await)."""

    def __init__(self, clock: Clock = monotonic_us, max_keys: int = 100_000) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[str, tuple[int, int, RateLimit]] = {}  # key -> (level credits, at, limit)
        self._lock = threading.Lock()

    def hit_sync(self, key: str, limit: RateLimit, cost: int = 1) -> Decision:
        if cost < 1:
            raise ValueError("cost must be >= 1")
        with self._lock:
            now = self._clock()
            level, last, _ = self._buckets.get(key, (limit.capacity, now, limit))
            level, decision = _step(level, last, now, limit, cost)
            self._buckets[key] = (level, now, limit)
            if len(self._buckets) > self._max_keys:
                self._evict_full(now)
            return decision

    async def hit(self, key: str, limit: RateLimit, cost: int = 1) -> Decision:
        return self.hit_sync(key, limit, cost)

    def _evict_full(self, now: int) -> None:
        """Drop buckets that have refilled completely: they behave exactly like absent ones."""
        for key, (level, last, limit) in list(self._buckets.items()):
            if level + max(0, now - last) * limit.tokens >= limit.capacity:
                del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


# KEYS[1] bucket hash; ARGV: capacity, tokens (credits per us), token_credits, cost, now_us (-1: server TIME)
_LUA = """
local cap = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local per_token = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local now = tonumber(ARGV[5])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local state = redis.call('HMGET', KEYS[1], 'level', 'at')
local level = tonumber(state[1])
local last = tonumber(state[2])
if level == nil or last == nil then
  level = cap
  last = now
end
local elapsed = now - last
if elapsed < 0 then elapsed = 0 end
if elapsed * rate >= cap - level then level = cap else level = level + elapsed * rate end
local need = cost * per_token
local allowed = 0
local wait = 0
if need > cap then
  wait = per_token
elseif level >= need then
  level = level - need
  allowed = 1
else
  wait = math.ceil((need - level) / rate)
end
redis.call('HSET', KEYS[1], 'level', string.format('%.0f', level), 'at', string.format('%.0f', now))
local ttl_ms = math.ceil((cap - level) / rate / 1000) + 1000
redis.call('PEXPIRE', KEYS[1], ttl_ms)
return {allowed, string.format('%.0f', math.floor(level / per_token)), string.format('%.0f', wait)}
"""


class RedisRateLimiter:
    """Buckets in Redis (hash per key with a TTL), one atomic Lua step per request."""

    def __init__(self, client: object, prefix: str = "vc:rl:", clock: Clock | None = None) -> None:
        self._client = client
        self._prefix = prefix
        self._clock = clock
        self._script = client.register_script(_LUA)  # type: ignore[attr-defined]

    async def hit(self, key: str, limit: RateLimit, cost: int = 1) -> Decision:
        if cost < 1:
            raise ValueError("cost must be >= 1")
        now = self._clock() if self._clock is not None else -1
        args = [limit.capacity, limit.tokens, limit.token_credits, cost, now]
        allowed, remaining, wait = await self._script(keys=[self._prefix + key], args=args)
        return Decision(bool(int(allowed)), int(remaining), int(wait))
