"""Holder login: `GET /v1/auth/challenge?address=` returns an EIP-191 message to sign (`auth/login.py`);
`POST /v1/auth/login` with the message and signature returns a short-lived session token (`auth/sessions.py`)
that lets the holder read their own statements. A challenge is single use (409 `nonce_reused`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, Field

from api.deps import ServicesDep, limit_ip
from api.errors import declares
from api.readdeps import ADDRESS, strict_query

router = APIRouter(
    prefix="/v1/auth", tags=["auth"], dependencies=[Depends(limit_ip()), Depends(strict_query)]
)


class Challenge(BaseModel):
    message: str = Field(description="Sign with personal_sign (EIP-191), then POST it to /v1/auth/login")


class LoginIn(BaseModel):
    message: str = Field(max_length=1000)
    signature: str = Field(pattern=r"^0x[0-9a-fA-F]{130}$")


class Session(BaseModel):
    token: str = Field(description="`Authorization: Bearer <token>`")
    address: str
    expires_at: int


@router.get("/challenge", response_model=Challenge)
@declares(400)
async def challenge(address: Annotated[str, Query(pattern=ADDRESS)], services: ServicesDep) -> Challenge:
    return Challenge(message=services.login.challenge(address))


@router.post("/login", response_model=Session)
@declares(400, 401, 409)
async def login(body: Annotated[LoginIn, Body()], services: ServicesDep) -> Session:
    address = await services.login.verify(body.message, body.signature)
    token, session = services.sessions.issue(address)
    return Session(token=token, address=address, expires_at=session.expires_at)
