"""The exact on-chain call that verifies an investor statement:

    ProofVerifier.verify_holder(oracle, report, account, shares, salt, index, sibling_hashes, sibling_sums)

(contracts/ProofVerifier.vy). Built from the statement row (shares, salt, proof = `zk.merkle_sum.SumProof`
JSON) and the report struct the keeper posted (`reports.fields`: `vaultcraft.protocol.NavReport` fields,
ints as decimal strings, bytes as 0x-hex). The calldata is ABI-encoded here with the fixed signature, so a
client can `eth_call` it on any node without trusting this API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

from vaultcraft.protocol import NavReport
from zk.errors import EncodingError
from zk.merkle_sum import SumProof

# NavOracle.NavReport, field by field (vaultcraft.protocol.NavReport)
REPORT_TYPE = (
    "("
    + ",".join(
        ["uint256"] * 4
        + ["bytes32", "bytes32", "uint256", "bytes32"]
        + ["uint256"] * 3
        + ["bytes32", "uint256"]
    )
    + ")"
)
ARG_TYPES = ["address", REPORT_TYPE, "address", "uint256", "bytes32", "uint256", "bytes32[]", "uint256[]"]
SIGNATURE = f"verify_holder({','.join(ARG_TYPES)})"
SELECTOR = function_signature_to_4byte_selector(SIGNATURE)
REPORT_FIELDS = [f.name for f in fields(NavReport)]
_BYTES_FIELDS = {"position_root", "holder_root", "trade_head", "report_hash"}


class ProofDataError(ValueError):
    """The stored statement or report cannot be turned into a call (reported, never a 500)."""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _b32(value: Any) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x") or len(value) != 66:
        raise ProofDataError("expected 0x + 64 hex")
    try:
        return bytes.fromhex(value[2:])
    except ValueError as exc:
        raise ProofDataError("expected 0x + 64 hex") from exc


def _uint(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ProofDataError("expected an unsigned integer")
    try:
        number = int(value)
    except ValueError as exc:
        raise ProofDataError("expected an unsigned integer") from exc
    if not 0 <= number < 2**256:
        raise ProofDataError("outside uint256")
    return number


def report_tuple(report_fields: Mapping[str, Any]) -> tuple[Any, ...]:
    """NavReport fields (snake_case or camelCase keys) -> the struct tuple in declaration order."""
    out: list[Any] = []
    for name in REPORT_FIELDS:
        value = report_fields.get(name, report_fields.get(_camel(name)))
        if value is None:
            raise ProofDataError(f"report field {name!r} missing")
        out.append(_b32(value) if name in _BYTES_FIELDS else _uint(value))
    return tuple(out)


def holder_proof(raw: Any) -> SumProof:
    if not isinstance(raw, dict):
        raise ProofDataError("proof is not a SumProof JSON object")
    try:
        return SumProof.from_json(raw)
    except EncodingError as exc:
        raise ProofDataError("malformed proof") from exc


def verify_holder_call(
    oracle: str, report_fields: Mapping[str, Any], holder: str, shares: int, salt: str, proof: Any
) -> tuple[list[Any], str]:
    """(JSON args, 0x calldata) for `verify_holder`."""
    report = report_tuple(report_fields)
    path = holder_proof(proof)
    salt_b = _b32(salt)
    hashes = [h for h, _ in path.siblings]
    sums = [s for _, s in path.siblings]
    args = [
        to_checksum_address(oracle),
        report,
        to_checksum_address(holder),
        int(shares),
        salt_b,
        path.index,
        hashes,
        sums,
    ]
    calldata = SELECTOR + encode(ARG_TYPES, args)
    json_args = [
        args[0],
        {
            name: ("0x" + v.hex() if isinstance(v, bytes) else str(v))
            for name, v in zip(REPORT_FIELDS, report, strict=True)
        },
        args[2],
        str(shares),
        salt.lower(),
        str(path.index),
        ["0x" + h.hex() for h in hashes],
        [str(s) for s in sums],
    ]
    return json_args, "0x" + calldata.hex()
