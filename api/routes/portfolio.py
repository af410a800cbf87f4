"""Public vaults only: `GET /v1/vaults/{vault}/positions` (table `positions` of the vault's venue accounts)
and `GET /v1/vaults/{vault}/fills` (its fills, through `trade_commitments.fill_id` or its venue accounts).

A private vault answers 403 `private_vault` to everyone, admin keys included, before any query runs: its
positions and fills leave the keeper only as commitments and ciphertexts. Sizes, prices, fees and PnL are
exact decimal strings (the store's 1e8 integers, never floats).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from api.deps import ServicesDep, limit_ip
from api.errors import declares
from api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, Page, decode_cursor, encode_cursor
from api.readdeps import PublicVaultDep, ReadsDep, money, respond, strict_query

router = APIRouter(
    prefix="/v1", tags=["portfolio"], dependencies=[Depends(limit_ip()), Depends(strict_query)]
)


class PositionOut(BaseModel):
    venue: str
    account: str
    coin: str
    size: str = Field(description="Signed size (decimal string)")
    realized_pnl: str = Field(description="USDC (decimal string)")
    fees: str = Field(description="USDC (decimal string)")
    fill_count: int
    last_fill_ms: int


class PositionList(BaseModel):
    vault: str
    accounts: list[str]
    positions: list[PositionOut]


class FillOut(BaseModel):
    id: int
    venue: str
    account: str
    tid: int
    oid: int
    coin: str
    side: str = Field(description="`buy` or `sell`")
    price: str
    size: str
    fee: str
    closed_pnl: str
    time_ms: int
    hash: str


@router.get("/vaults/{vault}/positions", response_model=PositionList)
async def positions(record: PublicVaultDep, reads: ReadsDep, services: ServicesDep) -> PositionList:
    accounts = await reads.vault_accounts(record.address, services.deps.registry.accounts_of(record.address))
    rows = await reads.positions(accounts)
    return PositionList(
        vault=record.address,
        accounts=sorted({a.lower() for a in accounts}),
        positions=[
            PositionOut(
                venue=r["venue"],
                account=r["account"],
                coin=r["coin"],
                size=money(r["szi"]) or "0",
                realized_pnl=money(r["realized_pnl"]) or "0",
                fees=money(r["fees"]) or "0",
                fill_count=r["fill_count"],
                last_fill_ms=r["last_fill_ms"],
            )
            for r in rows
        ],
    )


@router.get("/vaults/{vault}/fills", response_model=Page[FillOut])
@declares(400)
async def fills(
    record: PublicVaultDep,
    reads: ReadsDep,
    services: ServicesDep,
    cursor: CursorParam = None,
    limit: LimitParam = DEFAULT_LIMIT,
) -> Response:
    after = decode_cursor(cursor, "fills", 1)
    configured = services.deps.registry.accounts_of(record.address)
    accounts = await reads.vault_accounts(record.address, configured) if configured else []
    rows = await reads.fills(record.address, accounts, after[0] if after else None, limit)
    items = [
        FillOut(
            id=r["id"],
            venue=r["venue"],
            account=r["account"],
            tid=r["tid"],
            oid=r["oid"],
            coin=r["coin"],
            side="buy" if r["is_buy"] else "sell",
            price=money(r["px"]) or "0",
            size=money(r["sz"]) or "0",
            fee=money(r["fee"]) or "0",
            closed_pnl=money(r["closed_pnl"]) or "0",
            time_ms=r["time_ms"],
            hash=r["hash"],
        )
        for r in rows[:limit]
    ]
    nxt = encode_cursor("fills", items[-1].id) if len(rows) > limit else None
    return respond(Page[FillOut](items=items, next_cursor=nxt))
