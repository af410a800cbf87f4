"""Investor-side verification of holder and position statements: parse the statement JSON the API serves,
check the Merkle-sum proof locally with zk/, build the exact `ProofVerifier` eth_call, and run it on a node.

Everything that touches a chain goes through the small `Chain` interface (eth_chainId, eth_call, eth_getLogs),
so tests drive it with a titanoboa EVM and the CLI with web3 over JSON-RPC. Nothing here trusts the API: the
calldata is encoded from the statement's fields with the fixed function signature.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Protocol, TypeVar

from eth_abi import decode, encode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

from vaultcraft.protocol import NavReport
from zk.abi import INT256_MAX, INT256_MIN, UINT256_MAX, bytes32_from_text, parse_address
from zk.context import VaultContext
from zk.errors import EncodingError, InvalidProofError, TreeError, ZkError
from zk.leaves import HolderLeaf, PositionLeaf
from zk.merkle_sum import Sum2Proof, SumProof, check_proof, check_proof2

REPORT_TYPE = (
    "(uint256,uint256,uint256,uint256,bytes32,bytes32,uint256,bytes32,uint256,uint256,uint256,bytes32,uint256)"
)
HOLDER_ARGS = ["address", REPORT_TYPE, "address", "uint256", "bytes32", "uint256", "bytes32[]", "uint256[]"]
POSITION_ARGS = [
    "address", REPORT_TYPE, "bytes32", "int256", "uint256", "uint256", "uint256", "bytes32", "uint256",
    "bytes32[]", "uint256[]", "uint256[]",
]
HOLDER_SIGNATURE = f"verify_holder({','.join(HOLDER_ARGS)})"
POSITION_SIGNATURE = f"verify_position({','.join(POSITION_ARGS)})"
VAULT_SELECTOR = function_signature_to_4byte_selector("vault()")
REPORT_FIELDS = tuple(f.name for f in fields(NavReport))
_BYTES_FIELDS = {"position_root", "holder_root", "trade_head", "report_hash"}
T = TypeVar("T")


class StatementError(ValueError):
    """The statement file is missing, malformed or inconsistent (exit code 2); the message names the field."""


class ChainError(RuntimeError):
    """The node could not be reached or a call reverted (exit code 2: a configuration problem)."""


class Chain(Protocol):
    """The three JSON-RPC reads verification and audits need."""

    def chain_id(self) -> int: ...

    def call(self, to: str, data: bytes) -> bytes:
        """eth_call at the latest block; ChainError if it reverts or the node fails."""
        ...

    def logs(self, address: str, from_block: int) -> list[tuple[list[bytes], bytes]]:
        """(topics, data) of every log `address` emitted from `from_block` on, in chain order."""
        ...


class Web3Chain:
    """`Chain` over JSON-RPC with web3.py (any Ethereum node)."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        from web3 import HTTPProvider, Web3

        self.url = url
        self._w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": timeout}))

    def _guard(self, what: str, fn: Callable[[], T]) -> T:
        from web3.exceptions import ContractLogicError, Web3Exception

        try:
            return fn()
        except ContractLogicError as exc:
            raise ChainError(f"{what} reverted: {exc}") from None
        except (Web3Exception, OSError, ValueError) as exc:
            raise ChainError(f"{what} failed on {self.url}: {type(exc).__name__}: {exc}") from None

    def chain_id(self) -> int:
        return int(self._guard("eth_chainId", lambda: self._w3.eth.chain_id))

    def call(self, to: str, data: bytes) -> bytes:
        tx: Any = {"to": to_checksum_address(to), "data": "0x" + data.hex()}
        return bytes(self._guard("eth_call", lambda: self._w3.eth.call(tx, "latest")))

    def logs(self, address: str, from_block: int) -> list[tuple[list[bytes], bytes]]:
        query: Any = {"address": to_checksum_address(address), "fromBlock": from_block, "toBlock": "latest"}
        entries = self._guard("eth_getLogs", lambda: self._w3.eth.get_logs(query))
        return [([bytes(t) for t in e["topics"]], bytes(e["data"])) for e in entries]


