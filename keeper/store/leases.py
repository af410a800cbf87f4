"""Leader lease on `keeper_leases`, timed by the database clock so keepers on different hosts agree.

acquire: take a free, expired or own lease (one conditional statement, so two keepers cannot both win);
renew: extend only while still holder and not expired; release: expire now. `term` grows each time the
holder changes and serves as a fencing token for writes made under the lease.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import BigInteger, CursorResult, case, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnClause

from keeper.store.db import db_now_ms_sql
from keeper.store.models import KeeperLease
from keeper.store.repo import Store


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str
    term: int
    expires_ms: int


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount)


class LeaseManager:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._now: ColumnClause[int] = literal_column(db_now_ms_sql(store.engine), type_=BigInteger)
        self._insert = postgresql.insert if store.engine.dialect.name == "postgresql" else sqlite.insert

    def current(self, name: str) -> Lease | None:
        with self._store.session() as s:
            row = s.get(KeeperLease, name)
            return None if row is None else Lease(row.name, row.holder, row.term, row.expires_ms)

    def acquire(self, name: str, holder: str, ttl_ms: int) -> Lease | None:
        """Returns the lease if `holder` now holds it, else None."""
        now = self._now
        with self._store.session() as s:
            inserted = _rowcount(s.execute(
                self._insert(KeeperLease)
                .values(name=name, holder=holder, term=1, acquired_ms=now, renewed_ms=now,
                        expires_ms=now + ttl_ms)
                .on_conflict_do_nothing(index_elements=["name"])
            ))
            if not inserted:
                mine = KeeperLease.holder == holder
                result = s.execute(
                    update(KeeperLease)
                    .where(KeeperLease.name == name, mine | (KeeperLease.expires_ms <= now))
                    .values(
                        term=case((mine, KeeperLease.term), else_=KeeperLease.term + 1),
                        acquired_ms=case((mine, KeeperLease.acquired_ms), else_=now),
                        holder=holder,
                        renewed_ms=now,
                        expires_ms=now + ttl_ms,
                    )
                )
                if _rowcount(result) != 1:
                    return None
            row = s.execute(select(KeeperLease).where(KeeperLease.name == name)).scalar_one()
            return Lease(row.name, row.holder, row.term, row.expires_ms)

    def renew(self, lease: Lease, ttl_ms: int) -> Lease | None:
        """Extend a lease still held (same holder and term, not expired); None means leadership is lost."""
        now = self._now
        with self._store.session() as s:
            result = s.execute(
                update(KeeperLease)
                .where(
                    KeeperLease.name == lease.name,
                    KeeperLease.holder == lease.holder,
                    KeeperLease.term == lease.term,
                    KeeperLease.expires_ms > now,
                )
                .values(renewed_ms=now, expires_ms=now + ttl_ms)
            )
            if _rowcount(result) != 1:
                return None
            row = s.execute(select(KeeperLease).where(KeeperLease.name == lease.name)).scalar_one()
            return Lease(row.name, row.holder, row.term, row.expires_ms)

    def release(self, lease: Lease) -> bool:
        with self._store.session() as s:
            result = s.execute(
                update(KeeperLease)
                .where(KeeperLease.name == lease.name, KeeperLease.holder == lease.holder,
                       KeeperLease.term == lease.term)
                .values(expires_ms=self._now)
            )
            return _rowcount(result) == 1


__all__ = ["Lease", "LeaseManager"]
