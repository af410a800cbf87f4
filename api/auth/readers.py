"""Who may read an investor statement: the holder (session token from a signed login challenge) or an API
key with the `admin` scope. Other keys (even `read`) get 403; no or bad credentials get 401."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.auth.api_keys import InvalidKey, Principal, Scope, grants
from api.auth.sessions import PREFIX as SESSION_PREFIX
from api.auth.sessions import HolderSession
from api.deps import ServicesDep, _enforce, _presented_key, client_ip
from api.errors import ErrorCode, Forbidden, Unauthenticated, declares

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="HolderSession",
    description="`Authorization: Bearer vcs_…` from `POST /v1/auth/login`, or an admin API key",
)
_api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="`X-API-Key: vc_<id>_<secret>`"
)


@dataclass(frozen=True)
class StatementReader:
    session: HolderSession | None
    principal: Principal | None

    @property
    def actor(self) -> str:
        if self.session is not None:
            return self.session.actor
        assert self.principal is not None
        return self.principal.actor

    def may_read(self, holder: str) -> bool:
        if self.principal is not None:
            return True
        return self.session is not None and self.session.address.lower() == holder.lower()


@declares(401, 403, 429)
async def statement_reader(
    request: Request,
    services: ServicesDep,
    _bearer_doc: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    _header_doc: Annotated[str | None, Depends(_api_key_header)],
) -> StatementReader:
    await _enforce(services, "default", "ip", client_ip(request, services))
    presented = _presented_key(request)
    if presented.startswith(SESSION_PREFIX):
        return StatementReader(services.sessions.verify(presented), None)
    try:
        principal = await services.keys.authenticate(presented)
    except InvalidKey as exc:
        raise Unauthenticated("invalid API key", code=ErrorCode.INVALID_API_KEY) from exc
    if not grants(principal.scopes, Scope.ADMIN):
        raise Forbidden(
            "statements are readable by their holder or an admin key only",
            code=ErrorCode.INSUFFICIENT_SCOPE,
            details={"required": Scope.ADMIN.value},
        )
    await _enforce(services, "default", "key", principal.key_id)
    return StatementReader(None, principal)


StatementReaderDep = Annotated[StatementReader, Depends(statement_reader)]
