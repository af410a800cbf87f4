"""HTTP routes of the venue protocol: POST /info and POST /exchange."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from venue_sim.actions import err, handle_exchange
from venue_sim.info import InfoError, handle_info
from venue_sim.state import VenueState

router = APIRouter()


class BodyError(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise BodyError(f"non-finite number {name} in JSON body")


async def read_json(request: Request) -> Any:
    """Decode JSON keeping key order (signatures hash it) and parsing non-integers as Decimal, not float."""
    raw = await request.body()
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BodyError(f"Failed to parse the request body as JSON: {exc}") from exc


def venue(request: Request) -> VenueState:
    state: VenueState = request.app.state.venue
    return state


@router.post("/info")
async def info(request: Request) -> Response:
    try:
        body = await read_json(request)
        return JSONResponse(handle_info(venue(request), body))
    except (BodyError, InfoError) as exc:
        # The venue answers malformed info requests with 422 and a text body; the SDK raises ClientError.
        return PlainTextResponse(str(exc), status_code=422)


@router.post("/exchange")
async def exchange(request: Request) -> Response:
    try:
        body = await read_json(request)
    except BodyError as exc:
        return JSONResponse(err(str(exc)))
    return JSONResponse(handle_exchange(venue(request), body))
