"""FastAPI dependencies and their `Annotated` aliases.

`require(scope, policy)` is the one gate for API-key routes, in this order: per-IP bucket (so failed
logins are throttled too), key check (401 missing/invalid, 403 missing scope), per-key bucket. Routes
write `principal: RequireTrade` and get a `Principal` naming the actor for the audit log.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.auth.api_keys import InvalidKey, Principal, Scope, grants
from api.container import Services
from api.errors import ErrorCode, Forbidden, RateLimited, Unauthenticated, declares
from api.ratelimit import Decision

_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer vc_<id>_<secret>`")
_api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="`X-API-Key: vc_<id>_<secret>`"
)


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def client_ip(request: Request, services: Services) -> str:
    """The peer address; behind one trusted proxy, the entry that proxy appended (the *last* one: earlier
    entries come from the client and can be forged to dodge per-IP limits)."""
    if services.settings.trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded and forwarded.split(",")[-1].strip():
            return forwarded.split(",")[-1].strip()
    return request.client.host if request.client else "unknown"


# Where a pure-ASGI fast path (api/routes/status.py) leaves the per-IP decision it already took, so the
# route's own `limit_ip` does not take a second token for the same request.
DECIDED_IP = "vaultcraft.ip_decision"


async def decide(services: Services, policy: str, bucket: str, key: str) -> Decision:
    pol = services.settings.policy(policy)
    limit = pol.per_ip if bucket == "ip" else pol.per_key
    return await services.deps.rate_limiter.hit(f"{policy}:{bucket}:{key}", limit)


async def _enforce(
    services: Services, policy: str, bucket: str, key: str, decision: Decision | None = None
) -> None:
    if decision is None:
        decision = await decide(services, policy, bucket, key)
    if not decision.allowed:
        services.metrics.rate_limited.labels(policy, bucket).inc()
        raise RateLimited(decision.retry_after_s, scope=bucket)


def limit_ip(policy: str = "default") -> Callable[..., Awaitable[None]]:
    """Per-IP bucket only, for unauthenticated routes."""

    @declares(429)
    async def dependency(request: Request, services: ServicesDep) -> None:
        decided = request.scope.pop(DECIDED_IP, None)
        await _enforce(services, policy, "ip", client_ip(request, services), decided)

    return dependency


def _presented_key(request: Request) -> str:
    """The key from `Authorization: Bearer` or `X-API-Key`. An Authorization header with another scheme,
    or two different keys, is refused rather than silently ignored."""
    authorization = request.headers.get("authorization")
    header = request.headers.get("x-api-key")
    values: set[str] = set()
    if authorization is not None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Authorization must be `Bearer <api key>`", code=ErrorCode.INVALID_API_KEY)
        values.add(token.strip())
    if header is not None:
        values.add(header.strip())
    if not values or values == {""}:
        raise Unauthenticated("API key required (Authorization: Bearer or X-API-Key)")
    if len(values) > 1:
        raise Unauthenticated(
            "conflicting API keys in Authorization and X-API-Key", code=ErrorCode.INVALID_API_KEY
        )
    return values.pop()


def require(scope: Scope, policy: str = "default") -> Callable[..., Awaitable[Principal]]:
    @declares(401, 403, 429)
    async def dependency(
        request: Request,
        services: ServicesDep,
        _bearer_doc: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        _header_doc: Annotated[str | None, Depends(_api_key_header)],
    ) -> Principal:
        # The two security dependencies above document the schemes in OpenAPI; parsing is strict, below.
        await _enforce(services, policy, "ip", client_ip(request, services))
        presented = _presented_key(request)
        try:
            principal = await services.keys.authenticate(presented)
        except InvalidKey as exc:
            raise Unauthenticated("invalid API key", code=ErrorCode.INVALID_API_KEY) from exc
        if not grants(principal.scopes, scope):
            raise Forbidden(
                f"API key lacks the {scope.value!r} scope",
                code=ErrorCode.INSUFFICIENT_SCOPE,
                details={"required": scope.value},
            )
        await _enforce(services, policy, "key", principal.key_id)
        request.state.principal = principal
        return principal

    return dependency


RequireRead = Annotated[Principal, Depends(require(Scope.READ))]
RequireTrade = Annotated[Principal, Depends(require(Scope.TRADE))]
RequireRisk = Annotated[Principal, Depends(require(Scope.RISK))]
RequireAdmin = Annotated[Principal, Depends(require(Scope.ADMIN, policy="admin"))]
