"""`GET /v1/audit-log` (admin scope): who did what, from table `audit_log`, oldest first, paged by id
(`order=desc` for newest first)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from api.deps import RequireAdmin
from api.errors import declares
from api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, Page, decode_cursor, encode_cursor
from api.readdeps import ReadsDep, respond, strict_query

router = APIRouter(prefix="/v1", tags=["audit log"], dependencies=[Depends(strict_query)])


class AuditEntry(BaseModel):
    id: int
    at_ms: int
    actor: str
    action: str
    detail: dict[str, Any]


@router.get("/audit-log", response_model=Page[AuditEntry])
@declares(400)
async def audit_log(
    principal: RequireAdmin,
    reads: ReadsDep,
    cursor: CursorParam = None,
    limit: LimitParam = DEFAULT_LIMIT,
    order: Annotated[Literal["asc", "desc"], Query()] = "asc",
) -> Response:
    after = decode_cursor(cursor, f"audit-log-{order}", 1)
    rows = await reads.audit_log(after[0] if after else None, limit, newest_first=order == "desc")
    items = [AuditEntry(**{**r, "detail": r["detail"] or {}}) for r in rows[:limit]]
    nxt = encode_cursor(f"audit-log-{order}", items[-1].id) if len(rows) > limit else None
    return respond(Page[AuditEntry](items=items, next_cursor=nxt))
