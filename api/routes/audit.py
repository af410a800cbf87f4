"""Auditor data of a vault (ciphertexts and public keys only, never plaintext):

* `GET /v1/vaults/{vault}/auditors`: auditor X25519 keys from AuditorRegistry events (AuditorAdded /
  AuditorRemoved) with the current validity window read from `window(vault, key)`;
* `GET /v1/vaults/{vault}/audit/records?from_epoch=&to_epoch=&cursor=`: encrypted trade records
  (`trade_commitments`: seq, epoch, commitment, ciphertext hex, envelope metadata), paged by seq;
* `GET /v1/vaults/{vault}/audit/key-wraps?from_epoch=&to_epoch=&cursor=`: epoch keys wrapped (HPKE) to
  each auditor key (`epoch_key_wraps`), paged by (epoch, auditor key).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from eth_utils import keccak
from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from api.chain import ChainUnavailable
from api.deps import ServicesDep, limit_ip
from api.errors import BadRequest, declares
from api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, Page, decode_cursor, encode_cursor
from api.readdeps import ReadsDep, VaultDep, chain_of, respond, strict_query

router = APIRouter(prefix="/v1", tags=["auditors"], dependencies=[Depends(limit_ip()), Depends(strict_query)])
EpochParam = Annotated[int | None, Query(ge=0, le=2**63 - 1)]
MAX_SCAN_WINDOWS = 200
_ADDED = "0x" + keccak(text="AuditorAdded(address,bytes32,uint256,uint256)").hex()
_REMOVED = "0x" + keccak(text="AuditorRemoved(address,bytes32,uint256)").hex()


class AuditorOut(BaseModel):
    auditor_key: str = Field(description="X25519 public key (0x-hex, 32 bytes)")
    valid_from: int = Field(description="Unix seconds")
    valid_until: int = Field(description="Unix seconds")
    active: bool = Field(description="Head block time within [valid_from, valid_until)")
    added_block: int
    removed: bool


class AuditorList(BaseModel):
    vault: str
    registry: str
    block: int
    auditors: list[AuditorOut]


class AuditRecordOut(BaseModel):
    seq: int
    epoch: int
    commitment: str
    ciphertext: str = Field(description="0x-hex envelope ciphertext")
    enc_meta: dict[str, Any] = Field(description="Suite, AAD and per-auditor wrapped keys (public data)")
    created_ms: int


class KeyWrapOut(BaseModel):
    epoch: int
    auditor_key: str
    wrap: str = Field(description="0x-hex HPKE wrap of the epoch key (enc || ct || tag)")
    key_commitment: str
    created_ms: int


def _check_range(from_epoch: int | None, to_epoch: int | None) -> None:
    if from_epoch is not None and to_epoch is not None and to_epoch < from_epoch:
        raise BadRequest("to_epoch is before from_epoch")


@router.get("/vaults/{vault}/auditors", response_model=AuditorList)
@declares(503)
async def auditors(record: VaultDep, services: ServicesDep) -> AuditorList:
    chain = chain_of(services)
    registry = services.deps.registry.singleton("auditor_registry")
    if registry is None:
        raise ChainUnavailable("no AuditorRegistry in the deployment")
    head = await chain.head()
    vault_topic = "0x" + "00" * 12 + record.address.lower()[2:]
    step = services.settings.events_max_blocks
    seen: dict[str, dict[str, Any]] = {}
    start = record.block
    for _ in range(MAX_SCAN_WINDOWS):
        if start > head.block:
            break
        end = min(head.block, start + step - 1)
        for log in await chain.logs(
            [("AuditorRegistry", registry)], start, end, topics=[[_ADDED, _REMOVED], vault_topic]
        ):
            key = str(log.args["auditor_key"])
            if log.event == "AuditorAdded":
                seen[key] = {"added_block": log.block, "removed": False}
            elif key in seen:
                seen[key]["removed"] = True
        start = end + 1
    keys = list(seen)
    windows = await asyncio.gather(
        *(
            chain.views("AuditorRegistry", registry, [("window", (record.address, bytes.fromhex(k[2:])))])
            for k in keys
        )
    )
    out: list[AuditorOut] = []
    for key, window in zip(keys, windows, strict=True):
        w = window.get("window")
        valid_from = int(w.get("valid_from", 0)) if isinstance(w, dict) else 0
        valid_until = int(w.get("valid_until", 0)) if isinstance(w, dict) else 0
        out.append(
            AuditorOut(
                auditor_key=key,
                valid_from=valid_from,
                valid_until=valid_until,
                active=valid_from <= head.timestamp < valid_until,
                added_block=seen[key]["added_block"],
                removed=seen[key]["removed"],
            )
        )
    return AuditorList(vault=record.address, registry=registry, block=head.block, auditors=out)


@router.get("/vaults/{vault}/audit/records", response_model=Page[AuditRecordOut])
@declares(400)
async def audit_records(
    record: VaultDep,
    reads: ReadsDep,
    from_epoch: EpochParam = None,
    to_epoch: EpochParam = None,
    cursor: CursorParam = None,
    limit: LimitParam = DEFAULT_LIMIT,
) -> Response:
    _check_range(from_epoch, to_epoch)
    after = decode_cursor(cursor, "audit-records", 1)
    rows = await reads.audit_records(record.address, from_epoch, to_epoch, after[0] if after else None, limit)
    items = [
        AuditRecordOut(
            seq=r["seq"],
            epoch=r["epoch"],
            commitment=r["commitment"],
            ciphertext="0x" + bytes(r["ciphertext"]).hex(),
            enc_meta=r["enc_meta"] or {},
            created_ms=r["created_ms"],
        )
        for r in rows[:limit]
    ]
    nxt = encode_cursor("audit-records", items[-1].seq) if len(rows) > limit else None
    return respond(Page[AuditRecordOut](items=items, next_cursor=nxt))


@router.get("/vaults/{vault}/audit/key-wraps", response_model=Page[KeyWrapOut])
@declares(400)
async def key_wraps(
    record: VaultDep,
    reads: ReadsDep,
    from_epoch: EpochParam = None,
    to_epoch: EpochParam = None,
    cursor: CursorParam = None,
    limit: LimitParam = DEFAULT_LIMIT,
) -> Response:
    _check_range(from_epoch, to_epoch)
    after = decode_cursor(cursor, "key-wraps", 2)
    after_key = (after[0], f"0x{after[1]:064x}") if after else None
    rows = await reads.key_wraps(record.address, from_epoch, to_epoch, after_key, limit)
    items = [
        KeyWrapOut(
            epoch=r["epoch"],
            auditor_key=r["auditor_key"],
            wrap="0x" + bytes(r["wrap"]).hex(),
            key_commitment=r["key_commitment"],
            created_ms=r["created_ms"],
        )
        for r in rows[:limit]
    ]
    nxt = None
    if len(rows) > limit:
        nxt = encode_cursor("key-wraps", items[-1].epoch, int(items[-1].auditor_key, 16))
    return respond(Page[KeyWrapOut](items=items, next_cursor=nxt))
