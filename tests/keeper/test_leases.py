"""Leader lease on the DB clock (both backends): acquire, renew, expire, take-over with a new term."""

from __future__ import annotations

import time

from keeper.store.db import db_now_ms
from keeper.store.leases import LeaseManager
from keeper.store.repo import Store


def test_acquire__free_lease__holder_gets_term_1(store: Store) -> None:
    leases = LeaseManager(store)
    lease = leases.acquire("leader", "keeper-a", ttl_ms=5_000)
    assert lease is not None and lease.holder == "keeper-a" and lease.term == 1
    with store.session() as s:
        now = db_now_ms(s)
    assert now < lease.expires_ms <= now + 5_000


def test_acquire__held_by_other__refused_until_expiry_then_new_term(store: Store) -> None:
    leases = LeaseManager(store)
    first = leases.acquire("leader", "keeper-a", ttl_ms=300)
    assert first is not None
    assert leases.acquire("leader", "keeper-b", ttl_ms=300) is None
    time.sleep(0.35)
    second = leases.acquire("leader", "keeper-b", ttl_ms=5_000)
    assert second is not None and second.holder == "keeper-b" and second.term == first.term + 1
    # The old leader can neither renew (fenced by term) nor take the lease back while it is live.
    assert leases.renew(first, ttl_ms=5_000) is None
    assert leases.acquire("leader", "keeper-a", ttl_ms=5_000) is None


def test_renew__live_lease__extends_expiry_same_term(store: Store) -> None:
    leases = LeaseManager(store)
    lease = leases.acquire("leader", "keeper-a", ttl_ms=1_000)
    assert lease is not None
    time.sleep(0.01)
    renewed = leases.renew(lease, ttl_ms=10_000)
    assert renewed is not None and renewed.term == lease.term and renewed.expires_ms > lease.expires_ms
    again = leases.acquire("leader", "keeper-a", ttl_ms=10_000)  # re-acquire by the holder keeps the term
    assert again is not None and again.term == lease.term


def test_renew__expired_lease__fails(store: Store) -> None:
    leases = LeaseManager(store)
    lease = leases.acquire("leader", "keeper-a", ttl_ms=100)
    assert lease is not None
    time.sleep(0.15)
    assert leases.renew(lease, ttl_ms=1_000) is None


def test_release__lets_another_keeper_take_over_at_once(store: Store) -> None:
    leases = LeaseManager(store)
    lease = leases.acquire("leader", "keeper-a", ttl_ms=60_000)
    assert lease is not None and leases.release(lease)
    taken = leases.acquire("leader", "keeper-b", ttl_ms=60_000)
    assert taken is not None and taken.term == 2
    current = leases.current("leader")
    assert current is not None and current.holder == "keeper-b"
