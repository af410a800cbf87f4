"""`SqlKeyStore`: the `KeyStore` port over table `api_keys` (only HMACs are stored, never keys)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from api.auth.api_keys import ApiKeyRecord, KeyExistsError, Scope
from api.store.db import SqlDb
from keeper.store.models import ApiKey

_KEYS = cast(Table, ApiKey.__table__)


def _record(row: Any) -> ApiKeyRecord:
    scopes = frozenset(Scope(s) for s in row.scopes if s in Scope._value2member_map_)
    return ApiKeyRecord(
        key_id=row.key_id,
        key_hash=bytes(row.key_hash),
        owner=row.owner,
        scopes=scopes,
        created_at=int(row.created_at),
        expires_at=None if row.expires_at is None else int(row.expires_at),
        revoked_at=None if row.revoked_at is None else int(row.revoked_at),
    )


class SqlKeyStore:
    def __init__(self, db: SqlDb) -> None:
        self._db = db

    async def get(self, key_id: str) -> ApiKeyRecord | None:
        def q(conn: Any) -> ApiKeyRecord | None:
            row = conn.execute(select(_KEYS).where(_KEYS.c.key_id == key_id)).first()
            return None if row is None else _record(row)

        return await self._db.run(q)

    async def add(self, record: ApiKeyRecord) -> None:
        values = {
            "key_id": record.key_id,
            "key_hash": record.key_hash,
            "owner": record.owner,
            "scopes": sorted(s.value for s in record.scopes),
            "created_at": record.created_at,
            "expires_at": record.expires_at,
            "revoked_at": record.revoked_at,
        }
        try:
            await self._db.run(lambda conn: conn.execute(insert(_KEYS).values(**values)), write=True)
        except IntegrityError as exc:
            raise KeyExistsError(record.key_id) from exc

    async def revoke(self, key_id: str, at: int) -> bool:
        stmt = (
            update(_KEYS).where(_KEYS.c.key_id == key_id, _KEYS.c.revoked_at.is_(None)).values(revoked_at=at)
        )
        return bool(await self._db.run(lambda conn: conn.execute(stmt).rowcount == 1, write=True))

    async def list_all(self) -> list[ApiKeyRecord]:
        def q(conn: Any) -> list[ApiKeyRecord]:
            return [
                _record(r) for r in conn.execute(select(_KEYS).order_by(_KEYS.c.created_at, _KEYS.c.key_id))
            ]

        return await self._db.run(q)
