"""`GET /v1/vaults/{vault}/events`: the vault's and its NAV oracle's events from the chain (deposit and redeem
requests, cancels, claims, EpochSettled, fee events, ReportAccepted / ReportQuarantined, roles, pauses),
decoded with the deployment's ABIs and ordered by (block, log index).

Paging: each page scans at most `events_max_blocks` blocks. `next_cursor` resumes exactly after the last
event served (or after the scanned range when it held no more); it is null once `to_block` (default: the
head when the request was served) is reached. Uint values are decimal strings, bytes are 0x-hex.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.deps import ServicesDep, limit_ip
from api.errors import BadRequest, declares
from api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, Page, decode_cursor, encode_cursor
from api.readdeps import VaultDep, chain_of, strict_query

router = APIRouter(prefix="/v1", tags=["events"], dependencies=[Depends(limit_ip()), Depends(strict_query)])
BlockParam = Annotated[int | None, Query(ge=0, le=2**63 - 1)]


class EventOut(BaseModel):
    contract: str = Field(description="`Vault` or `NavOracle`")
    address: str
    event: str
    block: int
    log_index: int
    tx_hash: str
    args: dict[str, Any] = Field(description="Decoded arguments (uints as decimal strings, bytes as hex)")


class EventPage(Page[EventOut]):
    scanned_from: int
    scanned_to: int


@router.get("/vaults/{vault}/events", response_model=EventPage)
@declares(400, 503)
async def vault_events(
    record: VaultDep,
    services: ServicesDep,
    from_block: BlockParam = None,
    to_block: BlockParam = None,
    cursor: CursorParam = None,
    limit: LimitParam = DEFAULT_LIMIT,
) -> EventPage:
    chain = chain_of(services)
    head = await chain.head()
    start_block = record.block if from_block is None else from_block
    end_block = head.block if to_block is None else min(to_block, head.block)
    if to_block is not None and from_block is not None and to_block < from_block:
        raise BadRequest("to_block is before from_block")
    position = decode_cursor(cursor, "events", 2)
    start_index = 0
    if position is not None:
        start_block, start_index = position
    window_end = min(end_block, start_block + services.settings.events_max_blocks - 1)
    sources = [("Vault", record.address), ("NavOracle", record.nav_oracle)]
    logs = await chain.logs(sources, start_block, window_end)
    logs = [e for e in logs if (e.block, e.log_index) >= (start_block, start_index)]
    items = [EventOut(**e.__dict__) for e in logs[:limit]]
    if len(logs) > limit:
        cursor_out: str | None = encode_cursor("events", items[-1].block, items[-1].log_index + 1)
    elif window_end < end_block:
        cursor_out = encode_cursor("events", window_end + 1, 0)
    else:
        cursor_out = None
    return EventPage(
        items=items,
        next_cursor=cursor_out,
        scanned_from=start_block,
        scanned_to=max(window_end, start_block - 1),
    )
