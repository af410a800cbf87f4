"""SQL access of the trading API on the keeper store's engine (SQLite or PostgreSQL, same code).

Only `risk_templates` and `audit_log` are written here; orders/acks go through `Store.record_order`
so the keeper's ack fallback tracks them. Every method is one short synchronous transaction: route code
runs them in a worker thread.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from api.auth.signed import canonical_json
from keeper.store.models import Fill, IngestCheckpoint, Position, Report, RiskTemplate
from keeper.store.repo import Store


class VersionConflict(Exception):
    def __init__(self, current: int) -> None:
        super().__init__(f"current version is {current}")
        self.current = current


@dataclass(frozen=True)
class StoredTemplate:
    vault: str
    version: int
    template: dict[str, Any]
    updated_by: str
    updated_ms: int


def params_digest(params: dict[str, Any]) -> str:
    """sha256 of the canonical JSON (sorted keys, no spaces, no floats), hex."""
    return hashlib.sha256(canonical_json(params)).hexdigest()


class TradingRepo:
    def __init__(self, store: Store) -> None:
        self.store = store

    # --- risk templates -------------------------------------------------------------------------------

    def get_template(self, vault: str) -> StoredTemplate | None:
        with self.store.session() as s:
            row = s.get(RiskTemplate, vault.lower())
            if row is None:
                return None
            return StoredTemplate(row.vault, row.version, dict(row.template), row.updated_by, row.updated_ms)

    def replace_template(
        self, vault: str, template: dict[str, Any], expected_version: int, actor: str, now_ms: int
    ) -> int:
        """Compare-and-set: version `expected_version` (0 = none yet) becomes expected_version + 1."""
        key = vault.lower()
        new_version = expected_version + 1
        values = {
            "template": template,
            "updated_by": actor[:128],
            "updated_ms": now_ms,
            "version": new_version,
        }
        try:
            with self.store.session() as s:
                if expected_version == 0:
                    s.execute(insert(RiskTemplate).values(vault=key, **values))
                else:
                    result = s.execute(
                        update(RiskTemplate)
                        .where(RiskTemplate.vault == key, RiskTemplate.version == expected_version)
                        .values(**values)
                    )
                    if result.rowcount != 1:  # type: ignore[attr-defined]
                        current = s.scalar(select(RiskTemplate.version).where(RiskTemplate.vault == key))
                        raise VersionConflict(int(current or 0))
        except IntegrityError as exc:  # a row appeared (create raced, or a template already exists)
            raise VersionConflict(self._version(key)) from exc
        return new_version

    def _version(self, key: str) -> int:
        with self.store.session() as s:
            return int(s.scalar(select(RiskTemplate.version).where(RiskTemplate.vault == key)) or 0)

    # --- audit ----------------------------------------------------------------------------------------

    def audit(
        self,
        actor: str,
        action: str,
        vault: str,
        params: dict[str, Any],
        result: str,
        now_ms: int,
        **extra: Any,
    ) -> None:
        detail = {"vault": vault.lower(), "params_digest": params_digest(params), "result": result, **extra}
        self.store.audit(actor[:128], action, detail, now_ms)

    # --- reads ----------------------------------------------------------------------------------------

    def fills(
        self, venue: str, account: str, *, after_id: int = 0, since_ms: int = 0, limit: int = 100
    ) -> list[Fill]:
        with self.store.session() as s:
            q = (
                select(Fill)
                .where(
                    Fill.venue == venue, Fill.account == account, Fill.id > after_id, Fill.time_ms >= since_ms
                )
                .order_by(Fill.id)
                .limit(limit)
            )
            return list(s.scalars(q))

    def last_fill_id(self, venue: str, account: str) -> int:
        with self.store.session() as s:
            q = select(func.max(Fill.id)).where(Fill.venue == venue, Fill.account == account)
            return int(s.scalar(q) or 0)

    def positions(self, venue: str, account: str) -> list[Position]:
        with self.store.session() as s:
            q = select(Position).where(Position.venue == venue, Position.account == account)
            return list(s.scalars(q.order_by(Position.coin)))

    def latest_report(self, vault: str) -> Report | None:
        with self.store.session() as s:
            q = (
                select(Report)
                .where(func.lower(Report.vault) == vault.lower())
                .order_by(Report.epoch.desc())
                .limit(1)
            )
            return s.scalar(q)

    def checkpoint(self, venue: str, account: str) -> IngestCheckpoint | None:
        with self.store.session() as s:
            return s.get(IngestCheckpoint, (venue, account))
