"""A tiny router that exists only in tests: exercises auth, scopes, signed actions, rate limits and every
error path end to end through the real app factory."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from api.auth.signed import SignedAction
from api.deps import RequireAdmin, RequireRead, RequireTrade, ServicesDep, limit_ip
from api.errors import Conflict, NotFound, declares

router = APIRouter(prefix="/demo", tags=["demo"])


class OrderIn(BaseModel):
    client_order_id: str = Field(min_length=1, max_length=64)
    size: int = Field(gt=0, description="Scaled integer size")


class OrderOut(BaseModel):
    client_order_id: str
    size: int
    actor: str


class LoginIn(BaseModel):
    message: str = Field(max_length=1000)
    signature: str = Field(pattern=r"^0x[0-9a-fA-F]{130}$")


class AdminIn(BaseModel):
    params: dict[str, str]
    signed: SignedAction


def _book(request: Request) -> dict[str, OrderOut]:
    """Per-app order book kept on app.state (no module globals)."""
    if not hasattr(request.app.state, "demo_orders"):
        request.app.state.demo_orders = {}
    book: dict[str, OrderOut] = request.app.state.demo_orders
    return book


Book = Annotated[dict[str, OrderOut], Depends(_book)]


@router.get("/whoami")
async def whoami(principal: RequireRead) -> dict[str, object]:
    return {"actor": principal.actor, "scopes": sorted(s.value for s in principal.scopes)}


@router.post("/orders", response_model=OrderOut, status_code=201)
@declares(409)
async def place_order(order: OrderIn, principal: RequireTrade, book: Book) -> OrderOut:
    if order.client_order_id in book:
        raise Conflict("duplicate client_order_id", details={"client_order_id": order.client_order_id})
    book[order.client_order_id] = OrderOut(**order.model_dump(), actor=principal.actor)
    return book[order.client_order_id]


@router.get("/orders/{client_order_id}", response_model=OrderOut)
@declares(404)
async def get_order(
    client_order_id: Annotated[str, Path(max_length=64)], principal: RequireRead, book: Book
) -> OrderOut:
    order = book.get(client_order_id)
    if order is None:
        raise NotFound("no such order")
    return order


@router.post("/admin/pause")
@declares(400, 401, 403, 409)
async def admin_pause(body: AdminIn, principal: RequireAdmin, services: ServicesDep) -> dict[str, str]:
    verified = await services.actions.verify(body.signed, action="vault.pause", params=body.params)
    return {"key_actor": principal.actor, "signer_actor": verified.actor}


@router.get("/login/challenge", dependencies=[Depends(limit_ip())])
@declares(400)
async def login_challenge(
    address: Annotated[str, Query(pattern=r"^0x[0-9a-fA-F]{40}$")], services: ServicesDep
) -> dict[str, str]:
    return {"message": services.login.challenge(address)}


@router.post("/login", dependencies=[Depends(limit_ip())])
@declares(400, 401, 409)
async def login(body: Annotated[LoginIn, Body()], services: ServicesDep) -> dict[str, str]:
    return {"address": await services.login.verify(body.message, body.signature)}


@router.get("/boom")
async def boom(principal: RequireRead) -> None:
    raise RuntimeError("db password is hunter2 at /srv/secret/path")
