"""SqlKeyStore and SqlNonceStore on SQLite and PostgreSQL: same contract as the in-memory ports, atomic
first-use-wins under concurrency, and the whole key lifecycle through the app with keys in SQL."""

from __future__ import annotations

import threading

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.auth.api_keys import ApiKeyRecord, ApiKeyService, InvalidKey, KeyExistsError, KeyHasher, Scope
from api.store.keys import SqlKeyStore
from api.store.nonces import SqlNonceStore
from keeper.store.models import ApiKey, ApiNonce
from tests.api.fakes import FakeClock
from tests.api.readside import make_read_app

NOW = 1_800_000_000


def record(key_id: str = "0123456789abcdef", **kw) -> ApiKeyRecord:
    base = dict(
        key_id=key_id,
        key_hash=b"\x01" * 32,
        owner="desk-1",
        scopes=frozenset({Scope.READ, Scope.TRADE}),
        created_at=NOW,
        expires_at=NOW + 60,
    )
    base.update(kw)
    return ApiKeyRecord(**base)


def test_key_store__add_get_roundtrip_duplicate_and_revoke(api_db):
    store = SqlKeyStore(api_db)

    async def run() -> None:
        assert await store.get("0123456789abcdef") is None
        await store.add(record())
        got = await store.get("0123456789abcdef")
        assert got == record()
        with pytest.raises(KeyExistsError):
            await store.add(record(owner="someone-else"))
        assert (await store.get("0123456789abcdef")).owner == "desk-1"
        assert await store.revoke("0123456789abcdef", NOW + 5) is True
        assert await store.revoke("0123456789abcdef", NOW + 6) is False
        assert await store.revoke("ffffffffffffffff", NOW) is False
        assert (await store.get("0123456789abcdef")).revoked_at == NOW + 5
        await store.add(record("fedcba9876543210", scopes=frozenset({Scope.ADMIN}), expires_at=None))
        assert [r.key_id for r in await store.list_all()] == ["0123456789abcdef", "fedcba9876543210"]

    anyio.run(run)


def test_key_store__holds_only_the_hmac_never_the_plaintext(api_db):
    clock = FakeClock(NOW)
    service = ApiKeyService(SqlKeyStore(api_db), KeyHasher(b"p" * 16 + b"epper-for-tests!"), clock)

    async def run() -> None:
        plaintext, rec = await service.issue("desk-9", [Scope.READ], expires_at=NOW + 10)
        principal = await service.authenticate(plaintext)
        assert principal.owner == "desk-9" and principal.scopes == frozenset({Scope.READ})
        secret = plaintext.rsplit("_", 1)[1]
        with api_db.engine.connect() as conn:
            row = conn.execute(select(ApiKey)).one()
        assert secret.encode() not in bytes(row.key_hash) and secret not in repr(row)
        clock.advance(10)
        with pytest.raises(InvalidKey):
            await service.authenticate(plaintext)

    anyio.run(run)


def test_nonce_store__first_use_wins_then_replay_refused_until_retention_ends(api_db):
    clock = FakeClock(NOW)
    store = SqlNonceStore(api_db, clock=clock, retention_margin_s=300)

    async def run() -> None:
        assert await store.consume("action:1:0xabc:7", NOW + 60) is True
        assert await store.consume("action:1:0xabc:7", NOW + 60) is False
        assert await store.consume("action:1:0xabc:8", NOW + 60) is True
        clock.advance(60 + 299)
        assert await store.consume("action:1:0xabc:7", NOW + 60) is False  # still inside the margin
        clock.advance(1)
        assert await store.consume("action:1:0xabc:7", NOW + 1000) is True  # retention over: reusable
        assert await store.consume("action:1:0xabc:7", NOW + 1000) is False
        assert await store.purge() == 1  # key 8 expired long ago; key 7 (re-armed) stays

    anyio.run(run)


def test_nonce_store__purges_in_bulk_every_n_consumes(api_db):
    clock = FakeClock(NOW)
    store = SqlNonceStore(api_db, clock=clock, retention_margin_s=0, purge_every=10)

    async def run() -> None:
        for i in range(9):
            assert await store.consume(f"k{i}", NOW + 1)
        clock.advance(5)
        assert await store.consume("k9", NOW + 100)  # the 10th consume purges the 9 expired rows

    anyio.run(run)
    with api_db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ApiNonce)).scalar_one() == 1


def test_nonce_store__concurrent_consumers_of_one_key__exactly_one_wins(api_db):
    store = SqlNonceStore(api_db, clock=lambda: NOW)
    results: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        won = anyio.run(store.consume, "race", NOW + 60)
        with lock:
            results.append(bool(won))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 8 and results.count(True) == 1


def test_app_with_sql_ports__login_replay_is_refused_across_app_instances(sqlite_db):
    """Two API workers share the SQL nonce table: a login challenge used on one is refused on the other."""
    from eth_account import Account
    from eth_account.messages import encode_defunct

    from tests.api.readside import NOW_MS, read_settings

    settings = read_settings()
    wall = lambda: NOW_MS // 1000  # noqa: E731
    apps = [
        make_read_app(
            sqlite_db,
            settings=settings,
            key_store=SqlKeyStore(sqlite_db),
            nonce_store=SqlNonceStore(sqlite_db, clock=wall),
        )
        for _ in range(2)
    ]
    first, second = (TestClient(a, raise_server_exceptions=False) for a in apps)
    holder = Account.create()
    message = first.get("/v1/auth/challenge", params={"address": holder.address}).json()["message"]
    signature = "0x" + bytes(holder.sign_message(encode_defunct(text=message)).signature).hex()
    assert first.post("/v1/auth/login", json={"message": message, "signature": signature}).status_code == 200
    replay = second.post("/v1/auth/login", json={"message": message, "signature": signature})
    assert replay.status_code == 409 and replay.json()["code"] == "nonce_reused"
    # keys issued through one worker authenticate on the other
    from tests.api.readside import issue

    key = issue(apps[0], Scope.ADMIN, owner="ops")
    assert second.get("/v1/audit-log", headers={"X-API-Key": key}).status_code == 200
