"""GET /ws: the venue's subscription protocol (subscribe/unsubscribe/ping) on top of WsHub."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from venue_sim import render
from venue_sim.state import VenueState
from venue_sim.ws_hub import Connection

router = APIRouter()
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
# The SDK's WebsocketManager ignores exactly this greeting.
GREETING = "Websocket connection established."


def _key(subscription: Any) -> tuple[str, str] | str:
    """Registry key for a subscription, or an error message."""
    if not isinstance(subscription, dict):
        return "subscription must be an object"
    kind = subscription.get("type")
    if kind == "allMids":
        return ("allMids", "")
    if kind in ("userFills", "orderUpdates"):
        user = subscription.get("user")
        if not isinstance(user, str) or not _ADDRESS.match(user):
            return f"{kind} subscription needs a 0x user address"
        return (kind, user.lower())
    return f"subscription type {kind!r} is not implemented by the venue simulator"


def _handle(state: VenueState, conn: Connection, message: Any) -> None:
    hub = state.hub
    method = message.get("method") if isinstance(message, dict) else None
    if method == "ping":
        hub.send(conn, {"channel": "pong"})
        return
    if method not in ("subscribe", "unsubscribe"):
        hub.send(conn, {"channel": "error", "data": f"Unknown method: {json.dumps(message)}"})
        return
    subscription = message.get("subscription")
    key = _key(subscription)
    if isinstance(key, str):
        hub.send(conn, {"channel": "error", "data": key})
        return
    state.sync()
    ack = {"channel": "subscriptionResponse", "data": {"method": method, "subscription": subscription}}
    if method == "unsubscribe":
        conn.subscriptions.discard(key)
        hub.send(conn, ack)
        return
    conn.subscriptions.add(key)
    hub.send(conn, ack)
    # Initial data, queued before any later event so the client sees snapshot-then-updates in order.
    kind, user = key
    if kind == "allMids":
        hub.send(conn, {"channel": "allMids", "data": {"mids": state.mids_wire()}})
    elif kind == "userFills":
        fills = [render.fill(f) for f in state.engine.fills.recent(user, state.config.max_fills_per_response)]
        hub.send(conn, {"channel": "userFills", "data": {"isSnapshot": True, "user": user, "fills": fills}})


@router.websocket("/ws")
async def ws_endpoint(websocket: WebSocket) -> None:
    state: VenueState = websocket.app.state.venue
    await websocket.accept()
    conn = state.hub.connect()
    await websocket.send_text(GREETING)
    sender = asyncio.create_task(state.hub.pump(conn, websocket.send_text))
    try:
        while True:
            text = await websocket.receive_text()
            try:
                message = json.loads(text, parse_float=Decimal)  # no binary floats, even here
            except ValueError:
                state.hub.send(conn, {"channel": "error", "data": f"Invalid JSON: {text[:200]}"})
                continue
            _handle(state, conn, message)
    except WebSocketDisconnect:
        pass
    finally:
        state.hub.disconnect(conn)
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender
