"""Read queries over the keeper store, one short transaction each, keyset-paged where lists can grow.

Vault and account addresses are matched in both the checksum and the lower-case spelling (the keeper
stores checksum addresses; nothing else is assumed), so every lookup can use the tables' indexes.
Rows come back as plain dataclasses; routes turn them into their response models.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from eth_utils import to_checksum_address
from sqlalchemy import Table, and_, func, select, text

from api.kpis import NavPoint
from api.store.db import SqlDb
from keeper.store.db import db_now_ms_sql
from keeper.store.models import (
    AuditLog,
    EpochKeyWrap,
    Fill,
    IngestCheckpoint,
    KeeperLease,
    OutboxEntry,
    Position,
    Report,
    Statement,
    TradeCommitment,
)

_REPORTS = cast(Table, Report.__table__)
_OUTBOX = cast(Table, OutboxEntry.__table__)
_LEASES = cast(Table, KeeperLease.__table__)
_CHECKPOINTS = cast(Table, IngestCheckpoint.__table__)
_STATEMENTS = cast(Table, Statement.__table__)
_COMMITMENTS = cast(Table, TradeCommitment.__table__)
_WRAPS = cast(Table, EpochKeyWrap.__table__)
_POSITIONS = cast(Table, Position.__table__)
_FILLS = cast(Table, Fill.__table__)
_AUDIT = cast(Table, AuditLog.__table__)
MAX_ERROR_ENTRIES = 20
_NAV_PAGE = text(
    "SELECT epoch, nav, share_price, total_supply, posted_ms, struct_hash, tx_hash FROM reports"
    " WHERE vault IN (:v1, :v2) AND status = 'posted' AND epoch > :after ORDER BY epoch LIMIT :lim"
)
INT64_MAX = 2**63 - 1  # BIGINT bound (SQLite INTEGER, PostgreSQL BIGINT)


@functools.lru_cache(maxsize=4096)
def _spellings(address: str) -> tuple[str, ...]:
    try:
        return tuple(sorted({to_checksum_address(address), address.lower()}))
    except ValueError:
        return (address,)


def spellings(address: str) -> list[str]:
    """The forms an address may be stored in (checksum and lower case); memoised (checksums hash)."""
    return list(_spellings(address))


@dataclass(frozen=True)
class StatusSnapshot:
    db_now_ms: int
    leases: list[dict[str, Any]]
    checkpoints: list[dict[str, Any]]
    last_posted: list[dict[str, Any]]
    quarantined: list[dict[str, Any]]
    outbox_by_status: list[dict[str, Any]]
    outbox_errors: list[dict[str, Any]]


def _status_queries() -> dict[str, Any]:
    """The /v1/status statements: constant, so built once (constructing them costs more than running them)."""
    r, o = _REPORTS.c, _OUTBOX.c
    latest = (
        select(r.vault, func.max(r.epoch).label("epoch"))
        .where(r.status == "posted")
        .group_by(r.vault)
        .subquery()
    )
    return {
        "leases": select(_LEASES),
        "checkpoints": select(_CHECKPOINTS),
        "last_posted": select(r.vault, r.epoch, r.nav, r.share_price, r.posted_ms, r.tx_hash).join(
            latest, and_(r.vault == latest.c.vault, r.epoch == latest.c.epoch)
        ),
        "quarantined": select(r.vault, r.epoch, r.struct_hash, r.created_ms).where(r.status == "quarantined"),
        "outbox_by_status": select(
            o.status, func.count().label("count"), func.min(o.created_ms).label("oldest_ms")
        ).group_by(o.status),
        "outbox_errors": select(o.id, o.kind, o.vault, o.status, o.attempts, o.last_error, o.updated_ms)
        .where(o.last_error.is_not(None), o.status != "confirmed")
        .order_by(o.id.desc())
        .limit(MAX_ERROR_ENTRIES),
    }


_STATUS_QUERIES = _status_queries()


def _dicts(rows: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in rows]


class ReadStore:
    def __init__(self, db: SqlDb) -> None:
        self.db = db
        self._now_sql = text(f"SELECT {db_now_ms_sql(db.engine)}")

    # --- /status ----------------------------------------------------------------------------------------

    def _status(self, conn: Any) -> StatusSnapshot:
        q = _STATUS_QUERIES
        return StatusSnapshot(
            db_now_ms=int(conn.execute(self._now_sql).scalar_one()),
            leases=_dicts(conn.execute(q["leases"])),
            checkpoints=_dicts(conn.execute(q["checkpoints"])),
            last_posted=_dicts(conn.execute(q["last_posted"])),
            quarantined=_dicts(conn.execute(q["quarantined"])),
            outbox_by_status=_dicts(conn.execute(q["outbox_by_status"])),
            outbox_errors=_dicts(conn.execute(q["outbox_errors"])),
        )

    async def status(self) -> StatusSnapshot:
        return await self.db.run(self._status)

    # --- NAV ---------------------------------------------------------------------------------------------

    async def nav_page(self, vault: str, after_epoch: int | None, limit: int) -> list[dict[str, Any]]:
        """Posted reports after `after_epoch`, by epoch. The hottest list: one prepared statement with
        uint256 columns left as the decimal strings they are stored as (no int round trip)."""
        forms = spellings(vault)
        params = {
            "v1": forms[0],
            "v2": forms[-1],
            "after": -1 if after_epoch is None else after_epoch,
            "lim": limit + 1,
        }
        return await self.db.run(lambda conn: _dicts(conn.execute(_NAV_PAGE, params)))

    async def nav_points(self, vault: str, start_s: int | None, end_s: int | None) -> list[NavPoint]:
        """Posted reports with a share price, as KPI points (posted time in seconds, deduplicated)."""
        r = _REPORTS.c
        q = (
            select(r.posted_ms, r.share_price)
            .where(
                r.vault.in_(spellings(vault)),
                r.status == "posted",
                r.posted_ms.is_not(None),
                r.share_price.is_not(None),
            )
            .order_by(r.posted_ms, r.epoch)
        )
        if start_s is not None:
            q = q.where(r.posted_ms >= min(start_s * 1000, INT64_MAX))
        if end_s is not None:
            q = q.where(r.posted_ms <= min(end_s * 1000 + 999, INT64_MAX))
        rows = await self.db.run(lambda conn: list(conn.execute(q)))
        points: list[NavPoint] = []
        for posted_ms, price in rows:
            t = int(posted_ms) // 1000
            if price is None or int(price) <= 0:
                continue
            if points and points[-1].timestamp_s >= t:  # two posts in one second: keep the later one
                points[-1] = NavPoint(points[-1].timestamp_s, int(price))
                continue
            points.append(NavPoint(t, int(price)))
        return points

    async def latest_report(self, vault: str) -> dict[str, Any] | None:
        r = _REPORTS.c
        q = (
            select(r.epoch, r.share_price, r.nav, r.total_supply, r.posted_ms)
            .where(r.vault.in_(spellings(vault)), r.status == "posted")
            .order_by(r.epoch.desc())
            .limit(1)
        )
        rows = await self.db.run(lambda conn: _dicts(conn.execute(q)))
        return rows[0] if rows else None

    # --- statements ----------------------------------------------------------------------------------------

    async def statement(self, vault: str, holder: str, epoch: int | None) -> dict[str, Any] | None:
        """The holder's statement for `epoch` with its report's struct. Without an epoch: the latest one whose
        report the chain accepted, so the proof verifies on-chain (a newer report may still be in flight)."""
        s, r = _STATEMENTS.c, _REPORTS.c
        q = (
            select(
                s.epoch,
                s.holder,
                s.shares,
                s.leaf,
                s.salt,
                s.proof,
                r.fields,
                r.struct_hash,
                r.status.label("report_status"),
                r.holders_root,
            )
            .select_from(_STATEMENTS)
            .join(_REPORTS, and_(r.vault == s.vault, r.epoch == s.epoch), isouter=True)
            .where(s.vault.in_(spellings(vault)), s.holder.in_(spellings(holder)))
            .order_by(s.epoch.desc())
            .limit(1)
        )
        q = q.where(s.epoch == epoch) if epoch is not None else q.where(r.status == "posted")
        rows = await self.db.run(lambda conn: _dicts(conn.execute(q)))
        return rows[0] if rows else None

    # --- auditor records -------------------------------------------------------------------------------

    async def audit_records(
        self, vault: str, from_epoch: int | None, to_epoch: int | None, after_seq: int | None, limit: int
    ) -> list[dict[str, Any]]:
        c = _COMMITMENTS.c
        q = (
            select(c.seq, c.epoch, c.commitment, c.ciphertext, c.enc_meta, c.created_ms)
            .where(c.vault.in_(spellings(vault)))
            .order_by(c.seq)
            .limit(limit + 1)
        )
        if from_epoch is not None:
            q = q.where(c.epoch >= from_epoch)
        if to_epoch is not None:
            q = q.where(c.epoch <= to_epoch)
        if after_seq is not None:
            q = q.where(c.seq > after_seq)
        return await self.db.run(lambda conn: _dicts(conn.execute(q)))

    async def key_wraps(
        self,
        vault: str,
        from_epoch: int | None,
        to_epoch: int | None,
        after: tuple[int, str] | None,
        limit: int,
    ) -> list[dict[str, Any]]:
        w = _WRAPS.c
        q = (
            select(w.epoch, w.auditor_key, w.wrap, w.key_commitment, w.created_ms)
            .where(w.vault.in_(spellings(vault)))
            .order_by(w.epoch, func.lower(w.auditor_key))
            .limit(limit + 1)
        )
        if from_epoch is not None:
            q = q.where(w.epoch >= from_epoch)
        if to_epoch is not None:
            q = q.where(w.epoch <= to_epoch)
        if after is not None:
            q = q.where(
                (w.epoch > after[0]) | ((w.epoch == after[0]) & (func.lower(w.auditor_key) > after[1]))
            )
        return await self.db.run(lambda conn: _dicts(conn.execute(q)))

    # --- public vault trading data -------------------------------------------------------------------

    async def vault_accounts(self, vault: str, configured: Sequence[str]) -> list[str]:
        """The venue accounts that trade for `vault`: configured ones, else those its committed fills name."""
        if configured:
            return sorted({a for acct in configured for a in spellings(acct)})
        c, f = _COMMITMENTS.c, _FILLS.c
        q = (
            select(f.account)
            .distinct()
            .select_from(_COMMITMENTS)
            .join(_FILLS, f.id == c.fill_id)
            .where(c.vault.in_(spellings(vault)))
        )
        rows = await self.db.run(lambda conn: list(conn.execute(q).scalars()))
        return sorted({a for acct in rows for a in spellings(acct)})

    async def positions(self, accounts: Sequence[str]) -> list[dict[str, Any]]:
        if not accounts:
            return []
        p = _POSITIONS.c
        q = (
            select(p.venue, p.account, p.coin, p.szi, p.realized_pnl, p.fees, p.fill_count, p.last_fill_ms)
            .where(p.account.in_(list(accounts)))
            .order_by(p.venue, p.account, p.coin)
        )
        return await self.db.run(lambda conn: _dicts(conn.execute(q)))

    async def fills(
        self, vault: str, accounts: Sequence[str], after_id: int | None, limit: int
    ) -> list[dict[str, Any]]:
        f, c = _FILLS.c, _COMMITMENTS.c
        committed = select(c.fill_id).where(c.vault.in_(spellings(vault)))
        cond: Any = f.id.in_(committed)
        if accounts:
            cond = cond | f.account.in_(list(accounts))
        q = (
            select(
                f.id,
                f.venue,
                f.account,
                f.tid,
                f.oid,
                f.coin,
                f.is_buy,
                f.px,
                f.sz,
                f.fee,
                f.closed_pnl,
                f.time_ms,
                f.hash,
            )
            .where(cond)
            .order_by(f.id)
            .limit(limit + 1)
        )
        if after_id is not None:
            q = q.where(f.id > after_id)
        return await self.db.run(lambda conn: _dicts(conn.execute(q)))

    # --- audit log -------------------------------------------------------------------------------------

    async def audit_log(
        self, after_id: int | None, limit: int, newest_first: bool = False
    ) -> list[dict[str, Any]]:
        a = _AUDIT.c
        q = select(a.id, a.at_ms, a.actor, a.action, a.detail).limit(limit + 1)
        if newest_first:
            q = q.order_by(a.id.desc())
            if after_id is not None:
                q = q.where(a.id < after_id)
        else:
            q = q.order_by(a.id)
            if after_id is not None:
                q = q.where(a.id > after_id)
        return await self.db.run(lambda conn: _dicts(conn.execute(q)))


class SqlNavSeries:
    """`NavSeriesProvider` over the posted reports; vaults not in the registry are unknown (None → 404)."""

    def __init__(self, reads: ReadStore, known: Any) -> None:
        self._reads = reads
        self._known = known  # callable(address) -> bool

    async def nav_series(self, vault: str, start_s: int | None, end_s: int | None) -> list[NavPoint] | None:
        if not self._known(vault):
            return None
        return await self._reads.nav_points(vault, start_s, end_s)
