"""`WS /v1/vaults/{vault}/stream`: fills, positions, NAV and ingestion status of one vault, from the store.

Auth: an API key with the `read` or `trade` scope bound to the vault (or `admin`), in
`Authorization: Bearer` / `X-API-Key` at the handshake, or as the first message
`{"type": "auth", "api_key": "vc_..."}` within `stream_auth_timeout_s`. Refusals close with 4401
(no/invalid key), 4403 (scope or vault binding) or 4404 (no venue account for the vault); the reason
text never echoes the key.

Messages (JSON): `{"type": "hello", ...}` once, then `fills` (new rows, oldest first), `positions`,
`nav` (latest row of `reports` for the vault) and `status` (ingest checkpoint), each sent when it changes.
The store is polled every `stream_poll_s`; all state lives in the connection's own task.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from api.auth.api_keys import InvalidKey, Principal, Scope, grants
from api.container import Services
from api.trading.deps import TradingDeps
from api.trading.repo import TradingRepo
from api.trading.routes_orders import _signed, fill_out
from api.trading.schemas import ADDRESS
from api.trading.venue import TradingVenue

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
FILL_BATCH = 500


class _Refused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


def _header_key(ws: WebSocket) -> str | None:
    auth = ws.headers.get("authorization")
    if auth is not None:
        scheme, _, token = auth.partition(" ")
        return token.strip() if scheme.lower() == "bearer" else ""
    return ws.headers.get("x-api-key")


async def _first_message_key(ws: WebSocket, timeout_s: float) -> str:
    try:
        raw = await asyncio.wait_for(ws.receive_text(), timeout_s)
    except TimeoutError as exc:
        raise _Refused(CLOSE_UNAUTHENTICATED, "no auth message in time") from exc
    try:
        msg = json.loads(raw)
    except ValueError as exc:
        raise _Refused(CLOSE_UNAUTHENTICATED, "first message must be JSON") from exc
    if not isinstance(msg, dict) or msg.get("type") != "auth" or not isinstance(msg.get("api_key"), str):
        raise _Refused(CLOSE_UNAUTHENTICATED, 'first message must be {"type": "auth", "api_key": ...}')
    return str(msg["api_key"])


async def _authenticate(ws: WebSocket, services: Services, deps: TradingDeps, vault: str) -> Principal:
    presented = _header_key(ws)
    if presented is None:
        presented = await _first_message_key(ws, deps.stream_auth_timeout_s)
    try:
        principal = await services.keys.authenticate(presented)
    except InvalidKey as exc:
        raise _Refused(CLOSE_UNAUTHENTICATED, "invalid API key") from exc
    if not (grants(principal.scopes, Scope.READ) or grants(principal.scopes, Scope.TRADE)):
        raise _Refused(CLOSE_FORBIDDEN, "API key lacks the 'read' or 'trade' scope")
    if Scope.ADMIN not in principal.scopes and not await deps.bindings.is_bound(principal.key_id, vault):
        raise _Refused(CLOSE_FORBIDDEN, "API key is not bound to this vault")
    return principal


def _nav(repo: TradingRepo, vault: str) -> dict[str, Any] | None:
    report = repo.latest_report(vault)
    if report is None:
        return None
    return {
        "epoch": report.epoch,
        "nav": str(report.nav),
        "status": report.status,
        "share_price": str(report.share_price) if report.share_price is not None else None,
        "total_supply": str(report.total_supply) if report.total_supply is not None else None,
        "report_hash": report.report_hash,
        "created_ms": report.created_ms,
        "posted_ms": report.posted_ms,
    }


def _status(repo: TradingRepo, venue: TradingVenue) -> dict[str, Any]:
    cp = repo.checkpoint(venue.name, venue.account)
    if cp is None:
        return {"venue": venue.name, "ingesting": False}
    return {
        "venue": venue.name,
        "ingesting": True,
        "last_ack": cp.last_ack_ms,
        "last_ws_fill": cp.last_ws_fill_ms,
        "last_rest_reconcile": cp.last_rest_ms,
        "confirmed_fill_time": cp.confirmed_ms,
        "ws_fills": cp.ws_fills,
        "reconciled_fills": cp.reconciled_fills,
        "positions_in_sync": cp.positions_in_sync,
    }


def _positions(repo: TradingRepo, venue: TradingVenue) -> list[dict[str, Any]]:
    return [
        {
            "coin": p.coin,
            "szi": _signed(p.szi),
            "realized_pnl": _signed(p.realized_pnl),
            "fees": _signed(p.fees),
            "fill_count": p.fill_count,
            "last_fill_ms": p.last_fill_ms,
        }
        for p in repo.positions(venue.name, venue.account)
    ]


class _Poller:
    """Per-connection cursor and last-sent snapshots; `poll` returns the messages to send (sync, in a
    worker thread)."""

    def __init__(self, repo: TradingRepo, venue: TradingVenue, vault: str, after_id: int) -> None:
        self.repo, self.venue, self.vault = repo, venue, vault
        self.after_id = after_id
        self.last: dict[str, Any] = {}

    def poll(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while True:
            rows = self.repo.fills(
                self.venue.name, self.venue.account, after_id=self.after_id, limit=FILL_BATCH
            )
            if not rows:
                break
            self.after_id = rows[-1].id
            out.append({"type": "fills", "data": [fill_out(f).model_dump() for f in rows]})
            if len(rows) < FILL_BATCH:
                break
        snapshots = {
            "positions": _positions(self.repo, self.venue),
            "nav": _nav(self.repo, self.vault),
            "status": _status(self.repo, self.venue),
        }
        for kind, data in snapshots.items():
            if kind not in self.last or self.last[kind] != data:
                self.last[kind] = data
                out.append({"type": kind, "data": data})
        return out


def build_stream_router(deps: TradingDeps) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["stream"])

    @router.websocket("/vaults/{vault}/stream")
    async def stream(ws: WebSocket, vault: str) -> None:
        await ws.accept()
        services: Services = ws.app.state.services
        try:
            if not re.fullmatch(ADDRESS, vault):
                raise _Refused(CLOSE_NOT_FOUND, "not a vault address")
            await _authenticate(ws, services, deps, vault)
            venue = deps.venues.venue_for(vault)
            if venue is None:
                raise _Refused(CLOSE_NOT_FOUND, "no venue account is configured for this vault")
        except _Refused as refused:
            await ws.close(code=refused.code, reason=refused.reason)
            return
        except WebSocketDisconnect:
            return
        since = ws.query_params.get("after_id", "")
        start = int(since) if since.isdigit() and len(since) < 19 else None
        if start is None:
            start = await to_thread.run_sync(deps.repo.last_fill_id, venue.name, venue.account)
        poller = _Poller(deps.repo, venue, vault, start)
        await ws.send_json(
            {"type": "hello", "vault": vault, "after_id": start, "poll_ms": int(deps.stream_poll_s * 1000)}
        )
        receiver = asyncio.create_task(_drain(ws))
        try:
            while not receiver.done():
                for message in await to_thread.run_sync(poller.poll):
                    await ws.send_json(message)
                await asyncio.wait({receiver}, timeout=deps.stream_poll_s)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            receiver.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await receiver
            if ws.application_state is WebSocketState.CONNECTED:
                with contextlib.suppress(Exception):
                    await ws.close()

    return router


async def _drain(ws: WebSocket) -> None:
    """Read (and ignore) client messages until the client goes away."""
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await ws.receive_text()
