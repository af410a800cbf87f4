"""Token buckets: exact refill, Retry-After rounding, the burst + rate*t bound (property), thread safety,
and the same behaviour from the Redis Lua implementation on a live server."""

from __future__ import annotations

import secrets
import threading
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.ratelimit import US_PER_S, Decision, InMemoryRateLimiter, RateLimit, RedisRateLimiter
from tests.api.fakes import FakeClock

LIMIT = RateLimit(burst=3, tokens=1, period_s=2)  # 3 at once, then one every 2 s


def test_bucket__burst_then_refuses_with_retry_after():
    clock = FakeClock(1_000)
    limiter = InMemoryRateLimiter(clock=clock)
    assert [limiter.hit_sync("k", LIMIT).allowed for _ in range(3)] == [True, True, True]
    refused = limiter.hit_sync("k", LIMIT)
    assert refused == Decision(allowed=False, remaining=0, retry_after_us=2 * US_PER_S)
    assert refused.retry_after_s == 2


def test_bucket__refills_exactly_after_retry_after():
    clock = FakeClock(0)
    limiter = InMemoryRateLimiter(clock=clock)
    for _ in range(3):
        limiter.hit_sync("k", LIMIT)
    clock.advance(2 * US_PER_S - 1)
    assert not limiter.hit_sync("k", LIMIT).allowed
    assert limiter.hit_sync("k", LIMIT).retry_after_us == 1
    clock.advance(1)
    assert limiter.hit_sync("k", LIMIT).allowed


def test_retry_after_s__rounds_up_to_whole_seconds_at_least_one():
    assert Decision(False, 0, 1).retry_after_s == 1
    assert Decision(False, 0, US_PER_S).retry_after_s == 1
    assert Decision(False, 0, US_PER_S + 1).retry_after_s == 2
    assert Decision(True, 3, 0).retry_after_s == 0


def test_buckets__are_independent_per_key():
    limiter = InMemoryRateLimiter(clock=FakeClock(0))
    for _ in range(3):
        assert limiter.hit_sync("a", LIMIT).allowed
    assert not limiter.hit_sync("a", LIMIT).allowed
    assert limiter.hit_sync("b", LIMIT).allowed


def test_cost_above_burst__is_refused_not_partially_taken():
    limiter = InMemoryRateLimiter(clock=FakeClock(0))
    assert not limiter.hit_sync("k", LIMIT, cost=4).allowed
    assert limiter.hit_sync("k", LIMIT, cost=3).allowed


def test_rate_limit__refuses_values_beyond_exact_lua_arithmetic():
    with pytest.raises(ValueError, match="exact arithmetic"):
        RateLimit(burst=10**6, tokens=1, period_s=10**4)


def test_eviction__drops_only_full_buckets():
    clock = FakeClock(0)
    limiter = InMemoryRateLimiter(clock=clock, max_keys=2)
    limiter.hit_sync("a", LIMIT)
    clock.advance(10 * US_PER_S)  # "a" is full again
    limiter.hit_sync("b", LIMIT)
    limiter.hit_sync("c", LIMIT)  # over max_keys: "a" evicted, "b"/"c" kept
    assert len(limiter) == 2
    for _ in range(2):
        assert limiter.hit_sync("b", LIMIT).allowed
    assert not limiter.hit_sync("b", LIMIT).allowed  # "b" kept its partial state


def test_in_memory__is_thread_safe_no_over_grant():
    limiter = InMemoryRateLimiter(clock=FakeClock(0))  # frozen clock: exactly `burst` grants in total
    limit = RateLimit(burst=100, tokens=1, period_s=60)
    granted = []

    def worker() -> None:
        granted.extend(limiter.hit_sync("shared", limit).allowed for _ in range(50))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(granted) == 100


limits = st.builds(
    RateLimit,
    burst=st.integers(1, 20),
    tokens=st.integers(1, 20),
    period_s=st.integers(1, 30),
)
schedules = st.lists(st.tuples(st.integers(0, 3 * US_PER_S), st.integers(1, 4)), min_size=1, max_size=60)


