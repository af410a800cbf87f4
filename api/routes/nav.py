"""`GET /v1/vaults/{vault}/nav`: the posted NAV reports of a vault, oldest first, cursor-paged by epoch.
(KPIs over the same series: `GET /v1/vaults/{vault}/kpis`, `api/routes/kpis.py`.)"""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from api.deps import limit_ip
from api.errors import declares
from api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, Page, decode_cursor, next_cursor
from api.readdeps import ReadsDep, VaultDep, strict_query

router = APIRouter(prefix="/v1", tags=["nav"], dependencies=[Depends(limit_ip()), Depends(strict_query)])


class NavPointOut(BaseModel):
    epoch: int
    nav: str = Field(description="Net asset value in asset base units (decimal string)")
    share_price: str | None = Field(description="1e18-scaled price per share at settlement")
    total_supply: str | None
    posted_ms: int | None
    struct_hash: str | None = Field(description="EIP-712 struct hash held by NavOracle.report_of(epoch)")
    tx_hash: str | None


@router.get("/vaults/{vault}/nav", response_model=Page[NavPointOut])
@declares(400)
async def nav_series(
    record: VaultDep, reads: ReadsDep, cursor: CursorParam = None, limit: LimitParam = DEFAULT_LIMIT
) -> Response:
    after = decode_cursor(cursor, "nav", 1)
    rows = await reads.nav_page(record.address, after[0] if after else None, limit)
    # The hottest list: rows go out as they come from the store, whose columns already have the response
    # types (uint256 columns are stored as decimal strings); the schemathesis suite checks the contract.
    items = rows[:limit]
    key = (int(items[-1]["epoch"]),) if items else None
    body = {"items": items, "next_cursor": next_cursor("nav", rows, limit, key)}
    return Response(json.dumps(body, separators=(",", ":")).encode(), media_type="application/json")
