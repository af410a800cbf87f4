"""`GET /v1/vaults/{vault}/statements/{holder}?epoch=`: an investor's statement (shares, leaf, salt,
Merkle-sum proof) with the report it belongs to, and the exact `ProofVerifier.verify_holder` call that
checks it on-chain. Readable by the holder (session token) or an `admin` API key; 401 without credentials,
403 for anyone else."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from api.auth.readers import StatementReaderDep
from api.deps import ServicesDep
from api.errors import ErrorCode, Forbidden, NotFound, declares
from api.proofcall import SIGNATURE, ProofDataError, verify_holder_call
from api.readdeps import ADDRESS, ReadsDep, VaultDep, strict_query

router = APIRouter(prefix="/v1", tags=["proofs"], dependencies=[Depends(strict_query)])


class VerifyCall(BaseModel):
    contract: str = Field(description="ProofVerifier address")
    function: str = Field(description="Canonical signature")
    args: list[Any] = Field(description="JSON arguments in order (uints as decimal strings, bytes as 0x-hex)")
    calldata: str = Field(description="0x ABI-encoded call: `eth_call` it, the result is a bool")


class StatementOut(BaseModel):
    vault: str
    epoch: int
    holder: str
    shares: str = Field(description="Shares at the snapshot (decimal string)")
    leaf: str
    salt: str
    proof: Any = Field(description="Merkle-sum path as stored: {index, siblings: [{hash, sum}]}")
    report: dict[str, Any] | None = Field(description="The NavReport struct posted for the epoch")
    report_status: str | None
    struct_hash: str | None
    verify: VerifyCall | None = Field(description="Null when the verifier or report is unavailable")
    verify_unavailable_reason: str | None = None


@router.get("/vaults/{vault}/statements/{holder}", response_model=StatementOut)
@declares(403, 404)
async def statement(
    record: VaultDep,
    holder: Annotated[str, Path(pattern=ADDRESS)],
    reader: StatementReaderDep,
    reads: ReadsDep,
    services: ServicesDep,
    epoch: Annotated[
        int | None,
        Query(ge=0, le=2**63 - 1, description="Default: the latest epoch whose report the chain accepted"),
    ] = None,
) -> StatementOut:
    if not reader.may_read(holder):
        raise Forbidden("a holder session may only read its own statements", code=ErrorCode.FORBIDDEN)
    row = await reads.statement(record.address, holder, epoch)
    if row is None:
        raise NotFound("no statement for this holder and epoch", code=ErrorCode.STATEMENT_NOT_FOUND)
    verifier = services.deps.registry.singleton("proof_verifier")
    call: VerifyCall | None = None
    reason: str | None = None
    if verifier is None:
        reason = "no ProofVerifier in the deployment"
    elif not row["fields"]:
        reason = "report struct not recorded"
    else:
        try:
            args, calldata = verify_holder_call(
                record.nav_oracle, row["fields"], row["holder"], int(row["shares"]), row["salt"], row["proof"]
            )
            call = VerifyCall(contract=verifier, function=SIGNATURE, args=args, calldata=calldata)
        except ProofDataError as exc:
            reason = str(exc)
    return StatementOut(
        vault=record.address,
        epoch=row["epoch"],
        holder=row["holder"],
        shares=str(row["shares"]),
        leaf=row["leaf"],
        salt=row["salt"],
        proof=row["proof"],
        report=row["fields"],
        report_status=row["report_status"],
        struct_hash=row["struct_hash"],
        verify=call,
        verify_unavailable_reason=reason,
    )
