"""Simulator-only control routes under /sim/* (never part of the venue protocol; tests and demos only)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from venue_sim.http_api import BodyError, read_json, venue
from venue_sim.numbers import NumberError, parse_decimal, parse_int

router = APIRouter(prefix="/sim")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def _bad(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=400)


async def _body(request: Request) -> dict[str, Any]:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise BodyError("body must be a JSON object")
    return body


@router.get("/health")
async def health(request: Request) -> dict[str, Any]:
    state = venue(request)
    state.sync()
    return {
        "ok": True,
        "time": state.now_ms(),
        "tick": state.market.tick,
        "stepClock": state.config.step_clock,
    }


@router.post("/advance")
async def advance(request: Request) -> Response:
    """Move simulated time forward by {"ms": n}; every crossed tick steps prices and runs the engine."""
    try:
        body = await _body(request)
        venue(request).advance(parse_int(body.get("ms"), "ms"))
    except (BodyError, NumberError, ValueError) as exc:
        return _bad(str(exc))
    state = venue(request)
    return JSONResponse({"time": state.now_ms(), "tick": state.market.tick, "mids": state.mids_wire()})


@router.get("/config")
async def get_config(request: Request) -> dict[str, Any]:
    return venue(request).config.public_dict()


@router.post("/config")
async def set_config(request: Request) -> Response:
    """Patch runtime knobs, e.g. {"ws_drop_rate": "0.3", "depth_levels": 2, "drift_ppm": {"BTC": -3000}}."""
    try:
        body = await _body(request)
        config = venue(request).set_config(body)
    except (BodyError, ValidationError, ValueError) as exc:
        return _bad(str(exc))
    return JSONResponse(config.public_dict())


@router.post("/fund")
async def fund(request: Request) -> Response:
    """Deposit USDC: {"user": "0x..", "usd": "1000"}; optional "vaultLeader" makes `user` a vault it leads."""
    try:
        body = await _body(request)
        user, leader = body.get("user"), body.get("vaultLeader")
        if not isinstance(user, str) or not _ADDRESS.match(user):
            raise ValueError("user must be a 0x address")
        if leader is not None and (not isinstance(leader, str) or not _ADDRESS.match(leader)):
            raise ValueError("vaultLeader must be a 0x address")
        state = venue(request)
        state.sync()
        state.fund(user.lower(), parse_decimal(body.get("usd")), leader.lower() if leader else None)
    except (BodyError, NumberError, ValueError) as exc:
        return _bad(str(exc))
    return JSONResponse({"ok": True})


@router.post("/withdraw")
async def withdraw(request: Request) -> Response:
    """Withdraw USDC to the simulated bridge: {"user": "0x..", "usd": "1000"} (at most the withdrawable)."""
    try:
        body = await _body(request)
        user = body.get("user")
        if not isinstance(user, str) or not _ADDRESS.match(user):
            raise ValueError("user must be a 0x address")
        state = venue(request)
        state.sync()
        state.withdraw(user.lower(), parse_decimal(body.get("usd")))
    except (BodyError, NumberError, ValueError) as exc:
        return _bad(str(exc))
    return JSONResponse({"ok": True})


@router.post("/price")
async def price(request: Request) -> Response:
    """Jump a price path: {"coin": "BTC", "px": "59000"}; crossed orders/triggers are processed at once."""
    try:
        body = await _body(request)
        coin = body.get("coin")
        if not isinstance(coin, str):
            raise ValueError("coin must be a string")
        venue(request).jump_price(coin, parse_decimal(body.get("px")))
    except (BodyError, NumberError, ValueError) as exc:
        return _bad(str(exc))
    return JSONResponse({"mids": venue(request).mids_wire()})
