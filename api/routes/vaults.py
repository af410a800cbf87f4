"""`GET /v1/vaults` (the deployment's vaults with their last posted NAV) and `GET /v1/vaults/{vault}` (its
on-chain parameters and state, read through web3). Every uint256 is a decimal string."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.chain import jsonable
from api.deps import ServicesDep, limit_ip
from api.errors import declares
from api.readdeps import ReadsDep, VaultDep, chain_of, strict_query, uint
from vaultcraft.deploy import VaultRecord

router = APIRouter(prefix="/v1", tags=["vaults"], dependencies=[Depends(limit_ip()), Depends(strict_query)])


class LastReport(BaseModel):
    epoch: int
    nav: str = Field(description="Asset base units")
    share_price: str | None = Field(description="1e18-scaled price per share")
    total_supply: str | None
    posted_ms: int | None


class VaultSummary(BaseModel):
    address: str
    name: str
    symbol: str
    is_private: bool
    nav_oracle: str
    trade_log: str
    deployed_block: int
    last_report: LastReport | None


class VaultList(BaseModel):
    chain_id: int | None
    vaults: list[VaultSummary]


class Roles(BaseModel):
    admin: str | None = Field(description="owner(): two-step transferable admin")
    manager: str | None
    guardian: str | None
    fee_recipient: str | None
    protocol_fee_recipient: str | None
    whitelist_manager: str | None


class FeeTerms(BaseModel):
    management_bps: int
    performance_bps: int
    hurdle_bps: int
    entry_bps: int
    exit_bps: int
    protocol_share_bps: int


class VaultDetail(VaultSummary):
    block: int = Field(description="Head block the on-chain values were read at (cached ~1 s)")
    asset: str | None
    decimals: int | None
    roles: Roles
    fees: FeeTerms | None
    pending_fees: FeeTerms | None = Field(description="Scheduled terms (after the notice delay), if any")
    pending_fees_effective_at: int | None
    deposit_cap: str | None
    lockup_s: str | None
    min_manager_bps: str | None
    sync_max_age_s: str | None
    epoch: str | None
    redeem_epoch: str | None
    total_assets: str | None
    total_supply: str | None
    aum: str | None = Field(description="Assets under management = totalAssets (asset base units)")
    price_per_share: str | None = Field(
        description="Asset base units per whole share: convertToAssets(10**decimals), else the last report"
    )
    price_per_share_source: str | None = Field(description="`chain` or `report`")
    share_price: str | None = Field(description="Vault.share_price(): 1e18-scaled")
    high_water_mark: str | None
    pending_deposit_assets: str | None
    pending_redeem_shares: str | None
    paused: bool | None
    shut_down: bool | None
    quarantined: bool | None
    last_settled_at: str | None
    keeper_quorum: str | None
    keeper_count: str | None


def _last(row: dict[str, Any] | None) -> LastReport | None:
    if row is None:
        return None
    return LastReport(
        epoch=row["epoch"],
        nav=str(row["nav"]),
        share_price=uint(row["share_price"]),
        total_supply=uint(row["total_supply"]),
        posted_ms=row["posted_ms"],
    )


def _summary(record: VaultRecord, last: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "address": record.address,
        "name": record.name,
        "symbol": record.symbol,
        "is_private": record.is_private,
        "nav_oracle": record.nav_oracle,
        "trade_log": record.trade_log,
        "deployed_block": record.block,
        "last_report": _last(last),
    }


@router.get("/vaults", response_model=VaultList)
async def list_vaults(services: ServicesDep, reads: ReadsDep) -> VaultList:
    registry = services.deps.registry
    vaults = [VaultSummary(**_summary(v, await reads.latest_report(v.address))) for v in registry.vaults]
    chain_id = registry.deployment.chain_id if registry.deployment else None
    return VaultList(chain_id=chain_id, vaults=vaults)


def _fees(value: Any) -> FeeTerms | None:
    if not isinstance(value, dict):
        return None
    try:
        return FeeTerms(**{k: int(v) for k, v in value.items() if k in FeeTerms.model_fields})
    except (TypeError, ValueError):
        return None


def _s(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    return str(jsonable(value))


@router.get("/vaults/{vault}", response_model=VaultDetail)
@declares(503)
async def vault_detail(record: VaultDep, reads: ReadsDep, services: ServicesDep) -> VaultDetail:
    chain = chain_of(services)
    head = await chain.head()
    state = await chain.vault_state(record.address, record.nav_oracle)
    v, o = state["vault"], state["oracle"]
    last = await reads.latest_report(record.address)
    pps, source = _s(v.get("convertToAssets_one_share")), "chain"
    if pps is None and last is not None and last.get("share_price") is not None:
        pps, source = str(last["share_price"]), "report"
    pending = _fees(o.get("pending"))
    effective = o.get("pending_effective_at")
    summary = _summary(record, last)
    summary["name"] = v.get("name") or record.name
    summary["symbol"] = v.get("symbol") or record.symbol
    return VaultDetail(
        **summary,
        block=head.block,
        asset=v.get("asset"),
        decimals=v.get("decimals"),
        roles=Roles(
            admin=v.get("owner"),
            manager=v.get("manager"),
            guardian=v.get("guardian"),
            fee_recipient=v.get("fee_recipient"),
            protocol_fee_recipient=v.get("protocol_fee_recipient"),
            whitelist_manager=v.get("whitelist_manager"),
        ),
        fees=_fees(o.get("config")),
        pending_fees=pending if effective else None,
        pending_fees_effective_at=int(effective) if effective else None,
        deposit_cap=_s(v.get("deposit_cap")),
        lockup_s=_s(v.get("lockup")),
        min_manager_bps=_s(v.get("min_manager_bps")),
        sync_max_age_s=_s(v.get("sync_max_age")),
        epoch=_s(v.get("epoch")),
        redeem_epoch=_s(v.get("redeem_epoch")),
        total_assets=_s(v.get("totalAssets")),
        total_supply=_s(v.get("totalSupply")),
        aum=_s(v.get("totalAssets")),
        price_per_share=pps,
        price_per_share_source=source if pps is not None else None,
        share_price=_s(v.get("share_price")),
        high_water_mark=_s(v.get("high_water_mark")),
        pending_deposit_assets=_s(v.get("pending_deposit_assets")),
        pending_redeem_shares=_s(v.get("pending_redeem_shares")),
        paused=v.get("paused"),
        shut_down=v.get("shut_down"),
        quarantined=v.get("quarantined"),
        last_settled_at=_s(v.get("last_settled_at")),
        keeper_quorum=_s(o.get("quorum")),
        keeper_count=_s(o.get("keeper_count")),
    )
