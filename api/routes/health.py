"""Liveness (`/healthz`: the process answers) and readiness (`/readyz`: every dependency probe answers)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from pydantic import BaseModel

from api.container import ReadinessProbe
from api.deps import ServicesDep
from api.errors import NotReady, error_responses

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    checks: dict[str, str]


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    return Health(status="ok")


async def _run(probe: ReadinessProbe, timeout_s: float) -> str:
    try:
        result = await asyncio.wait_for(probe.check(), timeout_s)
    except TimeoutError:
        return "timeout"
    except Exception:  # the probe's own error text may name hosts or credentials: report only "failed"
        return "failed"
    return "failed" if result is False else "ok"


@router.get("/readyz", response_model=Readiness, responses=error_responses(503))
async def readyz(services: ServicesDep) -> Readiness:
    probes = services.deps.probes
    results = await asyncio.gather(*(_run(p, services.settings.readiness_timeout_s) for p in probes))
    checks = {p.name: r for p, r in zip(probes, results, strict=True)}
    if any(r != "ok" for r in checks.values()):
        raise NotReady("a dependency is not ready", details={"checks": checks})
    return Readiness(status="ready", checks=checks)
