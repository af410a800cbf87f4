"""`SqlVaultBindings`: which vaults a trading API key may act on (table `api_key_vaults`)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, delete, insert, select

from api.store.db import SqlDb
from keeper.store.models import ApiKeyVault

_BINDINGS = cast(Table, ApiKeyVault.__table__)


class SqlVaultBindings:
    def __init__(self, db: SqlDb) -> None:
        self._db = db

    async def is_bound(self, key_id: str, vault: str) -> bool:
        query = select(_BINDINGS.c.vault).where(
            _BINDINGS.c.key_id == key_id, _BINDINGS.c.vault == vault.lower()
        )
        return bool(await self._db.run(lambda conn: conn.execute(query).first() is not None))

    async def bind(self, key_id: str, vault: str) -> None:
        def write(conn: Any) -> None:
            row = {"key_id": key_id, "vault": vault.lower()}
            conn.execute(
                delete(_BINDINGS).where(_BINDINGS.c.key_id == key_id, _BINDINGS.c.vault == row["vault"])
            )
            conn.execute(insert(_BINDINGS).values(**row))

        await self._db.run(write, write=True)

    async def vaults(self, key_id: str) -> list[str]:
        query = select(_BINDINGS.c.vault).where(_BINDINGS.c.key_id == key_id).order_by(_BINDINGS.c.vault)
        return list(await self._db.run(lambda conn: list(conn.execute(query).scalars())))
