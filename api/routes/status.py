"""`GET /v1/status`: chain head, keeper leader, ingestion, last NAV per vault, outbox backlog, quarantine.

Cheap by construction: the chain head is cached (`head_cache_s`, ~1 s) and fetched by one request at a
time; the store answers in one transaction with one query per table (two for reports and the outbox);
the rendered answer is reused for `status_cache_s` (default 250 ms) and rebuilt by one request at a
time; while it is fresh, `StatusFastPath` serves it before FastAPI's routing. A dead node or store does not
make the route fail: the part that could not be read says so (`ok: false`) and the rest is still served.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from api.chain import ChainUnavailable
from api.deps import DECIDED_IP, client_ip, decide, limit_ip
from api.readdeps import strict_query, uint
from api.store.reads import ReadStore, StatusSnapshot

router = APIRouter(prefix="/v1", tags=["status"], dependencies=[Depends(limit_ip()), Depends(strict_query)])
log = structlog.get_logger("api.status")
_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://\S+")
MAX_ERROR_CHARS = 200
STATUS_PATH = "/v1/status"


class ChainStatus(BaseModel):
    ok: bool
    chain_id: int | None = None
    head_block: int | None = None
    head_timestamp: int | None = None
    head_age_s: int | None = Field(
        default=None, description="API wall clock minus the head block's timestamp"
    )


class LeaderStatus(BaseModel):
    name: str
    holder: str
    term: int
    renewed_ms: int
    expires_ms: int
    expired: bool
    lag_ms: int = Field(description="Database time since the leader last renewed its lease")


class IngestStatus(BaseModel):
    venue: str
    account: str
    confirmed_ms: int
    last_ack_ms: int | None
    last_ws_fill_ms: int | None
    last_rest_ms: int | None
    ws_fills: int
    reconciled_fills: int
    ws_dropped_suspected: int
    positions_in_sync: bool | None


class LastNav(BaseModel):
    vault: str
    epoch: int
    nav: str = Field(description="Asset base units (decimal string)")
    share_price: str | None = Field(description="1e18-scaled price per share (decimal string)")
    posted_ms: int | None
    age_ms: int | None
    tx_hash: str | None


class QuarantinedReport(BaseModel):
    vault: str
    epoch: int
    struct_hash: str | None
    created_ms: int


class OutboxError(BaseModel):
    id: int
    kind: str
    vault: str
    status: str
    attempts: int
    last_error: str = Field(description="Truncated, URLs redacted")
    updated_ms: int


class OutboxStatus(BaseModel):
    by_status: dict[str, int]
    pending: int
    oldest_pending_age_ms: int | None
    errors: list[OutboxError]


class StoreStatus(BaseModel):
    ok: bool
    db_time_ms: int | None = None


class Status(BaseModel):
    chain: ChainStatus
    store: StoreStatus
    leaders: list[LeaderStatus]
    ingest: list[IngestStatus]
    last_nav: list[LastNav]
    quarantined: list[QuarantinedReport]
    outbox: OutboxStatus
    reconciliation: dict[str, Any] = Field(description="The keeper's reconciliation verdict")


def _redact(text: str) -> str:
    return _URL.sub("<url>", text)[:MAX_ERROR_CHARS]


async def _chain(services: Any) -> ChainStatus:
    chain = services.deps.chain
    if chain is None:
        return ChainStatus(ok=False)
    try:
        head = await chain.head()
    except ChainUnavailable:
        return ChainStatus(ok=False)
    age = max(0, services.deps.wall_clock() - head.timestamp)
    return ChainStatus(
        ok=True, chain_id=head.chain_id, head_block=head.block, head_timestamp=head.timestamp, head_age_s=age
    )


async def _reconcile(services: Any) -> dict[str, Any]:
    provider = services.deps.reconcile
    if provider is None:
        return {"verdict": "unknown"}
    try:
        verdict = await asyncio.wait_for(provider(), services.settings.readiness_timeout_s)
    except Exception as exc:  # a provider failure must not take /status down
        log.warning("reconcile_provider_failed", exc_type=type(exc).__name__)
        return {"verdict": "unknown", "error": "provider failed"}
    return dict(verdict) if isinstance(verdict, dict) else {"verdict": "unknown"}


def _empty_outbox() -> OutboxStatus:
    return OutboxStatus(by_status={}, pending=0, oldest_pending_age_ms=None, errors=[])


@router.get("/status", response_model=Status)
async def status(request: Request) -> Response:
    """Served from one pre-rendered body per `status_cache_s` window (built by one request at a time)."""
    # The hot path takes its services from app.state rather than through more dependencies (each costs
    # FastAPI's dependency solver a measurable share of a cached answer).
    services = request.app.state.services
    reads = services.deps.reads
    rendered: RenderedCache = request.app.state.status_rendered

    async def build() -> bytes:
        return (await _build(request, services, reads)).model_dump_json().encode()

    return Response(await rendered.get(build), media_type="application/json")


class StatusFastPath:
    """Pure ASGI, inside the metrics middleware: answers `GET /v1/status` without a query string while the
    rendered body is fresh, without FastAPI's routing and dependency solving (about 60% of the CPU of a
    cached answer). It runs the route's checks itself: the per-IP limit (same bucket, same limiter) and the
    query check (nothing to check without a query). Anything else (a stale body, a query string, an empty
    bucket) goes to the route, which answers as before; an IP decision already taken travels with the request
    (`DECIDED_IP`), so no request takes two tokens."""

    def __init__(self, app: ASGIApp, services: Any, cache: RenderedCache, route: BaseRoute) -> None:
        self.app, self.services, self.cache, self.route = app, services, cache, route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = self.cache.fresh() if _is_plain_status_get(scope) else None
        if body is None:
            await self.app(scope, receive, send)
            return
        decision = await decide(self.services, "default", "ip", client_ip(Request(scope), self.services))
        if not decision.allowed:
            scope[DECIDED_IP] = decision
            await self.app(scope, receive, send)
            return
        scope["route"] = self.route  # the metrics middleware labels the request with its template
        headers = [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def status_route() -> BaseRoute:
    """This router's `GET /v1/status` route (what the metrics middleware reads its label from)."""
    return next(r for r in router.routes if getattr(r, "path", None) == STATUS_PATH)


