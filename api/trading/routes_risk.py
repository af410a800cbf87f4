"""`GET/PUT /v1/vaults/{vault}/risk`: a vault's risk template, replaced whole with optimistic concurrency.

PUT needs an API key with the `risk` scope bound to the vault *and* an EIP-712 `risk.template.set` action
signed by the vault's on-chain manager or admin over `{"vault", "template", "expected_version"}`;
`If-Match: "<version>"` names the version replaced (absent = create only). A stale version is 409.
"""

# No `from __future__ import annotations`: FastAPI must resolve the closure-local dependency aliases.
import re
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, Header, Response

from api.auth.api_keys import Scope
from api.auth.signed import ActionVerifier, ChainRole, SignedAction, VerifiedAction
from api.container import Services
from api.deps import ServicesDep
from api.errors import ApiError, BadRequest, ErrorCode, Forbidden, NotFound, declares, error_responses
from api.trading.deps import TradingDeps, VaultCaller, vault_gate
from api.trading.errors import conflict
from api.trading.repo import StoredTemplate, VersionConflict
from api.trading.schemas import RiskOut, RiskPut, RiskTemplateIn

ACTION = "risk.template.set"
SIGNER_ROLES = (ChainRole.MANAGER, ChainRole.ADMIN)
_ETAG = re.compile(r'^(?:W/)?"?([0-9]{1,9})"?$')


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(value: str | None, current: int) -> int:
    """Expected version from If-Match: absent -> 0 (create only), `*` -> the current one, `"N"` -> N."""
    if value is None:
        return 0
    value = value.strip()
    if value == "*":
        if current == 0:
            raise conflict("risk.version_mismatch", "no template exists to match `*`", current_version=0)
        return current
    match = _ETAG.fullmatch(value)
    if match is None:
        raise BadRequest('If-Match must be a version ETag like "3" (or *)')
    return int(match[1])


async def verify_manager_or_admin(
    services: Services, deps: TradingDeps, signed: SignedAction, params: dict[str, object]
) -> VerifiedAction:
    """Accept the signature of the vault's manager or admin; nonce consumed once, on success only."""
    roles = deps.role_reader or services.deps.role_reader
    for role in SIGNER_ROLES:
        verifier = ActionVerifier(
            chain_id=services.settings.chain_id,
            nonces=services.deps.nonce_store,
            roles=roles,
            clock=services.deps.wall_clock,
            max_ttl_s=services.settings.signed_action_max_ttl_s,
            action_roles={ACTION: role},
        )
        try:
            return await verifier.verify(signed, action=ACTION, params=params)
        except Forbidden as exc:
            if exc.code is not ErrorCode.ROLE_REQUIRED:
                raise
    raise Forbidden(
        "signer is neither the vault's manager nor its admin",
        code=ErrorCode.ROLE_REQUIRED,
        details={"roles": [r.value for r in SIGNER_ROLES]},
    )


def _out(stored: StoredTemplate, vault: str) -> RiskOut:
    return RiskOut(
        vault=vault,
        version=stored.version,
        template=RiskTemplateIn.model_validate(stored.template),
        updated_by=stored.updated_by,
        updated_ms=stored.updated_ms,
    )


def build_risk_router(deps: TradingDeps) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["risk"], responses=error_responses(404))
    ReadCaller = Annotated[VaultCaller, Depends(vault_gate(deps, Scope.READ))]
    RiskCaller = Annotated[VaultCaller, Depends(vault_gate(deps, Scope.RISK, policy="admin"))]

    @router.get("/vaults/{vault}/risk", response_model=RiskOut)
    @declares(404)
    async def get_risk(caller: ReadCaller, response: Response) -> RiskOut:
        stored = await to_thread.run_sync(deps.repo.get_template, caller.vault)
        if stored is None:
            raise NotFound("no risk template for this vault", details={"reason": "risk.no_template"})
        response.headers["ETag"] = etag(stored.version)
        return _out(stored, caller.vault)

    @router.put("/vaults/{vault}/risk", response_model=RiskOut)
    @declares(400, 401, 403, 409)
    async def put_risk(
        caller: RiskCaller,
        body: RiskPut,
        services: ServicesDep,
        response: Response,
        if_match: Annotated[str | None, Header(description='Version replaced, e.g. "3"')] = None,
    ) -> RiskOut:
        if body.signed.vault != caller.vault:
            raise BadRequest("signed vault does not match the path", details={"vault": caller.vault})
        current = await to_thread.run_sync(deps.repo.get_template, caller.vault)
        expected = parse_if_match(if_match, current.version if current else 0)
        template = body.template.canonical()
        params: dict[str, object] = {
            "vault": caller.vault,
            "template": template,
            "expected_version": expected,
        }
        try:
            verified = await verify_manager_or_admin(services, deps, body.signed, params)
        except ApiError as exc:  # a refused signature is recorded under the API key that presented it
            refused_at, result = deps.now_ms(), f"refused:{exc.code.value}"
            await to_thread.run_sync(
                lambda: deps.repo.audit(caller.actor, ACTION, caller.vault, params, result, refused_at)
            )
            raise
        actor = verified.actor
        now = deps.now_ms()
        try:
            version = await to_thread.run_sync(
                deps.repo.replace_template, caller.vault, template, expected, actor, now
            )
        except VersionConflict as exc:
            current_version = exc.current
            await to_thread.run_sync(
                lambda: deps.repo.audit(
                    actor,
                    ACTION,
                    caller.vault,
                    params,
                    "version_conflict",
                    now,
                    api_key=caller.principal.key_id,
                    current_version=current_version,
                )
            )
            raise conflict(
                "risk.version_mismatch",
                "risk template version does not match If-Match",
                expected_version=expected,
                current_version=exc.current,
            ) from exc
        await to_thread.run_sync(
            lambda: deps.repo.audit(
                actor,
                ACTION,
                caller.vault,
                params,
                "ok",
                now,
                api_key=caller.principal.key_id,
                version=version,
            )
        )
        response.headers["ETag"] = etag(version)
        stored = StoredTemplate(caller.vault.lower(), version, template, actor, now)
        return _out(stored, caller.vault)

    return router
