"""`GET /metrics`: Prometheus text format from the app's own registry (kept out of the OpenAPI contract)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from api.deps import ServicesDep

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
async def metrics(services: ServicesDep) -> Response:
    return services.metrics.render()