def _check_bound(limit: RateLimit, events: list[tuple[int, int]]) -> None:
    """granted(window) * token_credits <= burst * token_credits + tokens * window_length (exact)."""
    for i in range(len(events)):
        total = 0
        for j in range(i, len(events)):
            total += events[j][1]
            window = events[j][0] - events[i][0]
            assert total * limit.token_credits <= limit.capacity + limit.tokens * window


@given(limit=limits, schedule=schedules)
def test_property__never_grants_more_than_burst_plus_rate_times_t(limit, schedule):
    clock = FakeClock(0)
    limiter = InMemoryRateLimiter(clock=clock)
    events: list[tuple[int, int]] = []
    for delay, cost in schedule:
        clock.advance(delay)
        if limiter.hit_sync("k", limit, cost).allowed:
            events.append((clock.now, cost))
    _check_bound(limit, events)


@given(limit=limits, schedule=schedules)
def test_property__waiting_retry_after_is_enough(limit, schedule):
    clock = FakeClock(0)
    limiter = InMemoryRateLimiter(clock=clock)
    for delay, cost in schedule:
        clock.advance(delay)
        decision = limiter.hit_sync("k", limit, cost)
        if not decision.allowed and cost <= limit.burst:
            clock.advance(decision.retry_after_us)
            assert limiter.hit_sync("k", limit, cost).allowed


# --- Redis -----------------------------------------------------------------------------------------------


def _redis_limiter(client: Any, clock: FakeClock | None) -> RedisRateLimiter:
    return RedisRateLimiter(client, prefix=client.test_prefix + "rl:", clock=clock)


@pytest.mark.anyio
async def test_redis__same_decisions_as_in_memory(redis_client):
    clock = FakeClock(5 * US_PER_S)
    redis_limiter = _redis_limiter(redis_client, clock)
    memory = InMemoryRateLimiter(clock=clock)
    script = [(0, 1), (0, 1), (0, 1), (0, 1), (US_PER_S, 1), (US_PER_S, 1), (0, 2), (7 * US_PER_S, 3), (0, 4)]
    for delay, cost in script:
        clock.advance(delay)
        assert await redis_limiter.hit("k", LIMIT, cost) == await memory.hit("k", LIMIT, cost)


@pytest.mark.anyio
async def test_redis__server_clock_mode_refuses_after_burst_and_sets_ttl(redis_client):
    limiter = _redis_limiter(redis_client, clock=None)
    limit = RateLimit(burst=2, tokens=1, period_s=60)
    assert (await limiter.hit("srv", limit)).allowed
    assert (await limiter.hit("srv", limit)).allowed
    refused = await limiter.hit("srv", limit)
    assert not refused.allowed and 59 <= refused.retry_after_s <= 60
    ttl_ms = await redis_client.pttl(redis_client.test_prefix + "rl:srv")
    assert 0 < ttl_ms <= 121_000


@pytest.mark.anyio
async def test_redis__concurrent_hits_are_atomic(redis_client):
    import anyio

    limiter = _redis_limiter(redis_client, FakeClock(0))
    limit = RateLimit(burst=25, tokens=1, period_s=60)
    results: list[bool] = []

    async def one() -> None:
        results.append((await limiter.hit("race", limit)).allowed)

    async with anyio.create_task_group() as tg:
        for _ in range(60):
            tg.start_soon(one)
    assert sum(results) == 25


@settings(max_examples=15)
@given(limit=limits, schedule=schedules)
def test_property__redis_never_grants_more_than_bound(limit, schedule, redis_sync_prefix):
    import anyio
    import redis.asyncio as aioredis

    async def run() -> list[tuple[int, int]]:
        client = aioredis.Redis.from_url(redis_sync_prefix[0])
        client.test_prefix = redis_sync_prefix[1]  # type: ignore[attr-defined]
        clock = FakeClock(0)
        limiter = _redis_limiter(client, clock)
        key = "prop:" + secrets.token_hex(8)  # fresh bucket per example
        await client.delete(client.test_prefix + "rl:" + key)
        events = []
        try:
            for delay, cost in schedule:
                clock.advance(delay)
                if (await limiter.hit(key, limit, cost)).allowed:
                    events.append((clock.now, cost))
        finally:
            await client.delete(client.test_prefix + "rl:" + key)
            await client.aclose()
        return events

    _check_bound(limit, anyio.run(run))
