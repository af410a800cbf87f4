"""Dependencies shared by the /v1 read routes: the vault path parameter, the store, the chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request, Response
from fastapi import params as fastapi_params
from fastapi.dependencies.utils import get_flat_params
from pydantic import BaseModel

from api.chain import ChainReader, ChainUnavailable
from api.container import Services
from api.deps import ServicesDep
from api.errors import ErrorCode, Forbidden, Unprocessable, declares
from api.store.reads import ReadStore
from vaultcraft.deploy import VaultRecord

ADDRESS = r"^0x[0-9a-fA-F]{40}$"
UINT = r"^[0-9]{1,78}$"
VaultAddress = Annotated[str, Path(pattern=ADDRESS, description="Vault address (any case)")]


async def get_reads(services: ServicesDep) -> ReadStore:
    reads = services.deps.reads
    assert reads is not None  # the read routers are mounted only with a store
    return reads


_QUERY_NAMES: dict[int, frozenset[str]] = {}


@declares(422)
async def strict_query(request: Request) -> None:
    """Refuse query parameters the route does not define (422), instead of silently ignoring a typo such as
    `?from_epok=3` and answering as if no filter had been given."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    names = _QUERY_NAMES.get(id(route))
    if names is None:
        fields = get_flat_params(dependant)
        names = frozenset(f.alias for f in fields if isinstance(f.field_info, fastapi_params.Query))
        _QUERY_NAMES[id(route)] = names
    unknown = sorted(set(request.query_params.keys()) - names)
    if unknown:
        raise Unprocessable(
            "unknown query parameter",
            details=[
                {"loc": ["query", name], "msg": "not a parameter of this route", "type": "extra_forbidden"}
                for name in unknown[:10]
            ],
        )


def chain_of(services: Services) -> ChainReader:
    """The chain reader, called in the route body (after path validation): 503 when none is configured.
    Routes that call it declare 503 themselves."""
    if services.deps.chain is None:
        raise ChainUnavailable("no chain node configured")
    return services.deps.chain


@declares(404)
async def get_vault(vault: VaultAddress, services: ServicesDep) -> VaultRecord:
    return services.deps.registry.get(vault)


@declares(403, 404)
async def get_public_vault(record: Annotated[VaultRecord, Depends(get_vault)]) -> VaultRecord:
    """Positions and fills exist only for public vaults; a private vault's answer is always the same 403."""
    if record.is_private:
        raise Forbidden(
            "positions and fills of a private vault are never disclosed",
            code=ErrorCode.PRIVATE_VAULT,
        )
    return record


ReadsDep = Annotated[ReadStore, Depends(get_reads)]
VaultDep = Annotated[VaultRecord, Depends(get_vault)]
PublicVaultDep = Annotated[VaultRecord, Depends(get_public_vault)]


def respond(model: BaseModel) -> Response:
    """Serialize a response model once (FastAPI would validate the returned object again against the
    route's `response_model`; the model here already is that type)."""
    return Response(model.model_dump_json().encode(), media_type="application/json")


def money(value: int | None, scale: int = 8) -> str | None:
    """A store integer scaled by 10**scale as an exact decimal string (no floats): 150000000 -> "1.5"."""
    if value is None:
        return None
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(int(value)), 10**scale)
    text = f"{frac:0{scale}d}".rstrip("0")
    return f"{sign}{whole}.{text}" if text else f"{sign}{whole}"


def uint(value: int | None) -> str | None:
    return None if value is None else str(int(value))