# ------------------------------------------------------------------------------------------------ parsing


def _uint(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise StatementError(f"{name}: expected an unsigned integer (decimal string or number)")
    try:
        number = value if isinstance(value, int) else int(value, 10)
    except ValueError:
        raise StatementError(f"{name}: not a decimal integer") from None
    if not 0 <= number <= UINT256_MAX:
        raise StatementError(f"{name}: outside uint256")
    return number


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise StatementError(f"{name}: expected a signed integer (decimal string or number)")
    try:
        number = value if isinstance(value, int) else int(value, 10)
    except ValueError:
        raise StatementError(f"{name}: not a decimal integer") from None
    if not INT256_MIN <= number <= INT256_MAX:
        raise StatementError(f"{name}: outside int256")
    return number


def _b32(value: Any, name: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x") or len(value) != 66:
        raise StatementError(f"{name}: expected 0x followed by 64 hex digits")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise StatementError(f"{name}: not hex") from None


def _address(value: Any, name: str) -> str:
    try:
        return to_checksum_address(parse_address(value))
    except (EncodingError, TypeError):
        raise StatementError(f"{name}: not an address") from None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _field(data: Mapping[str, Any], name: str, where: str = "statement") -> Any:
    if name in data:
        return data[name]
    if _camel(name) in data:
        return data[_camel(name)]
    raise StatementError(f"{where}: field {name!r} missing")


def parse_report(raw: Any) -> NavReport:
    """The NavReport struct from JSON (snake_case or camelCase keys; uints as decimal strings, bytes hex)."""
    if not isinstance(raw, Mapping):
        raise StatementError("report: expected a JSON object with the NavReport fields")
    values: dict[str, Any] = {}
    for name in REPORT_FIELDS:
        value = _field(raw, name, "report")
        label = f"report.{name}"
        values[name] = _b32(value, label) if name in _BYTES_FIELDS else _uint(value, label)
    return NavReport(**values)


def _instrument(value: Any) -> bytes:
    if isinstance(value, str) and value.startswith("0x") and len(value) == 66:
        return _b32(value, "instrument")
    if isinstance(value, str):
        try:
            return bytes32_from_text(value)
        except EncodingError as exc:
            raise StatementError(f"instrument: {exc}") from None
    raise StatementError("instrument: expected a symbol or 0x + 64 hex digits")


@dataclass(frozen=True)
class HolderStatement:
    vault: str
    epoch: int
    holder: str
    shares: int
    salt: bytes
    proof: SumProof
    report: NavReport
    chain_id: int | None = None
    api_calldata: str | None = None


@dataclass(frozen=True)
class PositionStatement:
    vault: str
    epoch: int
    leaf: PositionLeaf
    proof: Sum2Proof
    report: NavReport
    chain_id: int | None = None
    api_calldata: str | None = None


def _common(data: Any) -> tuple[str, int, NavReport, int | None, str | None]:
    if not isinstance(data, Mapping):
        raise StatementError("statement: expected a JSON object")
    vault = _address(_field(data, "vault"), "vault")
    epoch = _uint(_field(data, "epoch"), "epoch")
    report = parse_report(_field(data, "report"))
    if report.epoch != epoch:
        raise StatementError(f"statement is for epoch {epoch} but its report closes epoch {report.epoch}")
    chain_raw = data.get("chain_id", data.get("chainId"))
    chain_id = None if chain_raw is None else _uint(chain_raw, "chain_id")
    verify = data.get("verify")
    api_calldata = verify.get("calldata") if isinstance(verify, Mapping) else None
    return vault, epoch, report, chain_id, api_calldata if isinstance(api_calldata, str) else None


def parse_holder_statement(data: Any) -> HolderStatement:
    """A holder statement as `GET /v1/vaults/{vault}/statements/{holder}` serves it (extra keys ignored)."""
    vault, epoch, report, chain_id, api_calldata = _common(data)
    raw_proof = _field(data, "proof")
    if not isinstance(raw_proof, Mapping):
        raise StatementError("proof: expected {index, siblings: [{hash, sum}]}")
    try:
        proof = SumProof.from_json(dict(raw_proof))
    except EncodingError as exc:
        raise StatementError(f"proof: {exc} (expected {{index, siblings: [{{hash, sum}}]}})") from None
    return HolderStatement(
        vault=vault, epoch=epoch, holder=_address(_field(data, "holder"), "holder"),
        shares=_uint(_field(data, "shares"), "shares"), salt=_b32(_field(data, "salt"), "salt"), proof=proof,
        report=report, chain_id=chain_id, api_calldata=api_calldata,
    )


def parse_position_statement(data: Any) -> PositionStatement:
    """A position leaf statement: instrument, size, mark_price, equity, debt, salt, proof (Sum2Proof JSON)."""
    vault, epoch, report, chain_id, api_calldata = _common(data)
    raw_proof = _field(data, "proof")
    if not isinstance(raw_proof, Mapping):
        raise StatementError("proof: expected {index, siblings: [{hash, equity, debt}]}")
    try:
        proof = Sum2Proof.from_json(dict(raw_proof))
    except EncodingError as exc:
        expected = "expected {index, siblings: [{hash, equity, debt}]}"
        raise StatementError(f"proof: {exc} ({expected})") from None
    try:
        leaf = PositionLeaf(
            instrument=_instrument(_field(data, "instrument")), size=_int(_field(data, "size"), "size"),
            mark_price=_uint(_field(data, "mark_price"), "mark_price"),
            equity=_uint(_field(data, "equity"), "equity"), debt=_uint(_field(data, "debt"), "debt"),
            salt=_b32(_field(data, "salt"), "salt"),
        )
    except EncodingError as exc:
        raise StatementError(f"position: {exc}") from None
    return PositionStatement(vault, epoch, leaf, proof, report, chain_id, api_calldata)


def load_statement_file(path: str | Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise StatementError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise StatementError(f"{path} is not valid JSON") from None


# ------------------------------------------------------------------------------------------------ calls


@dataclass(frozen=True)
class EthCall:
    """An eth_call anyone can repeat on any node: `to` and the 0x calldata."""

    to: str
    data: str

    def json_rpc(self) -> str:
        """The JSON-RPC request body (POST it to any node: the result is an ABI bool)."""
        params = [{"to": self.to, "data": self.data}, "latest"]
        return json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_call", "params": params})


def holder_call(verifier: str, oracle: str, stmt: HolderStatement) -> EthCall:
    args = [
        to_checksum_address(oracle), stmt.report.as_tuple(), stmt.holder, stmt.shares, stmt.salt,
        stmt.proof.index, [h for h, _ in stmt.proof.siblings], [s for _, s in stmt.proof.siblings],
    ]
    data = function_signature_to_4byte_selector(HOLDER_SIGNATURE) + encode(HOLDER_ARGS, args)
    return EthCall(to_checksum_address(verifier), "0x" + data.hex())


def position_call(verifier: str, oracle: str, stmt: PositionStatement) -> EthCall:
    leaf, proof = stmt.leaf, stmt.proof
    args = [
        to_checksum_address(oracle), stmt.report.as_tuple(), leaf.instrument, leaf.size, leaf.mark_price,
        leaf.equity, leaf.debt, leaf.salt, proof.index, [h for h, _, _ in proof.siblings],
        [e for _, e, _ in proof.siblings], [d for _, _, d in proof.siblings],
    ]
    data = function_signature_to_4byte_selector(POSITION_SIGNATURE) + encode(POSITION_ARGS, args)
    return EthCall(to_checksum_address(verifier), "0x" + data.hex())


def run_bool_call(chain: Chain, call: EthCall) -> bool:
    out = chain.call(call.to, bytes.fromhex(call.data[2:]))
    if len(out) != 32:
        raise ChainError(f"{call.to} answered {len(out)} bytes, not a bool: is it a ProofVerifier?")
    return bool(decode(["bool"], out)[0])


def oracle_vault(chain: Chain, oracle: str) -> str:
    out = chain.call(oracle, VAULT_SELECTOR)
    if len(out) != 32:
        raise ChainError(f"{oracle} has no vault(): is it a NavOracle?")
    return to_checksum_address(decode(["address"], out)[0])


# ------------------------------------------------------------------------------------------------ checks


@dataclass(frozen=True)
class Verdict:
    """Local (zk/) and on-chain (ProofVerifier) answers; `ok` only if both say yes."""

    local_ok: bool
    local_reason: str | None
    onchain_ok: bool
    chain_id: int
    call: EthCall
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.local_ok and self.onchain_ok


def check_holder_locally(stmt: HolderStatement, chain_id: int) -> str | None:
    """None if the proof places the holder's leaf under the report's (holder_root, holder_sum), else why."""
    try:
        ctx = VaultContext.of(chain_id, stmt.vault, stmt.epoch)
        leaf = HolderLeaf(parse_address(stmt.holder), stmt.shares, stmt.salt)
        check_proof(leaf.leaf_hash(ctx), stmt.shares, stmt.proof, stmt.report.holder_root,
                    stmt.report.holder_sum, len(stmt.proof.siblings))
    except InvalidProofError as exc:
        return exc.reason
    except (TreeError, ZkError) as exc:
        return str(exc)
    return None


def check_position_locally(stmt: PositionStatement, chain_id: int) -> str | None:
    """None if the proof places the position leaf under the report's (position_root, equity, debt)."""
    r = stmt.report
    try:
        ctx = VaultContext.of(chain_id, stmt.vault, stmt.epoch)
        check_proof2(stmt.leaf.leaf_hash(ctx), stmt.leaf.equity, stmt.leaf.debt, stmt.proof, r.position_root,
                     r.equity, r.debt, len(stmt.proof.siblings))
    except InvalidProofError as exc:
        return exc.reason
    except (TreeError, ZkError) as exc:
        return str(exc)
    return None


def _verify(
    chain: Chain, oracle: str, stmt: HolderStatement | PositionStatement, call: EthCall,
    local: Callable[[int], str | None],
) -> Verdict:
    chain_id = chain.chain_id()
    if stmt.chain_id is not None and stmt.chain_id != chain_id:
        raise StatementError(f"statement is for chain {stmt.chain_id}, the node is chain {chain_id}")
    notes = []
    reason = local(chain_id)
    vault = oracle_vault(chain, oracle)
    if vault.lower() != stmt.vault.lower():
        # The verifier binds the leaf to the oracle's vault: the proof cannot hold on-chain either.
        notes.append(f"oracle {oracle} belongs to vault {vault}, the statement names {stmt.vault}")
        reason = reason or "the oracle's vault is not the statement's vault"
    if stmt.api_calldata is not None and stmt.api_calldata.lower() != call.data.lower():
        notes.append("the API's calldata differs from the one built here (the one built here was used)")
    return Verdict(reason is None, reason, run_bool_call(chain, call), chain_id, call, tuple(notes))


def verify_holder(chain: Chain, verifier: str, oracle: str, stmt: HolderStatement) -> Verdict:
    """Check `stmt` locally and with `ProofVerifier.verify_holder` on `chain`."""
    call = holder_call(verifier, oracle, stmt)
    return _verify(chain, oracle, stmt, call, lambda chain_id: check_holder_locally(stmt, chain_id))


def verify_position(chain: Chain, verifier: str, oracle: str, stmt: PositionStatement) -> Verdict:
    """Check `stmt` locally and with `ProofVerifier.verify_position` on `chain`."""
    call = position_call(verifier, oracle, stmt)
    return _verify(chain, oracle, stmt, call, lambda chain_id: check_position_locally(stmt, chain_id))
