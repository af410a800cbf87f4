"""Outbox rows: enqueue an intent once (by dedupe key), find the next one to work on, report the backlog."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keeper.store.models import OutboxEntry

OPEN = ("pending", "sent", "mined")


def enqueue(
    session: Session,
    *,
    kind: str,
    vault: str,
    dedupe_key: str,
    payload: dict[str, Any],
    now_ms: int,
    seq: int | None = None,
) -> OutboxEntry:
    """The intent with `dedupe_key`, created if new: enqueuing twice (e.g. after a crash) is harmless."""
    existing = session.scalar(select(OutboxEntry).where(OutboxEntry.dedupe_key == dedupe_key))
    if existing is not None:
        return existing
    entry = OutboxEntry(
        dedupe_key=dedupe_key,
        kind=kind,
        vault=vault,
        seq=seq,
        payload=payload,
        status="pending",
        attempts=0,
        created_ms=now_ms,
        updated_ms=now_ms,
    )
    session.add(entry)
    session.flush()
    return entry


def next_open(session: Session, vault: str) -> OutboxEntry | None:
    """The oldest unfinished intent: the writer works strictly in order, one at a time."""
    query = (
        select(OutboxEntry)
        .where(OutboxEntry.vault == vault, OutboxEntry.status.in_(OPEN))
        .order_by(OutboxEntry.id)
        .limit(1)
    )
    return session.scalar(query)


def has_open(session: Session, vault: str, kinds: tuple[str, ...] | None = None) -> bool:
    query = (
        select(func.count())
        .select_from(OutboxEntry)
        .where(OutboxEntry.vault == vault, OutboxEntry.status.in_(OPEN))
    )
    if kinds is not None:
        query = query.where(OutboxEntry.kind.in_(kinds))
    return bool(session.scalar(query))


@dataclass(frozen=True)
class Backlog:
    by_status: dict[str, int]
    oldest_open_ms: int | None
    last_error: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "by_status": self.by_status,
            "oldest_open_ms": self.oldest_open_ms,
            "last_error": self.last_error,
        }


def backlog(session: Session, vault: str) -> Backlog:
    rows = session.execute(
        select(OutboxEntry.status, func.count())
        .where(OutboxEntry.vault == vault)
        .group_by(OutboxEntry.status)
    ).all()
    oldest = session.scalar(
        select(func.min(OutboxEntry.created_ms)).where(
            OutboxEntry.vault == vault, OutboxEntry.status.in_(OPEN)
        )
    )
    error = session.scalar(
        select(OutboxEntry.last_error)
        .where(OutboxEntry.vault == vault, OutboxEntry.last_error.is_not(None))
        .order_by(OutboxEntry.id.desc())
        .limit(1)
    )
    return Backlog({status: int(n) for status, n in rows}, oldest, error)
