"""`SqlNonceStore`: the `NonceStore` port over table `api_nonces` (primary key = the nonce key).

`consume` is one statement, atomic on both backends:

    INSERT INTO api_nonces (key, expires_at) VALUES (:k, :e)
    ON CONFLICT (key) DO UPDATE SET expires_at = :e
        WHERE api_nonces.expires_at + :margin <= :now

One row affected means first use (or the reuse of a key whose retention ended: its signature is long
expired, so nothing can be replayed); zero rows means the key is live, i.e. a replay. Concurrent callers
race on the primary key and exactly one wins. Rows are kept until `expires_at + retention_margin_s` and
purged in bulk every `purge_every` consumes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import Table, delete
from sqlalchemy.dialects import postgresql, sqlite

from api.auth.nonces import RETENTION_MARGIN_S
from api.store.db import SqlDb
from keeper.store.models import ApiNonce

_NONCES = cast(Table, ApiNonce.__table__)
MAX_KEY_CHARS = 200


class SqlNonceStore:
    def __init__(
        self,
        db: SqlDb,
        clock: Callable[[], int],
        retention_margin_s: int = RETENTION_MARGIN_S,
        purge_every: int = 1_000,
    ) -> None:
        self._db = db
        self._clock = clock
        self._margin = retention_margin_s
        self._purge_every = purge_every
        self._count = 0
        self._insert = postgresql.insert if db.dialect == "postgresql" else sqlite.insert

    async def consume(self, key: str, expires_at: int) -> bool:
        if len(key) > MAX_KEY_CHARS:
            raise ValueError("nonce key too long")
        now = self._clock()
        stmt = self._insert(_NONCES).values(key=key, expires_at=expires_at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[_NONCES.c.key],
            set_={"expires_at": stmt.excluded.expires_at},
            where=(_NONCES.c.expires_at + self._margin) <= now,
        )
        self._count += 1
        purge = self._count % self._purge_every == 0

        def tx(conn: Any) -> bool:
            won = conn.execute(stmt).rowcount == 1
            if purge:
                conn.execute(delete(_NONCES).where(_NONCES.c.expires_at + self._margin <= now))
            return bool(won)

        return await self._db.run(tx, write=True)

    async def purge(self) -> int:
        now = self._clock()
        stmt = delete(_NONCES).where(_NONCES.c.expires_at + self._margin <= now)
        return int(await self._db.run(lambda conn: conn.execute(stmt).rowcount, write=True))
