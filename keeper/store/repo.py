"""Repository: the only code that writes keeper tables. Every method is one short transaction.

Fill ingestion is idempotent: `INSERT .. ON CONFLICT (venue, tid) DO NOTHING RETURNING tid` tells which
fills are new, and only those move positions, order fill sizes and counters, in the same transaction.
Delivering the same fill any number of times, by any path, in any order, stores and counts it once.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, cast

from sqlalchemy import Engine, Table, bindparam, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from keeper.store.db import make_engine, make_sessionmaker
from keeper.store.models import (
    AuditLog,
    Fill,
    IngestCheckpoint,
    KeeperHeartbeat,
    Mark,
    OrderAck,
    Position,
    VenueOrder,
)
from keeper.venues.base import OrderAck as VenueAck
from keeper.venues.base import OrderRequest, VenueFill

FillSource = Literal["ws", "ws_snapshot", "rest"]
_FILLS = cast(Table, Fill.__table__)
_ORDERS = cast(Table, VenueOrder.__table__)
_MARKS = cast(Table, Mark.__table__)


@dataclass(frozen=True)
class IngestResult:
    new: list[VenueFill]
    duplicates: int


@dataclass(frozen=True)
class CheckpointView:
    confirmed_ms: int
    last_ack_ms: int | None
    last_ws_fill_ms: int | None
    last_rest_ms: int | None
    last_position_check_ms: int | None
    positions_in_sync: bool | None
    ws_fills: int
    reconciled_fills: int
    ws_dropped_suspected: int


@dataclass(frozen=True)
class PositionView:
    coin: str
    szi: int
    realized_pnl: int
    fees: int
    fill_count: int
    last_fill_ms: int


@dataclass(frozen=True)
class OpenAck:
    oid: int
    expected_sz: int
    stored_sz: int
    ack_ms: int
    fallback_attempts: int


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = make_sessionmaker(engine)
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    @classmethod
    def open(cls, url: str, migrate: bool = True) -> Store:
        """Open the store at `url`, bringing the schema to head first (Alembic) unless migrate=False."""
        if migrate:
            from keeper.store.migrations import upgrade

            upgrade(url)
        return cls(make_engine(url))

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """Like `session`, but the body may commit part-way (the outbox makes signed bytes durable before it
        broadcasts them); whatever is left commits at the end, or rolls back on an error."""
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    # --- fills -----------------------------------------------------------------------------------------

    def ingest_fills(
        self, venue: str, account: str, fills: Sequence[VenueFill], source: FillSource, now_ms: int
    ) -> IngestResult:
        unique: dict[int, VenueFill] = {}
        for fill in fills:
            unique.setdefault(fill.tid, fill)
        if not unique:
            return IngestResult([], len(fills))
        with self.session() as s:
            batch = list(unique.values())
            rows = [_fill_row(venue, account, f, source, now_ms) for f in batch]
            # executemany + RETURNING: one cached statement, batched by SQLAlchemy's insertmanyvalues.
            stmt = (
                self._insert(_FILLS)
                .on_conflict_do_nothing(index_elements=["venue", "tid"])
                .returning(_FILLS.c.tid)
            )
            inserted = set(s.connection().execute(stmt, rows).scalars())
            new = [f for f in batch if f.tid in inserted]
            if new:
                self._apply_new_fills(s, venue, account, new, source, now_ms)
        return IngestResult(new, len(fills) - len(new))

    def _apply_new_fills(
        self, s: Session, venue: str, account: str, new: list[VenueFill], source: FillSource, now_ms: int
    ) -> None:
        per_coin: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
        per_oid: dict[int, int] = defaultdict(int)
        for f in new:
            agg = per_coin[f.coin]
            agg[0] += f.signed_sz
            agg[1] += f.closed_pnl
            agg[2] += f.fee
            agg[3] += 1
            agg[4] = max(agg[4], f.time_ms)
            per_oid[f.oid] += f.sz
        for coin, (szi, pnl, fees, count, last) in per_coin.items():
            stmt = self._insert(Position).values(
                venue=venue, account=account, coin=coin, szi=szi, realized_pnl=pnl, fees=fees,
                fill_count=count, last_fill_ms=last,
            )
            ex = stmt.excluded
            s.execute(
                stmt.on_conflict_do_update(
                    index_elements=["venue", "account", "coin"],
                    set_={
                        "szi": Position.szi + ex.szi,
                        "realized_pnl": Position.realized_pnl + ex.realized_pnl,
                        "fees": Position.fees + ex.fees,
                        "fill_count": Position.fill_count + ex.fill_count,
                        "last_fill_ms": case((ex.last_fill_ms > Position.last_fill_ms, ex.last_fill_ms),
                                             else_=Position.last_fill_ms),
                    },
                )
            )
        orders = _ORDERS.c
        total = orders.filled_sz + bindparam("delta")
        s.connection().execute(
            update(_ORDERS)
            .where(orders.venue == bindparam("b_venue"), orders.oid == bindparam("b_oid"))
            .values(
                filled_sz=total,
                updated_ms=bindparam("now"),
                status=case(
                    ((orders.status == "canceled") | (orders.status == "rejected"), orders.status),
                    (total >= orders.sz, "filled"),
                    else_="partially_filled",
                ),
            ),
            [{"b_venue": venue, "b_oid": oid, "delta": sz, "now": now_ms} for oid, sz in per_oid.items()],
        )
        self._ensure_checkpoint(s, venue, account)
        values: dict[str, Any] = {}
        if source == "rest":
            values["reconciled_fills"] = IngestCheckpoint.reconciled_fills + len(new)
        else:
            values["ws_fills"] = IngestCheckpoint.ws_fills + len(new)
        if source == "ws":
            values["last_ws_fill_ms"] = now_ms
        s.execute(_checkpoint_update(venue, account).values(**values))

    def fills(self, venue: str, account: str | None = None) -> list[Fill]:
        with self.session() as s:
            q = select(Fill).where(Fill.venue == venue).order_by(Fill.time_ms, Fill.tid)
            if account is not None:
                q = q.where(Fill.account == account)
            return list(s.scalars(q))

    def fill_count(self, venue: str) -> int:
        with self.session() as s:
            return int(s.scalar(select(func.count()).select_from(Fill).where(Fill.venue == venue)) or 0)

    # --- orders and acks -------------------------------------------------------------------------------

    def record_order(
        self, venue: str, account: str, order: OrderRequest, ack: VenueAck, now_ms: int
    ) -> None:
        """Record the order and its ack. Fills stored before the ack (socket faster than HTTP) count."""
        if ack.oid is None:
            return
        with self.session() as s:
            self._ensure_checkpoint(s, venue, account)
            stored = self._stored_sz(s, venue, [ack.oid]).get(ack.oid, 0)
            # Derived from stored fills only: an ack never makes an order "filled" by itself.
            if stored >= order.sz:
                status = "filled"
            elif stored > 0 or ack.status == "filled":
                status = "partially_filled"
            else:
                status = "resting"
            s.execute(
                self._insert(VenueOrder)
                .values(
                    venue=venue, account=account, oid=ack.oid, cloid=order.cloid, coin=order.coin,
                    is_buy=order.is_buy, sz=order.sz, limit_px=order.limit_px, order_type=order.kind,
                    reduce_only=order.reduce_only, status=status, filled_sz=stored, created_ms=now_ms,
                    updated_ms=now_ms,
                )
                .on_conflict_do_nothing(index_elements=["venue", "oid"])
            )
            s.execute(
                self._insert(OrderAck)
                .values(
                    venue=venue, account=account, oid=ack.oid, status=ack.status, expected_sz=ack.filled_sz,
                    ack_ms=now_ms, settled=stored >= ack.filled_sz,
                    settled_ms=now_ms if stored >= ack.filled_sz else None, fallback_attempts=0,
                )
                .on_conflict_do_nothing(index_elements=["venue", "oid"])
            )
            s.execute(_checkpoint_update(venue, account).values(last_ack_ms=now_ms))

    def mark_canceled(self, venue: str, oid: int, now_ms: int) -> None:
        """A confirmed cancel: the order keeps its fill size; a filled order stays filled."""
        with self.session() as s:
            s.execute(
                update(VenueOrder)
                .where(VenueOrder.venue == venue, VenueOrder.oid == oid, VenueOrder.status != "filled")
                .values(status="canceled", updated_ms=now_ms)
            )

    def order(self, venue: str, oid: int) -> VenueOrder | None:
        with self.session() as s:
            return s.scalar(select(VenueOrder).where(VenueOrder.venue == venue, VenueOrder.oid == oid))

    def _stored_sz(self, s: Session, venue: str, oids: Sequence[int]) -> dict[int, int]:
        rows = s.execute(
            select(Fill.oid, func.sum(Fill.sz))
            .where(Fill.venue == venue, Fill.oid.in_(oids))
            .group_by(Fill.oid)
        )
        return {int(oid): int(total) for oid, total in rows}

    def open_acks(self, venue: str, account: str, now_ms: int) -> list[OpenAck]:
        """Settle acks whose fills are all stored; return the ones still waiting for fills."""
        with self.session() as s:
            acks = list(
                s.scalars(
                    select(OrderAck).where(
                        OrderAck.venue == venue, OrderAck.account == account, OrderAck.settled.is_(False)
                    )
                )
            )
            if not acks:
                return []
            stored = self._stored_sz(s, venue, [a.oid for a in acks])
            waiting: list[OpenAck] = []
            for ack in acks:
                have = stored.get(ack.oid, 0)
                if have >= ack.expected_sz:
                    ack.settled, ack.settled_ms = True, now_ms
                else:
                    waiting.append(OpenAck(ack.oid, ack.expected_sz, have, ack.ack_ms, ack.fallback_attempts))
            return waiting

    def note_fallback(self, venue: str, account: str, oids: Sequence[int], suspected: int) -> None:
        """Count a fallback attempt per ack and `suspected` new socket drops (`ws_dropped_suspected`)."""
        if not oids:
            return
        with self.session() as s:
            s.execute(
                update(OrderAck)
                .where(OrderAck.venue == venue, OrderAck.oid.in_(oids))
                .values(fallback_attempts=OrderAck.fallback_attempts + 1)
            )
            self._ensure_checkpoint(s, venue, account)
            s.execute(
                _checkpoint_update(venue, account).values(
                    ws_dropped_suspected=IngestCheckpoint.ws_dropped_suspected + suspected
                )
            )

    # --- checkpoint ------------------------------------------------------------------------------------

    def _ensure_checkpoint(self, s: Session, venue: str, account: str) -> None:
        s.execute(
            self._insert(IngestCheckpoint)
            .values(venue=venue, account=account, confirmed_ms=0, ws_fills=0, reconciled_fills=0,
                    ws_dropped_suspected=0)
            .on_conflict_do_nothing(index_elements=["venue", "account"])
        )

    def checkpoint(self, venue: str, account: str) -> CheckpointView:
        with self.session() as s:
            self._ensure_checkpoint(s, venue, account)
            row = s.get_one(IngestCheckpoint, (venue, account))
            return CheckpointView(
                row.confirmed_ms, row.last_ack_ms, row.last_ws_fill_ms, row.last_rest_ms,
                row.last_position_check_ms, row.positions_in_sync, row.ws_fills, row.reconciled_fills,
                row.ws_dropped_suspected,
            )

    def ingest_status(self, venue: str, account: str) -> dict[str, Any]:
        """What /status shows for ingestion (times in ms; counters since the store was created)."""
        cp = self.checkpoint(venue, account)
        return {
            "venue": venue,
            "account": account,
            "last_ack": cp.last_ack_ms,
            "last_ws_fill": cp.last_ws_fill_ms,
            "last_rest_reconcile": cp.last_rest_ms,
            "confirmed_fill_time": cp.confirmed_ms,
            "ws_fills": cp.ws_fills,
            "reconciled_fills": cp.reconciled_fills,
            "ws_dropped_suspected": cp.ws_dropped_suspected,
            "positions_in_sync": cp.positions_in_sync,
            "last_position_check": cp.last_position_check_ms,
        }

    def advance_checkpoint(self, venue: str, account: str, confirmed_ms: int, now_ms: int) -> None:
        """Move the confirmed REST point forward (never backwards)."""
        with self.session() as s:
            self._ensure_checkpoint(s, venue, account)
            s.execute(
                _checkpoint_update(venue, account).values(
                    confirmed_ms=case(
                        (IngestCheckpoint.confirmed_ms < confirmed_ms, confirmed_ms),
                        else_=IngestCheckpoint.confirmed_ms,
                    ),
                    last_rest_ms=now_ms,
                )
            )

    # --- positions -------------------------------------------------------------------------------------

    def positions(self, venue: str, account: str) -> dict[str, PositionView]:
        with self.session() as s:
            rows = s.scalars(select(Position).where(Position.venue == venue, Position.account == account))
            return {
                p.coin: PositionView(p.coin, p.szi, p.realized_pnl, p.fees, p.fill_count, p.last_fill_ms)
                for p in rows
            }

    def record_position_check(
        self, venue: str, account: str, venue_szi: dict[str, int], now_ms: int
    ) -> dict[str, tuple[int, int]]:
        """Store the venue's sizes next to ours; returns mismatches {coin: (store_szi, venue_szi)}."""
        with self.session() as s:
            self._ensure_checkpoint(s, venue, account)
            ours = {
                p.coin: p
                for p in s.scalars(
                    select(Position).where(Position.venue == venue, Position.account == account)
                )
            }
            mismatches: dict[str, tuple[int, int]] = {}
            for coin in set(ours) | set(venue_szi):
                theirs = venue_szi.get(coin, 0)
                row = ours.get(coin)
                mine = row.szi if row else 0
                if row is not None:
                    row.venue_szi, row.reconciled_ms, row.in_sync = theirs, now_ms, mine == theirs
                if mine != theirs:
                    mismatches[coin] = (mine, theirs)
            s.execute(
                _checkpoint_update(venue, account).values(
                    last_position_check_ms=now_ms, positions_in_sync=not mismatches
                )
            )
            return mismatches

    # --- marks ---------------------------------------------------------------------------------------

    def record_marks(self, venue: str, marks: dict[str, int], time_ms: int, source: str = "mid") -> None:
        """Store one price per coin at `time_ms` (1e8); re-recording the same instant is a no-op."""
        if not marks:
            return
        rows = [
            {"venue": venue, "coin": coin, "time_ms": time_ms, "px": px, "source": source}
            for coin, px in marks.items()
        ]
        with self.session() as s:
            s.connection().execute(
                self._insert(_MARKS).on_conflict_do_nothing(index_elements=["venue", "coin", "time_ms"]), rows
            )

    def latest_marks(self, venue: str, at_ms: int | None = None) -> dict[str, tuple[int, int]]:
        """{coin: (px, time_ms)} of the newest mark per coin at or before `at_ms` (default: newest)."""
        with self.session() as s:
            q = select(Mark.coin, func.max(Mark.time_ms)).where(Mark.venue == venue).group_by(Mark.coin)
            if at_ms is not None:
                q = q.where(Mark.time_ms <= at_ms)
            out: dict[str, tuple[int, int]] = {}
            for coin, t in s.execute(q).all():
                px = s.scalar(
                    select(Mark.px).where(Mark.venue == venue, Mark.coin == coin, Mark.time_ms == t)
                )
                out[coin] = (int(px or 0), int(t))
            return out

    # --- audit -----------------------------------------------------------------------------------------

    def heartbeat(self, holder: str, vault: str | None, is_leader: bool, status: dict[str, Any],
                  now_ms: int) -> None:
        """Upsert this keeper process's latest status (read by the API's /v1/status)."""
        row = {"holder": holder, "vault": vault, "is_leader": is_leader,
               "status": json.loads(json.dumps(status, default=str)), "at_ms": now_ms}
        stmt = self._insert(KeeperHeartbeat.__table__).values(**row)
        update = {k: stmt.excluded[k] for k in ("vault", "is_leader", "status", "at_ms")}
        with self.session() as s:
            s.execute(stmt.on_conflict_do_update(index_elements=["holder"], set_=update))

    def heartbeats(self, max_age_ms: int, now_ms: int) -> list[KeeperHeartbeat]:
        with self.session() as s:
            query = select(KeeperHeartbeat).where(KeeperHeartbeat.at_ms >= now_ms - max_age_ms)
            rows = list(s.scalars(query.order_by(KeeperHeartbeat.holder)))
            s.expunge_all()
            return rows

    def audit(self, actor: str, action: str, detail: dict[str, Any], now_ms: int) -> None:
        with self.session() as s:
            s.add(AuditLog(at_ms=now_ms, actor=actor, action=action, detail=detail))

    def audit_entries(self, action: str | None = None) -> list[AuditLog]:
        with self.session() as s:
            q = select(AuditLog).order_by(AuditLog.id)
            if action is not None:
                q = q.where(AuditLog.action == action)
            return list(s.scalars(q))


def _checkpoint_update(venue: str, account: str) -> Any:
    cp = IngestCheckpoint
    return update(cp).where(cp.venue == venue, cp.account == account)


def _fill_row(venue: str, account: str, f: VenueFill, source: str, now_ms: int) -> dict[str, Any]:
    return {
        "venue": venue, "account": account, "tid": f.tid, "oid": f.oid, "coin": f.coin, "is_buy": f.is_buy,
        "px": f.px, "sz": f.sz, "fee": f.fee, "closed_pnl": f.closed_pnl, "start_position": f.start_position,
        "direction": f.direction, "crossed": f.crossed, "time_ms": f.time_ms, "hash": f.hash,
        "cloid": f.cloid, "source": source, "ingested_ms": now_ms,
    }