def _is_plain_status_get(scope: Scope) -> bool:
    return (
        scope["type"] == "http"
        and scope["path"] == STATUS_PATH
        and scope["method"] == "GET"
        and not scope["query_string"]
    )


class RenderedCache:
    def __init__(self, ttl_s: float) -> None:
        self._ttl = ttl_s
        self._value: tuple[float, bytes] | None = None
        self._lock = asyncio.Lock()

    def fresh(self) -> bytes | None:
        """The rendered body while it is younger than the TTL, else None (always None with TTL 0)."""
        hit = self._value
        if hit is not None and time.monotonic() - hit[0] < self._ttl:
            return hit[1]
        return None

    async def get(self, build: Callable[[], Awaitable[bytes]]) -> bytes:
        if self._ttl <= 0:
            return await build()
        body = self.fresh()
        if body is not None:
            return body
        async with self._lock:
            body = self.fresh()
            if body is not None:
                return body
            body = await build()
            self._value = (time.monotonic(), body)
            return body


async def _build(request: Request, services: Any, reads: ReadStore) -> Status:
    chain_task = asyncio.create_task(_chain(services))
    reconcile_task = asyncio.create_task(_reconcile(services))
    try:
        snap: StatusSnapshot | None = await reads.status()
    except Exception as exc:  # the store is down: say so, keep serving the chain part
        log.warning("status_store_failed", exc_type=type(exc).__name__)
        snap = None
    chain, reconciliation = await chain_task, await reconcile_task
    if snap is None:
        return Status(
            chain=chain,
            store=StoreStatus(ok=False),
            leaders=[],
            ingest=[],
            last_nav=[],
            quarantined=[],
            outbox=_empty_outbox(),
            reconciliation=reconciliation,
        )
    now = snap.db_now_ms
    by_status = {str(r["status"]): int(r["count"]) for r in snap.outbox_by_status}
    oldest = next((r["oldest_ms"] for r in snap.outbox_by_status if r["status"] == "pending"), None)
    return Status(
        chain=chain,
        store=StoreStatus(ok=True, db_time_ms=now),
        leaders=[
            LeaderStatus(
                name=r["name"],
                holder=r["holder"],
                term=r["term"],
                renewed_ms=r["renewed_ms"],
                expires_ms=r["expires_ms"],
                expired=r["expires_ms"] <= now,
                lag_ms=max(0, now - r["renewed_ms"]),
            )
            for r in snap.leases
        ],
        ingest=[IngestStatus.model_validate(r, from_attributes=False) for r in snap.checkpoints],
        last_nav=[
            LastNav(
                vault=r["vault"],
                epoch=r["epoch"],
                nav=str(r["nav"]),
                share_price=uint(r["share_price"]),
                posted_ms=r["posted_ms"],
                age_ms=None if r["posted_ms"] is None else max(0, now - r["posted_ms"]),
                tx_hash=r["tx_hash"],
            )
            for r in snap.last_posted
        ],
        quarantined=[QuarantinedReport.model_validate(r) for r in snap.quarantined],
        outbox=OutboxStatus(
            by_status=by_status,
            pending=by_status.get("pending", 0),
            oldest_pending_age_ms=None if oldest is None else max(0, now - int(oldest)),
            errors=[
                OutboxError(**{**r, "last_error": _redact(str(r["last_error"]))}) for r in snap.outbox_errors
            ],
        ),
        reconciliation=reconciliation,
    )
