"""API keys: format, hashed storage with pepper, constant-time verification, scopes, expiry, revocation."""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest

from api.auth.api_keys import (
    ApiKeyService,
    InMemoryKeyStore,
    InvalidKey,
    KeyExistsError,
    KeyHasher,
    Scope,
    grants,
    parse_key,
)
from tests.api.fakes import FakeClock

PEPPER = bytes(range(32))
pytestmark = pytest.mark.anyio


@pytest.fixture
def store() -> InMemoryKeyStore:
    return InMemoryKeyStore()


@pytest.fixture
def service(store: InMemoryKeyStore, wall_clock: FakeClock) -> ApiKeyService:
    return ApiKeyService(store, KeyHasher(PEPPER), wall_clock)


async def test_issue__returns_vc_id_secret_and_stores_only_a_peppered_hash(service, store):
    plaintext, record = await service.issue("desk-1", [Scope.TRADE])
    assert re.fullmatch(r"vc_[0-9a-f]{16}_[A-Za-z0-9_-]{43}", plaintext)
    key_id, secret = parse_key(plaintext)
    stored = await store.get(key_id)
    assert stored == record and secret.encode() not in repr(stored).encode()
    expected = hmac.new(PEPPER, b"vc-api-key:v1:" + key_id.encode() + b":" + secret.encode(), hashlib.sha256)
    assert stored.key_hash == expected.digest()


async def test_authenticate__round_trip_gives_principal_with_actor(service):
    plaintext, record = await service.issue("desk-1", [Scope.READ, Scope.TRADE])
    principal = await service.authenticate(plaintext)
    assert principal.scopes == {Scope.READ, Scope.TRADE}
    assert principal.actor == f"api_key:{record.key_id}:desk-1"


async def test_authenticate__wrong_secret_unknown_id_or_other_pepper_refused(service, store, wall_clock):
    plaintext, _ = await service.issue("desk-1", [Scope.READ])
    key_id, secret = parse_key(plaintext)
    tampered = f"vc_{key_id}_{'A' if secret[0] != 'A' else 'B'}{secret[1:]}"
    for bad in (tampered, f"vc_{'0' * 16}_{secret}"):
        with pytest.raises(InvalidKey, match="unknown_or_wrong"):
            await service.authenticate(bad)
    other = ApiKeyService(store, KeyHasher(bytes(reversed(range(32)))), wall_clock)
    with pytest.raises(InvalidKey):
        await other.authenticate(plaintext)


@pytest.mark.parametrize(
    "bad", ["", "vc_", "vc_123_abc", "xx_0123456789abcdef_" + "a" * 43, "vc_0123456789ABCDEF_" + "a" * 43]
)
async def test_authenticate__malformed_refused(service, bad):
    with pytest.raises(InvalidKey, match="malformed"):
        await service.authenticate(bad)


async def test_authenticate__expired_and_revoked_refused(service, store, wall_clock):
    expiring, _ = await service.issue("desk-1", [Scope.READ], expires_at=wall_clock.now + 10)
    await service.authenticate(expiring)
    wall_clock.advance(10)
    with pytest.raises(InvalidKey, match="expired"):
        await service.authenticate(expiring)
    revoked, record = await service.issue("desk-2", [Scope.READ])
    assert await store.revoke(record.key_id, wall_clock.now)
    assert not await store.revoke(record.key_id, wall_clock.now)
    with pytest.raises(InvalidKey, match="revoked"):
        await service.authenticate(revoked)


async def test_store__duplicate_id_refused(store, service):
    _, record = await service.issue("desk-1", [Scope.READ])
    with pytest.raises(KeyExistsError):
        await store.add(record)


async def test_issue__needs_a_scope(service):
    with pytest.raises(ValueError):
        await service.issue("desk-1", [])


def test_scopes__admin_implies_all_others_nothing_else_does():
    assert all(grants({Scope.ADMIN}, s) for s in Scope)
    assert grants({Scope.TRADE}, Scope.TRADE)
    assert not grants({Scope.TRADE}, Scope.READ)
    assert not grants({Scope.READ, Scope.TRADE, Scope.RISK}, Scope.ADMIN)


def test_hasher__refuses_short_pepper():
    with pytest.raises(ValueError):
        KeyHasher(b"short")
