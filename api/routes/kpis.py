"""`GET /v1/vaults/{vault}/kpis`: performance KPIs over the posted NAV series (definitions in `api.kpis`).

Public read (NAV is public on-chain anyway), throttled per IP. Every number is a decimal string.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from api.deps import ServicesDep, limit_ip
from api.errors import BadRequest, ErrorCode, NotFound, declares
from api.kpis import KpiError, compute_kpis
from api.readdeps import strict_query

router = APIRouter(prefix="/v1", tags=["nav"], dependencies=[Depends(limit_ip()), Depends(strict_query)])

_DEC = r"^-?[0-9]{1,6}(\.[0-9]{1,18})?$"


class KpiOut(BaseModel):
    vault: str
    start_s: int
    end_s: int
    points: int
    total_return: str
    annualised_return: str | None
    annualised_volatility: str | None
    sharpe: str | None
    risk_free_rate: str
    max_drawdown: str
    drawdown_peak_s: int | None
    drawdown_trough_s: int | None
    drawdown_recovered_s: int | None
    drawdown_recovery_s: int | None = Field(description="Seconds from trough to recovery")


@router.get("/vaults/{vault}/kpis", response_model=KpiOut)
@declares(400, 404)
async def vault_kpis(
    vault: Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{40}$")],
    services: ServicesDep,
    start_s: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
    end_s: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
    risk_free_rate: Annotated[str, Query(pattern=_DEC, description="Annual simple rate, e.g. 0.04")] = "0",
) -> KpiOut:
    provider = services.deps.nav_series
    assert provider is not None  # the router is only mounted with a provider
    if start_s is not None and end_s is not None and end_s < start_s:
        raise BadRequest("end_s is before start_s")
    try:
        rf = Decimal(risk_free_rate)
    except InvalidOperation as exc:  # unreachable past the pattern, kept for safety
        raise BadRequest("risk_free_rate is not a decimal") from exc
    points = await provider.nav_series(vault, start_s, end_s)
    if points is None:
        raise NotFound("unknown vault", code=ErrorCode.VAULT_NOT_FOUND)
    try:
        report = compute_kpis(points, rf)
    except KpiError as exc:
        raise BadRequest(str(exc), details={"points": len(points)}) from exc
    return KpiOut(vault=vault, risk_free_rate=str(rf), **report.as_json())  # type: ignore[arg-type]
