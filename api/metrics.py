"""Prometheus metrics on a registry owned by the app (never the process-global one).

Labels use the route *template* (`/vaults/{vault}`), never the raw path, so cardinality stays bounded;
requests that match no route are counted under `<unmatched>`.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNMATCHED = "<unmatched>"


class ApiMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "vaultcraft_api_requests_total",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "vaultcraft_api_request_duration_seconds",
            "HTTP request latency",
            ["method", "route", "status"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
        )
        self.rate_limited = Counter(
            "vaultcraft_api_rate_limited_total",
            "Requests refused with 429",
            ["policy", "bucket"],
            registry=self.registry,
        )
        self.auth_failures = Counter(
            "vaultcraft_api_auth_failures_total", "Refused credentials", ["reason"], registry=self.registry
        )

    def render(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def route_template(scope: Scope) -> str:
    """The matched route's full template. FastAPI >= 0.16x keeps the prefixed template on its effective
    route context (`scope["route"]` holds the router-local one); older versions only set `scope["route"]`."""
    fastapi_scope = scope.get("fastapi")
    context: Any = fastapi_scope.get("effective_route_context") if isinstance(fastapi_scope, dict) else None
    route: Any = scope.get("route")
    for candidate in (context, route):
        path = getattr(candidate, "path_format", None)
        if path:
            return str(path)
    return UNMATCHED


class MetricsMiddleware:
    """Pure ASGI middleware: counts every HTTP response (including unhandled errors, as 500)."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            labels = (scope.get("method", "?"), route_template(scope), str(status))
            self.metrics.requests.labels(*labels).inc()
            self.metrics.latency.labels(*labels).observe(time.perf_counter() - start)
