"""The keepers' own view for `/v1/status`: each live keeper's heartbeat (leader, writer counters, chain
errors, alert) and its latest store-vs-chain reconciliation verdict, folded into one verdict."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, select

from api.store.db import SqlDb
from keeper.store.models import KeeperHeartbeat

_BEATS = cast(Table, KeeperHeartbeat.__table__)


def fold(rows: list[Any], now_ms: int) -> dict[str, Any]:
    keepers = []
    verdicts = []
    for row in rows:
        chain = (row.status or {}).get("chain") or {}
        verdict = chain.get("reconciliation") or {}
        if row.is_leader and verdict:
            verdicts.append(verdict.get("verdict"))
        keepers.append(
            {
                "holder": row.holder,
                "vault": row.vault,
                "is_leader": bool(row.is_leader),
                "age_ms": now_ms - int(row.at_ms),
                "alert": chain.get("alert"),
                "chain_error": chain.get("chain_error"),
                "writer": chain.get("writer"),
                "reconciliation": verdict or None,
            }
        )
    overall = "unknown" if not verdicts else ("ok" if all(v == "ok" for v in verdicts) else "mismatch")
    return {"verdict": overall, "keepers": keepers}


async def keeper_health(db: SqlDb, now_ms: int, max_age_ms: int = 60_000) -> dict[str, Any]:
    query = select(_BEATS).where(_BEATS.c.at_ms >= now_ms - max_age_ms).order_by(_BEATS.c.holder)
    rows = await db.run(lambda conn: list(conn.execute(query)))
    return fold(rows, now_ms)
